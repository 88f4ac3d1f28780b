//! What the panel does with what arrives: control messages go to the state; chunks are counted there and kept
//! here, as JS buffers, until the file is put together.

use leptos::prelude::*;

use super::panel::Panel;
use crate::{
    model::{
        chat::{ChunkIn, Key, LinkKey},
        transfer::Message,
    },
    webrtc::{
        channel::{Chunk, Payload},
        json::from_json,
        now_ms, FileParts, ObjectUrl,
    },
};

impl Panel {
    /// A frame arrived on `link`.
    pub(super) fn received(self, link: LinkKey, payload: Payload<'_>) {
        match payload {
            Payload::Text(text) => {
                let me = self.me();
                let now = now_ms();
                let mut message = from_json::<Message>(&text).ok();
                self.update(&mut |state| state.receive(link, message.take(), &me, now));
            }
            Payload::Binary(chunk) => self.chunk(link, &chunk),
        }
    }

    /// A chunk: counted and hashed by the state (the page redraws at most every 100 ms), kept here.
    fn chunk(self, link: LinkKey, chunk: &Chunk<'_>) {
        let now = now_ms();
        let mut outcome = ChunkIn::Ignored;
        self.update_maybe(&mut |state| {
            outcome = state.chunk(link, chunk.bytes(), now);
            outcome.redraw()
        });
        match outcome {
            ChunkIn::Kept { key, .. } => {
                self.held.try_update_value(|held| {
                    match held.parts.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, parts)) => parts.push(chunk),
                        None => {
                            let mut parts = FileParts::default();
                            parts.push(chunk);
                            held.parts.push((key, parts));
                        }
                    }
                });
            }
            ChunkIn::Refused(actions) => self.apply(Some(actions)),
            ChunkIn::Ignored => {}
        }
    }

    /// File `key` arrived whole with the right hash: make it a blob and a download link, and tell the state.
    pub(super) fn assemble(self, key: Key) {
        let mime = self
            .state
            .try_with_untracked(|state| state.transfer(key).map(|row| row.file.mime.clone()));
        let parts = self.held.try_update_value(|held| {
            let at = held.parts.iter().position(|(k, _)| *k == key)?;
            Some(held.parts.swap_remove(at).1)
        });
        let parts = parts.flatten().unwrap_or_default();
        let link = parts
            .blob(&mime.flatten().unwrap_or_default())
            .map_err(|error| format!("the file could not be put together: {error}"))
            .and_then(|blob| {
                ObjectUrl::new(&blob)
                    .map_err(|error| format!("no download link could be made: {error}"))
            });
        // The chunks are in the blob now (or not needed any more): let them go.
        drop(parts);
        let href = link.map(|url| {
            let href = url.href().to_owned();
            self.held
                .try_update_value(|held| held.urls.push((key, url)));
            href
        });
        self.update(&mut |state| state.assembled(key, href.clone(), now_ms()));
    }
}
