//! The channels a panel is given: each new one gets handlers that feed its events to the state; one that goes
//! fails its transfers and is dropped; and whether each is open is read into the state.

use std::rc::Rc;

use leptos::prelude::*;

use super::panel::{Panel, PACING};
use crate::{
    model::chat::{Actions, Door, LinkKey},
    webrtc::{
        channel::{ChannelHandle, DataChannel},
        now_ms, Error,
    },
};

impl Panel {
    /// Follows the list: a new channel gets handlers; a channel gone from it fails its transfers and is dropped.
    pub(super) fn sync(self, list: Vec<(String, ChannelHandle)>) {
        let gone = self.held.try_update_value(|held| {
            let (keep, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut held.channels)
                .into_iter()
                .partition(|(_, channel)| list.iter().any(|(_, handle)| channel.is(handle)));
            held.channels = keep;
            gone
        });
        for (link, _) in gone.unwrap_or_default() {
            self.update(&mut |state| state.remove_link(link, now_ms()));
        }
        for (peer, handle) in list {
            let known = self.held.try_with_value(|held| {
                held.channels.iter().any(|(_, channel)| channel.is(&handle))
            });
            if known == Some(false) {
                if let Err(error) = self.add(&peer, &handle) {
                    let text = format!("Could not use the data channel to {peer}: {error}");
                    self.log.error(text);
                }
            }
        }
        self.refresh();
    }

    fn add(self, peer: &str, handle: &ChannelHandle) -> Result<(), Error> {
        let channel = Rc::new(DataChannel::new(handle, PACING)?);
        let door = door(&channel);
        let mut added = None;
        self.update(&mut |state| {
            added = Some(state.add_link(peer.to_owned(), door));
            Actions::default()
        });
        let Some(link) = added else {
            return Ok(());
        };
        if let Err(error) = self.listen(link, &channel) {
            self.update(&mut |state| state.remove_link(link, now_ms()));
            return Err(error);
        }
        self.held
            .try_update_value(|held| held.channels.push((link, channel)));
        Ok(())
    }

    fn listen(self, link: LinkKey, channel: &DataChannel) -> Result<(), Error> {
        channel.on_open(move || self.opened(link))?;
        channel.on_close(move || self.closed(link))?;
        channel.on_error(move |error| self.failed(link, error))?;
        channel.on_message(move |payload| self.received(link, payload))
    }

    fn opened(self, link: LinkKey) {
        self.update(&mut |state| state.opened(link));
        self.refresh();
    }

    fn closed(self, link: LinkKey) {
        self.update(&mut |state| state.closed(link, now_ms()));
        self.refresh();
    }

    fn failed(self, link: LinkKey, error: Error) {
        let peer = self
            .state
            .try_with_untracked(|state| state.peer(link).map(str::to_owned));
        if let Some(peer) = peer.flatten() {
            self.log.error(format!("Data channel to {peer}: {error}"));
        }
    }

    /// Reads whether each channel is open, for the heading and the Send button.
    pub(super) fn refresh(self) {
        let doors = self.held.try_with_value(|held| {
            let doors = held.channels.iter();
            doors
                .map(|(link, channel)| (*link, door(channel)))
                .collect::<Vec<_>>()
        });
        let doors = doors.unwrap_or_default();
        self.update_maybe(&mut |state| {
            let mut changed = false;
            for (link, door) in &doors {
                changed |= state.set_door(*link, *door);
            }
            changed
        });
    }
}

/// Whether `channel` can carry anything, as the state says it.
fn door(channel: &DataChannel) -> Door {
    if channel.is_open() {
        Door::Open
    } else if channel.is_connecting() {
        Door::Connecting
    } else {
        Door::Closed
    }
}
