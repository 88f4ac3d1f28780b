//! The glue: a [`Panel`] handle that follows the channels it is given, turns their events into [`ChatState`]
//! methods, and carries out the [`Actions`] those return. Beside the state it keeps what is not plain data
//! ([`Held`]): the JS side of each channel and transfer, keyed like the state.

use std::rc::Rc;

use futures::future::AbortHandle;
use leptos::prelude::*;

use crate::{
    log::Logger,
    model::{
        chat::{Actions, ChatState, Door, Key, LinkKey},
        log::Level,
        transfer::{CHUNK_SIZE, HIGH_WATER, LOW_WATER, READ_SIZE},
    },
    webrtc::{
        channel::{ChannelHandle, DataChannel, Pacing},
        now_ms, Error, FileParts, ObjectUrl,
    },
};

/// How files are paced on every channel.
const PACING: Pacing = Pacing {
    chunk: CHUNK_SIZE,
    read: READ_SIZE,
    high_water: HIGH_WATER,
    low_water: LOW_WATER,
};

/// The JS side of a panel, keyed like its [`ChatState`]: each channel (with its handlers), each outgoing
/// transfer's task, each incoming file's chunks, each download link.
#[derive(Default)]
pub(super) struct Held {
    pub(super) channels: Vec<(LinkKey, Rc<DataChannel>)>,
    pub(super) tasks: Vec<(Key, Task)>,
    pub(super) parts: Vec<(Key, FileParts)>,
    pub(super) urls: Vec<(Key, ObjectUrl)>,
}

impl Held {
    /// Lets go of what `state` no longer needs: the task and the chunks of a transfer that is over (the task stops),
    /// the download link of a row that went (its URL is revoked).
    fn keep_for(&mut self, state: &ChatState) {
        self.tasks.retain(|(key, _)| state.is_running(*key));
        self.parts.retain(|(key, _)| state.is_running(*key));
        self.urls.retain(|(key, _)| state.transfer(*key).is_some());
    }
}

/// Aborts a spawned task when dropped.
pub(super) struct Task(pub(super) AbortHandle);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Everything a panel owns, as copyable handles (the handlers and tasks hold copies).
#[derive(Clone, Copy)]
pub(super) struct Panel {
    /// What the panel shows.
    pub(super) state: RwSignal<ChatState>,
    pub(super) held: StoredValue<Held, LocalStorage>,
    me: Signal<String>,
    pub(super) log: Logger,
}

impl Panel {
    pub(super) fn new(me: Signal<String>, log: Logger, limit: u64) -> Panel {
        Panel {
            state: RwSignal::new(ChatState::new(limit)),
            held: StoredValue::new_local(Held::default()),
            me,
            log,
        }
    }

    /// This side's name (the state says "you" when it is empty).
    pub(super) fn me(self) -> String {
        self.me.try_get_untracked().unwrap_or_default()
    }

    /// Carries out what an event of the state asked for: sends the messages, writes the log, lets go of what is no
    /// longer needed, and puts together a file that arrived whole.
    pub(super) fn apply(self, actions: Option<Actions>) {
        let Some(actions) = actions else { return };
        for (link, message) in &actions.send {
            // If the channel is closed, there is nobody left to tell.
            if let Some(channel) = self.channel(*link) {
                let _ = channel.send_text(&message.encode());
            }
        }
        for (level, text) in actions.log {
            match level {
                Level::Info => self.log.info(text),
                Level::Error => self.log.error(text),
            }
        }
        self.held
            .try_update_value(|held| self.state.try_with_untracked(|state| held.keep_for(state)));
        if let Some(key) = actions.assemble {
            self.assemble(key);
        }
    }

    /// The channel of `link`, if the panel still has it.
    pub(super) fn channel(self, link: LinkKey) -> Option<Rc<DataChannel>> {
        self.held
            .try_with_value(|held| {
                let (_, channel) = held.channels.iter().find(|(key, _)| *key == link)?;
                Some(channel.clone())
            })
            .flatten()
    }

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

    /// Drops everything: handlers, transfers (their tasks stop) and download links.
    pub(super) fn clear(self) {
        let held = self.held.try_update_value(std::mem::take);
        drop(held);
    }
}

fn door(channel: &DataChannel) -> Door {
    if channel.is_open() {
        Door::Open
    } else if channel.is_connecting() {
        Door::Connecting
    } else {
        Door::Closed
    }
}
