//! When to try the server again, and whether it is still there: the reconnection backoff and the heartbeat,
//! with their timers.

use crate::webrtc::Timeout;

/// How often we ask the server whether it is still there; no `pong` by the next tick means it is gone.
pub const HEARTBEAT_MS: u32 = 5_000;
/// The longest wait between two reconnection attempts.
pub const MAX_BACKOFF_MS: u32 = 10_000;
/// The first wait between two reconnection attempts; it doubles each time.
const FIRST_BACKOFF_MS: u32 = 500;

/// The reconnection schedule: failed attempts since the last welcome, and the next attempt's timer.
#[derive(Default)]
pub(super) struct Backoff {
    attempt: u32,
    retry: Option<Timeout>,
}

impl Backoff {
    /// One more failed attempt: returns its number and how long to wait before the next, doubling from
    /// [`FIRST_BACKOFF_MS`] up to [`MAX_BACKOFF_MS`], plus up to 25% of `jitter` (0 to 1), so that a room full
    /// of pages does not come back in lockstep.
    pub(super) fn failed(&mut self, jitter: f64) -> (u32, u32) {
        self.attempt += 1;
        let base = FIRST_BACKOFF_MS
            .saturating_mul(1 << self.attempt.min(6).saturating_sub(1))
            .min(MAX_BACKOFF_MS);
        (
            self.attempt,
            base + (f64::from(base) * 0.25 * jitter) as u32,
        )
    }

    /// In the room (or joining afresh): the next loss starts from the shortest wait.
    pub(super) fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Waits for the next attempt, which `timer` runs.
    pub(super) fn wait(&mut self, timer: Timeout) {
        self.retry = Some(timer);
    }

    /// No attempt is waiting any more (one starts now, or we left).
    pub(super) fn cancel(&mut self) {
        self.retry = None;
    }
}

/// What the heartbeat's tick does.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Beat {
    /// Ask the server (`ping`).
    Ping,
    /// The last ping went unanswered: the connection is dead.
    Dead,
}

/// The heartbeat: its timer, and whether our last ping is still unanswered.
#[derive(Default)]
pub(super) struct Heartbeat {
    awaiting_pong: bool,
    tick: Option<Timeout>,
}

impl Heartbeat {
    /// The socket opened: beat from now on, with `timer` as the first tick.
    pub(super) fn start(&mut self, timer: Timeout) {
        self.awaiting_pong = false;
        self.tick = Some(timer);
    }

    /// A tick: ping, or give the connection up if the last ping got no answer.
    pub(super) fn beat(&mut self) -> Beat {
        if self.awaiting_pong {
            return Beat::Dead;
        }
        self.awaiting_pong = true;
        Beat::Ping
    }

    /// The next tick.
    pub(super) fn next(&mut self, timer: Timeout) {
        self.tick = Some(timer);
    }

    /// The server answered.
    pub(super) fn pong(&mut self) {
        self.awaiting_pong = false;
    }

    /// No more ticks (the socket is gone).
    pub(super) fn stop(&mut self) {
        self.tick = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap_with_a_quarter_of_jitter() {
        let mut backoff = Backoff::default();
        let waits: Vec<(u32, u32)> = (0..7).map(|_| backoff.failed(0.0)).collect();
        assert_eq!(
            waits,
            [
                (1, 500),
                (2, 1_000),
                (3, 2_000),
                (4, 4_000),
                (5, 8_000),
                (6, 10_000),
                (7, 10_000)
            ]
        );
        backoff.reset();
        assert_eq!(backoff.failed(1.0), (1, 625));
    }

    #[test]
    fn an_unanswered_ping_means_the_server_is_gone() {
        let mut heartbeat = Heartbeat::default();
        assert_eq!(heartbeat.beat(), Beat::Ping);
        heartbeat.pong();
        assert_eq!(heartbeat.beat(), Beat::Ping);
        assert_eq!(heartbeat.beat(), Beat::Dead);
    }
}
