//! A connection's bounded outgoing queue, and the switch that tells its writer to close.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use tokio::sync::Notify;
use tungstenite::Utf8Bytes;

/// Why and how the server ends a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    /// The WebSocket close code.
    pub code: u16,
    /// The close reason (at most 123 bytes).
    pub reason: &'static str,
    /// Send the messages already queued before the close frame (pointless for a slow consumer).
    pub flush: bool,
}

impl Closing {
    pub const NORMAL: Closing = Closing {
        code: 1000,
        reason: "",
        flush: true,
    };
    pub const REPLACED: Closing = Closing {
        code: protocol::close::REPLACED,
        reason: "replaced by a newer connection of the same peer",
        flush: false,
    };
    pub const SLOW_CONSUMER: Closing = Closing {
        code: protocol::close::SLOW_CONSUMER,
        reason: "outgoing queue full: messages were not read fast enough",
        flush: false,
    };
    pub const TIMED_OUT: Closing = Closing {
        code: protocol::close::TIMED_OUT,
        reason: "nothing received within the idle timeout",
        flush: false,
    };
    pub const TOO_MANY_BAD_MESSAGES: Closing = Closing {
        code: protocol::close::TOO_MANY_BAD_MESSAGES,
        reason: "too many bad messages",
        flush: true,
    };
    pub const RATE_LIMITED: Closing = Closing {
        code: protocol::close::RATE_LIMITED,
        reason: "too many messages: rate limit exceeded",
        flush: true,
    };
    pub const TOO_BIG: Closing = Closing {
        code: protocol::close::TOO_BIG,
        reason: "frame too large",
        flush: true,
    };
    pub const GOING_AWAY: Closing = Closing {
        code: protocol::close::GOING_AWAY,
        reason: "server shutting down",
        flush: true,
    };
    /// 1013 Try Again Later: the server holds the most connections it may.
    pub const SERVER_FULL: Closing = Closing {
        code: protocol::close::SERVER_FULL,
        reason: "server full",
        flush: true,
    };
}

impl Closing {
    /// The label of `signaling_disconnects_total` for this closing.
    pub fn metric_label(&self) -> &'static str {
        match self.code {
            1000 => "normal",
            protocol::close::REPLACED => "replaced",
            protocol::close::SLOW_CONSUMER => "slow-consumer",
            protocol::close::TIMED_OUT => "timed-out",
            protocol::close::TOO_MANY_BAD_MESSAGES => "bad-messages",
            protocol::close::RATE_LIMITED => "rate-limited",
            protocol::close::TOO_BIG => "too-big",
            protocol::close::GOING_AWAY => "going-away",
            protocol::close::SERVER_FULL => "server-full",
            _ => "other",
        }
    }
}

/// The sending side of one connection, shared by its reader task, its writer task and the rooms: a bounded
/// queue of text frames and the switch that tells the writer to close.
///
/// A plain `VecDeque` behind a mutex, rather than a channel, because an idle connection should cost little:
/// it holds no allocation while empty, whereas a tokio channel allocates a block of 32 slots and a
/// cache-padded channel struct up front (about 1.5 KiB).
#[derive(Debug)]
pub struct Outbox {
    /// The connection's id (unique for the server's lifetime).
    pub conn_id: u64,
    capacity: usize,
    max_bytes: usize,
    queue: Mutex<Queue>,
    closing: OnceLock<Closing>,
    /// Wakes the writer: a frame was queued, or the connection is closing.
    wake: Notify,
}

#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Utf8Bytes>,
    /// The total length of `frames`.
    bytes: usize,
    /// The writer is gone: frames queued now would never be sent.
    finished: bool,
}

/// The queue was full: the connection is a slow consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl Outbox {
    /// An outbox that holds at most `capacity` frames and at most `max_bytes` bytes (but always one frame).
    pub fn new(conn_id: u64, capacity: usize, max_bytes: usize) -> Arc<Outbox> {
        Arc::new(Outbox {
            conn_id,
            capacity: capacity.max(1),
            max_bytes,
            queue: Mutex::new(Queue::default()),
            closing: OnceLock::new(),
            wake: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a text frame without waiting. A connection that is already gone drops it silently.
    pub fn push(&self, frame: Utf8Bytes) -> Result<(), Full> {
        {
            let mut queue = self.lock();
            if queue.finished {
                return Ok(());
            }
            let too_many = queue.frames.len() >= self.capacity;
            let too_big = queue.bytes + frame.len() > self.max_bytes && !queue.frames.is_empty();
            if too_many || too_big {
                return Err(Full);
            }
            queue.bytes += frame.len();
            queue.frames.push_back(frame);
        }
        self.wake.notify_one();
        Ok(())
    }

    /// The oldest queued frame, for the writer.
    pub fn pop(&self) -> Option<Utf8Bytes> {
        let mut queue = self.lock();
        let frame = queue.frames.pop_front();
        if let Some(frame) = &frame {
            queue.bytes -= frame.len();
        }
        if queue.frames.is_empty() && queue.frames.capacity() > 0 {
            // Drained: give the memory back. Most connections are idle most of the time, and a queue that is
            // needed again costs one small allocation.
            queue.frames = VecDeque::new();
        }
        frame
    }

    /// How many frames are queued.
    fn len(&self) -> usize {
        self.lock().frames.len()
    }

    /// At least half full: time for the writer to have a turn.
    pub fn is_filling(&self) -> bool {
        self.len() * 2 >= self.capacity
    }

    /// The writer is done: drops what is queued and whatever is pushed from now on.
    pub fn finish(&self) {
        let mut queue = self.lock();
        queue.finished = true;
        queue.frames = VecDeque::new();
        queue.bytes = 0;
    }

    /// Tells the writer to close the connection. The first reason given wins.
    pub fn close(&self, closing: Closing) {
        let _ = self.closing.set(closing);
        self.wake.notify_one();
    }

    /// The reason given to [`Outbox::close`], if any.
    pub fn closing(&self) -> Option<Closing> {
        self.closing.get().copied()
    }

    /// Resolves when a frame was queued or the connection is closing, possibly spuriously. A wake-up that
    /// comes while nobody waits is kept for the next call.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_and_wakes_the_writer() {
        let outbox = Outbox::new(1, 2, 1000);
        assert_eq!(outbox.push("a".into()), Ok(()));
        // The wake-up came before anyone waited: it is kept.
        outbox.woken().await;
        assert_eq!(outbox.push("b".into()), Ok(()));
        assert_eq!(outbox.push("c".into()), Err(Full));
        assert_eq!(outbox.pop().as_deref(), Some("a"));
        assert_eq!(outbox.pop().as_deref(), Some("b"));
        assert_eq!(outbox.pop(), None);
        outbox.close(Closing::TIMED_OUT);
        outbox.close(Closing::NORMAL);
        outbox.woken().await;
        assert_eq!(outbox.closing(), Some(Closing::TIMED_OUT));
        outbox.finish();
        assert_eq!(outbox.push("d".into()), Ok(()));
        assert_eq!(outbox.len(), 0);
    }

    #[test]
    fn bounded_in_bytes_too() {
        let outbox = Outbox::new(1, 100, 10);
        // One frame always fits, however large.
        assert_eq!(outbox.push("x".repeat(50).into()), Ok(()));
        assert_eq!(outbox.push("y".into()), Err(Full));
        assert!(outbox.pop().is_some());
        assert_eq!(outbox.push("12345".into()), Ok(()));
        assert_eq!(outbox.push("12345".into()), Ok(()));
        assert_eq!(outbox.push("1".into()), Err(Full));
    }
}
