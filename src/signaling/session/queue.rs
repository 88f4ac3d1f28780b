//! Signals for the others made while the server was away, kept in order to send after the rejoin: an ICE
//! restart made during an outage then still completes.

use std::collections::VecDeque;

/// The most signals queued for the others while the server is away.
pub const MAX_QUEUED_SIGNALS: usize = 256;

/// Signals waiting for the server, at most [`MAX_QUEUED_SIGNALS`], the oldest dropped first.
#[derive(Debug)]
pub(super) struct SignalQueue<M> {
    waiting: VecDeque<M>,
    /// How many were dropped for want of room since the last [`SignalQueue::take`].
    dropped: u32,
}

impl<M> Default for SignalQueue<M> {
    fn default() -> Self {
        SignalQueue {
            waiting: VecDeque::new(),
            dropped: 0,
        }
    }
}

impl<M> SignalQueue<M> {
    /// Queues `signal`, dropping the oldest if full. Returns whether the queue was empty before (the moment to
    /// say that signals now wait).
    pub(super) fn push(&mut self, signal: M) -> bool {
        let first = self.waiting.is_empty();
        if self.waiting.len() == MAX_QUEUED_SIGNALS {
            self.waiting.pop_front();
            self.dropped += 1;
        }
        self.waiting.push_back(signal);
        first
    }

    /// Everything queued, oldest first, and how many older ones were dropped; the queue starts over empty.
    pub(super) fn take(&mut self) -> (VecDeque<M>, u32) {
        (
            std::mem::take(&mut self.waiting),
            std::mem::take(&mut self.dropped),
        )
    }

    /// Forgets everything (we left).
    pub(super) fn clear(&mut self) {
        self.waiting.clear();
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_wait_in_order_and_the_oldest_make_room() {
        let mut queue = SignalQueue::default();
        assert!(queue.push(0));
        assert!(!queue.push(1));
        let (waiting, dropped) = queue.take();
        assert_eq!(Vec::from(waiting), [0, 1]);
        assert_eq!(dropped, 0);

        for signal in 0..MAX_QUEUED_SIGNALS + 3 {
            queue.push(signal);
        }
        let (waiting, dropped) = queue.take();
        assert_eq!(waiting.len(), MAX_QUEUED_SIGNALS);
        assert_eq!(waiting.front(), Some(&3));
        assert_eq!(dropped, 3);
        assert_eq!(queue.take().1, 0, "the count starts over");
        assert!(queue.push(9), "empty again after take");
        queue.clear();
        assert!(queue.take().0.is_empty());
    }
}
