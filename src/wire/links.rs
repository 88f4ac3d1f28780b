//! [`Links`]: the data channels the chat talks on, one per link of its state, each with its handlers.

use std::rc::Rc;

use crate::model::roster::Roster;
use crate::{
    model::chat::{Door, LinkKey},
    webrtc::channel::{ChannelHandle, DataChannel},
};

/// Each link's channel. Dropping a channel removes its handlers (the connection keeps the channel itself).
#[derive(Default)]
pub(super) struct Links(Roster<LinkKey, Rc<DataChannel>>);

impl Links {
    /// The channel of `link`, if it is still given.
    pub(super) fn channel(&self, link: LinkKey) -> Option<Rc<DataChannel>> {
        self.0.get(&link).cloned()
    }

    /// True when some link listens on `handle`'s channel.
    pub(super) fn knows(&self, handle: &ChannelHandle) -> bool {
        self.0.values().any(|channel| channel.is(handle))
    }

    /// Keeps `channel`, already listened to, for `link`.
    pub(super) fn insert(&mut self, link: LinkKey, channel: Rc<DataChannel>) {
        self.0.insert(link, channel);
    }

    /// Drops the channels no longer in `list` (their handlers go); their links.
    pub(super) fn drop_missing(&mut self, list: &[(String, ChannelHandle)]) -> Vec<LinkKey> {
        let mut gone = Vec::new();
        self.0.retain(|link, channel| {
            let kept = list.iter().any(|(_, handle)| channel.is(handle));
            if !kept {
                gone.push(*link);
            }
            kept
        });
        gone
    }

    /// Whether each link's channel is open now.
    pub(super) fn doors(&self) -> Vec<(LinkKey, Door)> {
        self.0
            .iter()
            .map(|(link, channel)| (*link, door(channel)))
            .collect()
    }

    /// Drops every channel's handlers.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

/// Whether `channel` can carry anything, as the state says it.
pub(super) fn door(channel: &DataChannel) -> Door {
    if channel.is_open() {
        Door::Open
    } else if channel.is_connecting() {
        Door::Connecting
    } else {
        Door::Closed
    }
}
