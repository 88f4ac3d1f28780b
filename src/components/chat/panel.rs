//! The glue: a [`Panel`] handle that follows the channels it is given, turns their events into [`ChatState`]
//! methods, and carries out the [`Actions`] those return. Beside the state it keeps what is not plain data
//! ([`Held`]): the JS side of each channel and transfer, keyed like the state.

use std::rc::Rc;

use futures::future::AbortHandle;
use leptos::prelude::*;

use crate::{
    log::Logger,
    model::{
        chat::{Actions, ChatState, Key, LinkKey},
        log::Level,
        transfer::{CHUNK_SIZE, HIGH_WATER, LOW_WATER, READ_SIZE},
    },
    webrtc::{
        channel::{DataChannel, Pacing},
        FileParts, ObjectUrl,
    },
};

/// How files are paced on every channel.
pub(super) const PACING: Pacing = Pacing {
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

    /// Changes the state (and redraws) with `change`, then carries out the actions it returns: every event goes
    /// through here.
    pub(super) fn update(self, change: &mut dyn FnMut(&mut ChatState) -> Actions) {
        self.apply(self.state.try_update(|state| change(state)));
    }

    /// Changes the state with `change`, and redraws only if it returns true (progress is shown every 100 ms).
    pub(super) fn update_maybe(self, change: &mut dyn FnMut(&mut ChatState) -> bool) {
        self.state.try_maybe_update(|state| (change(state), ()));
    }

    /// Carries out what an event of the state asked for: sends the messages, writes the log, lets go of what is no
    /// longer needed, and puts together a file that arrived whole.
    pub(super) fn apply(self, actions: Option<Actions>) {
        let Some(actions) = actions else { return };
        for (link, message) in &actions.send {
            // If the channel is closed, there is nobody left to tell.
            if let Some(channel) = self.channel(*link) {
                let _ = channel.send_json(message);
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

    /// Drops everything: handlers, transfers (their tasks stop) and download links.
    pub(super) fn clear(self) {
        let held = self.held.try_update_value(std::mem::take);
        drop(held);
    }
}
