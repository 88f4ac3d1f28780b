//! The channels a panel is given: each new one gets handlers that feed its events to the state; one that goes
//! fails its transfers and is dropped; and whether each is open is read into the state.

use std::rc::Rc;

use leptos::prelude::*;

use super::panel::{Panel, PACING};
use crate::{
    model::chat::{Door, LinkKey},
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
            self.apply(
                self.state
                    .try_update(|state| state.remove_link(link, now_ms())),
            );
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
        let Some(link) = self
            .state
            .try_update(|state| state.add_link(peer.to_owned(), door))
        else {
            return Ok(());
        };
        if let Err(error) = self.listen(link, &channel) {
            self.apply(
                self.state
                    .try_update(|state| state.remove_link(link, now_ms())),
            );
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
        self.apply(self.state.try_with_untracked(|state| state.opened(link)));
        self.refresh();
    }

    fn closed(self, link: LinkKey) {
        self.apply(self.state.try_update(|state| state.closed(link, now_ms())));
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
        self.state.try_maybe_update(|state| {
            let doors = doors.unwrap_or_default().into_iter();
            let changed = doors.fold(false, |changed, (link, door)| {
                state.set_door(link, door) | changed
            });
            (changed, ())
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
