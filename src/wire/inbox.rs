//! [`Inbox`]: each incoming file's chunks, kept as JS buffers (outside wasm memory) until the file is whole, and
//! the file put together as a `Blob` behind a download link.

use crate::model::roster::Roster;
use crate::{
    model::chat::{ChatState, Key},
    webrtc::{channel::Chunk, FileParts, ObjectUrl},
};

/// The chunks of each incoming transfer.
#[derive(Default)]
pub(super) struct Inbox(Roster<Key, FileParts>);

impl Inbox {
    /// Keeps the next `chunk` of transfer `key`.
    pub(super) fn keep(&mut self, key: Key, chunk: &Chunk<'_>) {
        self.0
            .get_or_insert_with(key, FileParts::default)
            .push(chunk);
    }

    /// Takes the chunks of transfer `key` out (none if nothing came).
    pub(super) fn take(&mut self, key: Key) -> FileParts {
        self.0.remove(&key).unwrap_or_default()
    }

    /// Lets go of the chunks of transfers that are over.
    pub(super) fn keep_for(&mut self, state: &ChatState) {
        self.0.retain(|key, _| state.is_running(*key));
    }

    /// Lets go of every chunk.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

/// Puts `parts` together as a file of type `mime` behind a download link, or says why it could not. The chunks
/// are let go either way (the blob holds them now, or they are not needed any more).
pub(super) fn assemble(parts: FileParts, mime: &str) -> Result<ObjectUrl, String> {
    parts
        .blob(mime)
        .map_err(|error| format!("the file could not be put together: {error}"))
        .and_then(|blob| {
            ObjectUrl::new(&blob)
                .map_err(|error| format!("no download link could be made: {error}"))
        })
}
