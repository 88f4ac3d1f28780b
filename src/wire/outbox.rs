//! [`Outbox`]: the files this side is sending, one task each; how a file is paced; and the steps of sending one
//! (offer, chunks hashed as they go, end with the SHA-256).

use std::future::Future;

use futures::future::{AbortHandle, Abortable};

use crate::model::roster::Roster;
use crate::{
    model::{
        chat::{ChatState, Key, Start},
        frames::{Hasher, CHUNK_SIZE},
    },
    webrtc::{
        channel::{DataChannel, Pacing},
        Error, FileHandle,
    },
};

/// How much of the file is read at a time (`Blob.slice(a, b).arrayBuffer()`): 16 chunks.
pub const READ_SIZE: u64 = 16 * CHUNK_SIZE;
/// The sender waits while more than this is queued on the channel (`bufferedAmount`).
pub const HIGH_WATER: u32 = 1024 * 1024;
/// ... until the queue drains below this (`bufferedAmountLowThreshold`, which fires `bufferedamountlow`).
pub const LOW_WATER: u32 = 256 * 1024;

/// How files are paced on every channel.
pub const PACING: Pacing = Pacing {
    chunk: CHUNK_SIZE,
    read: READ_SIZE,
    high_water: HIGH_WATER,
    low_water: LOW_WATER,
};

/// The sending task of each outgoing transfer; dropping one stops it.
#[derive(Default)]
pub(super) struct Outbox(Roster<Key, Task>);

/// Aborts a spawned task when dropped.
struct Task(AbortHandle);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Outbox {
    /// Runs `sending` for transfer `key` in a task of its own, until it ends or the transfer does.
    pub(super) fn spawn(&mut self, key: Key, sending: impl Future<Output = ()> + 'static) {
        let (handle, registration) = AbortHandle::new_pair();
        self.0.insert(key, Task(handle));
        let task = Abortable::new(sending, registration);
        // Err(Aborted): cancelled, or the channel went away; the row says so already.
        wasm_bindgen_futures::spawn_local(async move { _ = task.await });
    }

    /// Stops the tasks of transfers that are over.
    pub(super) fn keep_for(&mut self, state: &ChatState) {
        self.0.retain(|key, _| state.is_running(*key));
    }

    /// Stops every task.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

/// Sends `start`'s file on `channel`: the offer, the file (hashed as it goes, `on_sent` told how many bytes have
/// left the queue), then the end with the file's SHA-256.
pub(super) async fn send_file(
    start: &Start,
    channel: &DataChannel,
    file: &FileHandle,
    on_sent: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    channel.send_json(&start.offer())?;
    let mut hasher = Hasher::default();
    let on_read = &mut |bytes: &[u8]| hasher.update(bytes);
    channel.send_file(file, on_read, on_sent).await?;
    channel.send_json(&start.end(hasher.finish()))
}
