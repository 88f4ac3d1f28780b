//! Who the server says is in the room since our last welcome, and the check, after a rejoin, for people we are
//! still connected to whom the server did not list.

use protocol::PeerId;

use crate::{model::roster::Roster, webrtc::Timeout};

/// How long after a rejoin we wait for someone we are still connected to, but whom the server did not list, to
/// come back.
pub const ABSENT_GRACE_MS: u32 = 15_000;

/// The people the server lists, kept up to date by its welcome, arrivals, departures and signals.
#[derive(Default)]
pub(super) struct Presence {
    listed: Roster<PeerId, ()>,
    /// Dropping the people who did not come back after our rejoin.
    absent_check: Option<Timeout>,
}

impl Presence {
    /// The server's welcome: exactly these people are here.
    pub(super) fn welcome(&mut self, peers: &[PeerId]) {
        self.listed = peers.iter().cloned().collect();
    }

    /// `id` is here (they arrived, or they signalled us).
    pub(super) fn arrived(&mut self, id: &PeerId) {
        self.listed.insert(id.clone(), ());
    }

    /// `id` left.
    pub(super) fn left(&mut self, id: &PeerId) {
        self.listed.remove(id);
    }

    /// Whether the server lists `id`.
    pub(super) fn is_listed(&self, id: &PeerId) -> bool {
        self.listed.contains_key(id)
    }

    /// Of `ids` (the people we are connected to), those the server does not list.
    pub(super) fn absent<'a>(&self, ids: impl Iterator<Item = &'a PeerId>) -> Vec<PeerId> {
        ids.filter(|id| !self.is_listed(id)).cloned().collect()
    }

    /// Checks for the absent when `timer` fires.
    pub(super) fn check_absent(&mut self, timer: Timeout) {
        self.absent_check = Some(timer);
    }

    /// The absent check ran, or is no longer wanted.
    pub(super) fn checked(&mut self) {
        self.absent_check = None;
    }

    /// Nobody is listed any more (we left).
    pub(super) fn clear(&mut self) {
        self.listed.clear();
        self.absent_check = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: char) -> PeerId {
        PeerId(c.to_string().repeat(32))
    }

    #[test]
    fn the_absent_are_those_the_server_no_longer_lists() {
        let mut presence = Presence::default();
        presence.welcome(&[id('a'), id('b')]);
        presence.arrived(&id('c'));
        presence.left(&id('a'));
        assert!(presence.is_listed(&id('b')) && presence.is_listed(&id('c')));
        let connected = [id('a'), id('b'), id('d')];
        assert_eq!(presence.absent(connected.iter()), [id('a'), id('d')]);
        presence.welcome(&[id('d')]);
        assert_eq!(presence.absent(connected.iter()), [id('a'), id('b')]);
        presence.clear();
        assert!(!presence.is_listed(&id('d')));
    }
}
