//! The channels of a [`ChatState`]: which there are, whether each is open, and what that means for sending.

use super::{me_or_you, Actions, ChatState, Door, Link, LinkKey};

impl ChatState {
    pub fn add_link(&mut self, peer: String, door: Door) -> LinkKey {
        let key = LinkKey(self.next());
        self.links.push(Link { key, peer, door });
        key
    }

    /// Records whether `link` is open; true if that changed.
    pub fn set_door(&mut self, link: LinkKey, door: Door) -> bool {
        match self.links.iter_mut().find(|known| known.key == link) {
            Some(known) if known.door != door => {
                known.door = door;
                true
            }
            _ => false,
        }
    }

    /// The channels, in the order they came.
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// Who is at the other end of `link`.
    pub fn peer(&self, link: LinkKey) -> Option<&str> {
        let known = self.links.iter().find(|known| known.key == link)?;
        Some(&known.peer)
    }

    /// `link`'s channel opened.
    pub fn opened(&self, link: LinkKey) -> Actions {
        let mut actions = Actions::default();
        if let Some(peer) = self.peer(link) {
            actions.info(format!("Data channel to {peer} is open"));
        }
        actions
    }

    /// `link`'s channel closed: what was going on over it failed.
    pub fn closed(&mut self, link: LinkKey, now: f64) -> Actions {
        let mut actions = Actions::default();
        if let Some(peer) = self.peer(link).map(str::to_owned) {
            actions.info(format!("Data channel to {peer} closed"));
            self.fail_link(link, &peer, now, &mut actions);
        }
        actions
    }

    /// `link` is no longer given to the panel (the connection went): its transfers fail and it is forgotten.
    pub fn remove_link(&mut self, link: LinkKey, now: f64) -> Actions {
        let mut actions = Actions::default();
        if let Some(peer) = self.peer(link).map(str::to_owned) {
            self.fail_link(link, &peer, now, &mut actions);
        }
        self.links.retain(|known| known.key != link);
        actions
    }

    /// The heading: who this side is, and to whom it is connected.
    pub fn who(&self, me: &str) -> String {
        let peers = self
            .links
            .iter()
            .map(|link| format!("{} ({})", link.peer, link.door.text()))
            .collect::<Vec<_>>()
            .join(", ");
        let me = me_or_you(me);
        if peers.is_empty() {
            format!("· {me}, not connected")
        } else {
            format!("· {me}, with {peers}")
        }
    }

    /// Why nothing can be sent right now, or `None` when some channel is open.
    pub fn blocked_reason(&self) -> Option<String> {
        let links = &self.links;
        if links.iter().any(|link| link.door == Door::Open) {
            return None;
        }
        let names = |door: Door| {
            links
                .iter()
                .filter(|link| link.door == door)
                .map(|link| link.peer.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(if links.is_empty() {
            "Not connected: there is nobody to send to yet.".to_owned()
        } else if links.iter().any(|link| link.door == Door::Connecting) {
            format!(
                "Not connected yet: waiting for the data channel to {} to open.",
                names(Door::Connecting)
            )
        } else {
            format!("The connection to {} has closed.", names(Door::Closed))
        })
    }
}
