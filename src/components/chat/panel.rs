//! The panel's handle ([`Panel`]): the state it shows, and the [`ChatChannels`] that change it, bound to a
//! signal and the page's Logger ([`Binding`]).

use leptos::prelude::*;

use crate::{
    log::Logger,
    model::{
        chat::{Actions, ChatState, Key},
        log::Level,
    },
    webrtc::{channel::ChannelHandle, FileHandle},
    wire::{ChatChannels, Host},
};

/// What the views and buttons of one panel work on: copyable handles.
#[derive(Clone, Copy)]
pub(super) struct Panel {
    /// What the panel shows.
    pub(super) state: RwSignal<ChatState>,
    channels: StoredValue<ChatChannels, LocalStorage>,
}

impl Panel {
    /// A panel named `me` that writes to `log` and sends and accepts files up to `limit` bytes.
    pub(super) fn new(me: Signal<String>, log: Logger, limit: u64) -> Panel {
        let state = RwSignal::new(ChatState::new(limit));
        let channels = ChatChannels::new(Binding { state, me, log });
        Panel {
            state,
            channels: StoredValue::new_local(channels),
        }
    }

    /// The channels, while the panel is there (cloned out, so that none of their events runs under a lock).
    fn channels(self) -> Option<ChatChannels> {
        self.channels.try_get_value()
    }

    /// Talks on the channels of `list` from now on.
    pub(super) fn sync(self, list: Vec<(String, ChannelHandle)>) {
        if let Some(channels) = self.channels() {
            channels.sync(list);
        }
    }

    /// Sends a chat line; true if it went out on at least one channel.
    pub(super) fn send_chat(self, text: &str) -> bool {
        self.channels()
            .is_some_and(|channels| channels.send_chat(text))
    }

    /// Sends the first of `files` on every open channel that is free.
    pub(super) fn send_files(self, files: Vec<FileHandle>) {
        if let Some(channels) = self.channels() {
            channels.send_files(files);
        }
    }

    /// Cancel transfer `key`.
    pub(super) fn cancel(self, key: Key) {
        if let Some(channels) = self.channels() {
            channels.cancel(key);
        }
    }

    /// Remove row `key`.
    pub(super) fn remove(self, key: Key) {
        if let Some(channels) = self.channels() {
            channels.remove(key);
        }
    }

    /// Drops every channel's handlers, stops every transfer and revokes every download link.
    pub(super) fn clear(self) {
        if let Some(channels) = self.channels() {
            channels.clear();
        }
    }
}

/// The [`Host`] of a panel's channels: the state in a signal, this side's name, the page's log. After the panel
/// is gone, signals are only touched with the `try_` forms, so a late event does nothing.
struct Binding {
    state: RwSignal<ChatState>,
    me: Signal<String>,
    log: Logger,
}

impl Host for Binding {
    fn update(&self, change: &mut dyn FnMut(&mut ChatState) -> Actions) -> Option<Actions> {
        self.state.try_update(|state| change(state))
    }

    fn update_maybe(&self, change: &mut dyn FnMut(&mut ChatState) -> bool) {
        self.state.try_maybe_update(|state| (change(state), ()));
    }

    fn read(&self, read: &mut dyn FnMut(&ChatState)) {
        self.state.try_with_untracked(|state| read(state));
    }

    fn me(&self) -> String {
        self.me.try_get_untracked().unwrap_or_default()
    }

    fn log(&self, level: Level, text: String) {
        match level {
            Level::Info => self.log.info(text),
            Level::Error => self.log.error(text),
        }
    }
}
