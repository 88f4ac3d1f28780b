//! What this side sends: a chat line, or a file on every open channel (each in its own task), and the buttons of
//! a row.

use std::rc::Rc;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;

use super::panel::{Panel, Task};
use crate::{
    model::{
        chat::{chat_text, Actions, Door, FileInfo, Key, Start},
        transfer::{Hasher, Message},
    },
    signaling::random_hex,
    webrtc::{channel::DataChannel, json::to_json, now_ms, Error, FileHandle},
};

impl Panel {
    /// Sends a chat line on every open channel; true if it went out on at least one.
    pub(super) fn send_chat(self, text: &str) -> bool {
        self.refresh();
        let text = chat_text(text);
        let Ok(frame) = to_json(&Message::Chat { text: text.clone() }) else {
            return false;
        };
        let open = self.state.try_with_untracked(|state| {
            let open = state.links().iter().filter(|link| link.door == Door::Open);
            open.map(|link| (link.key, link.peer.clone()))
                .collect::<Vec<_>>()
        });
        let mut sent = false;
        for (link, peer) in open.unwrap_or_default() {
            let Some(channel) = self.channel(link) else {
                continue;
            };
            match channel.send_text(&frame) {
                Ok(()) => sent = true,
                Err(error) => self
                    .log
                    .error(format!("Could not send the message to {peer}: {error}")),
            }
        }
        let me = self.me();
        self.update(&mut |state| state.chatted(&me, &text, sent));
        sent
    }

    /// Sends the first of `files` on every open channel that is not busy sending another.
    pub(super) fn send_files(self, files: Vec<FileHandle>) {
        self.refresh();
        let described = files.iter().map(|file| FileInfo {
            name: file.name(),
            size: file.size(),
            mime: file.mime(),
        });
        let described = described.collect::<Vec<_>>();
        let now = now_ms();
        let new_id = &mut || random_hex(8).ok();
        let mut starts = Vec::new();
        self.update(&mut |state| {
            let actions;
            (starts, actions) = state.send_files(&described, now, new_id);
            actions
        });
        if let Some(file) = files.first() {
            for start in starts {
                self.start(start, file.clone());
            }
        }
    }

    /// Cancel: stop sending or receiving, and tell the other side.
    pub(super) fn cancel(self, key: Key) {
        let me = self.me();
        self.update(&mut |state| state.cancel(key, &me, now_ms()));
    }

    /// Remove: the row and its download link go.
    pub(super) fn remove(self, key: Key) {
        self.update(&mut |state| {
            state.remove(key);
            Actions::default()
        });
    }

    /// Sends a file in a task of its own, which stops when the transfer ends.
    fn start(self, start: Start, file: FileHandle) {
        let Some(channel) = self.channel(start.link) else {
            return;
        };
        let (handle, registration) = AbortHandle::new_pair();
        self.held
            .try_update_value(|held| held.tasks.push((start.key, Task(handle))));
        let task = Abortable::new(self.send(start, channel, file), registration);
        // Err(Aborted): cancelled, or the channel went away; the row says so already.
        wasm_bindgen_futures::spawn_local(async move { _ = task.await });
    }

    async fn send(self, start: Start, channel: Rc<DataChannel>, file: FileHandle) {
        let key = start.key;
        match self.send_all(&start, &channel, &file).await {
            Ok(()) => {
                self.update(&mut |state| {
                    state.sent(key, now_ms());
                    Actions::default()
                });
            }
            Err(error) => {
                let error = channel.is_open().then(|| error.to_string());
                let me = self.me();
                self.update(&mut |state| state.send_failed(key, error.as_deref(), &me, now_ms()));
            }
        }
    }

    /// The offer, the file (hashed as it goes), then the end with the file's SHA-256.
    async fn send_all(
        self,
        start: &Start,
        channel: &DataChannel,
        file: &FileHandle,
    ) -> Result<(), Error> {
        channel.send_json(&start.offer())?;
        let mut hasher = Hasher::default();
        let on_read = &mut |bytes: &[u8]| hasher.update(bytes);
        let on_sent = &mut |done| self.progress(start.key, done);
        channel.send_file(file, on_read, on_sent).await?;
        channel.send_json(&start.end(hasher.finish()))
    }

    fn progress(self, key: Key, done: u64) {
        let now = now_ms();
        self.update_maybe(&mut |state| state.sending(key, done, now));
    }
}
