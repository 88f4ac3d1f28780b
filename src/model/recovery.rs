//! When to restart ICE on a connection that lost contact, and what to tell the person.
//!
//! A connection that goes `failed`, or stays `disconnected` for [`DISCONNECTED_GRACE_MS`], restarts ICE. If it is
//! still not back, it tries again after a wait that doubles up to [`MAX_RESTART_WAIT_MS`], for as long as the
//! connection exists (both people are in the room). Getting connected resets the wait.
//!
//! The TURN hint is only for a call that never connected: a call that worked and then broke was not missing a
//! relay, its network went away.

/// How long a `disconnected` connection may stay so before we restart ICE (the browser often recovers by itself
/// from a short blip).
pub const DISCONNECTED_GRACE_MS: u32 = 2_500;
/// The first wait after a restart before trying again; it doubles each time.
pub const FIRST_RESTART_WAIT_MS: u32 = 2_000;
/// The longest wait between two restarts.
pub const MAX_RESTART_WAIT_MS: u32 = 10_000;
/// No packet from a connected peer for this long means the media stopped: the person sees a frozen picture
/// well before the browser's ICE consent checks call the connection `disconnected` (about 5 s or more).
pub const STALL_MS: f64 = 1_500.0;

/// The media of a connected call started or stopped flowing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// No packet for [`STALL_MS`].
    Stalled,
    /// Packets arrive again.
    Flowing,
}

/// The recovery state of one connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recovery {
    /// Restarts since the connection was last up.
    restarts: u32,
    /// It was connected at least once.
    ever_connected: bool,
    /// Its media stopped while connected.
    stalled: bool,
    /// The newest packet time seen, and when (our clock) it was first seen.
    newest: Option<f64>,
    newest_seen_at: f64,
}

impl Recovery {
    /// The connection is up: the next loss starts over.
    pub fn connected(&mut self) {
        self.restarts = 0;
        self.ever_connected = true;
        self.stalled = false;
    }

    /// The arrival time of the newest packet from the peer (`None`: none yet, or the browser cannot tell), read
    /// every second while connected at `now_ms`. Returns a change worth telling the person about. Only changes
    /// of `newest` count, so its clock does not matter.
    pub fn packets(&mut self, newest: Option<f64>, now_ms: f64) -> Option<Media> {
        let newest = newest?;
        if self.newest != Some(newest) {
            self.newest = Some(newest);
            self.newest_seen_at = now_ms;
        }
        let stalled = now_ms - self.newest_seen_at >= STALL_MS;
        if stalled == self.stalled {
            return None;
        }
        self.stalled = stalled;
        Some(if stalled {
            Media::Stalled
        } else {
            Media::Flowing
        })
    }

    /// Starts the backoff over (we are back on the server: worth trying soon again).
    pub fn reset_wait(&mut self) {
        self.restarts = 0;
    }

    /// Whether the connection was ever up (a broken call, rather than one that could not be made).
    pub fn ever_connected(&self) -> bool {
        self.ever_connected
    }

    /// Restarts since the connection was last up.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// A restart is made now: how long to wait before checking and, if still down, restarting again.
    pub fn restart(&mut self) -> u32 {
        let wait = FIRST_RESTART_WAIT_MS
            .saturating_mul(1 << self.restarts.min(8))
            .min(MAX_RESTART_WAIT_MS);
        self.restarts += 1;
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap_and_a_success_resets_it() {
        let mut recovery = Recovery::default();
        assert!(!recovery.ever_connected());
        let waits: Vec<u32> = (0..6).map(|_| recovery.restart()).collect();
        assert_eq!(waits, [2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
        assert_eq!(recovery.restarts(), 6);
        recovery.connected();
        assert!(recovery.ever_connected());
        assert_eq!(recovery.restart(), 2_000);
        assert_eq!(recovery.restart(), 4_000);
        recovery.reset_wait();
        assert_eq!(recovery.restart(), 2_000);
    }

    #[test]
    fn a_stall_is_reported_once_and_so_is_its_end() {
        let mut recovery = Recovery::default();
        // A peer that sends nothing (receive-only) is never called stalled.
        assert_eq!(recovery.packets(None, 0.0), None);
        assert_eq!(recovery.packets(None, 9_000.0), None);
        // Packets arrive (the browser's clock is its own: only changes count).
        assert_eq!(recovery.packets(Some(1e12), 10_000.0), None);
        assert_eq!(recovery.packets(Some(1e12 + 990.0), 11_000.0), None);
        // Nothing new for a second: not yet. For STALL_MS: stalled, said once.
        assert_eq!(recovery.packets(Some(1e12 + 990.0), 12_000.0), None);
        assert_eq!(
            recovery.packets(Some(1e12 + 990.0), 12_500.0),
            Some(Media::Stalled)
        );
        assert_eq!(recovery.packets(Some(1e12 + 990.0), 20_000.0), None);
        // Packets again.
        assert_eq!(
            recovery.packets(Some(1e12 + 9_000.0), 21_000.0),
            Some(Media::Flowing)
        );
        assert_eq!(recovery.packets(Some(1e12 + 10_000.0), 22_000.0), None);
        // Reconnecting starts from "flowing".
        assert_eq!(
            recovery.packets(Some(1e12 + 10_000.0), 24_000.0),
            Some(Media::Stalled)
        );
        recovery.connected();
        assert_eq!(recovery.packets(Some(1e12 + 20_000.0), 25_000.0), None);
    }

    #[test]
    fn it_keeps_trying_for_as_long_as_it_is_asked() {
        let mut recovery = Recovery::default();
        for _ in 0..1_000 {
            assert!(recovery.restart() <= MAX_RESTART_WAIT_MS);
        }
        assert_eq!(recovery.restarts(), 1_000);
    }
}
