//! One transfer, as a row of the list: the file, where it stands ([`State`]), and how far it is. And the small
//! values the [`ChatState`](super::ChatState) hands the channels about transfers ([`Start`], [`ChunkIn`]).
//!
//! A little over 150 lines: the row, its states and the values made from it change together (a new state
//! touches all three), so they stay in one file.

use super::{Actions, Key, LinkKey, Progress, SHOW_EVERY_MS};
use crate::model::frames::{Message, Reassembly};

/// Where a transfer stands.
#[derive(Debug)]
pub enum State {
    /// Coming in: offered, and its chunks are arriving, counted and hashed as they come.
    Offered(Reassembly),
    /// Going out: chunks are being sent.
    Sending,
    /// Went out whole; waiting for the receiver's verdict.
    Sent,
    /// Came in whole with the sender's hash; its download link is being made.
    Received,
    /// Complete, and the hashes match.
    Verified,
    /// A person cancelled it (named).
    Cancelled(String),
    /// It failed (why).
    Failed(String),
}

impl State {
    /// The row's `data-state`.
    pub fn name(&self) -> &'static str {
        match self {
            State::Offered(_) | State::Sending | State::Received => "running",
            State::Sent => "sent",
            State::Verified => "verified",
            State::Cancelled(_) => "cancelled",
            State::Failed(_) => "failed",
        }
    }

    /// True once it is over (verified, cancelled or failed): nothing more happens to it.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            State::Verified | State::Cancelled(_) | State::Failed(_)
        )
    }
}

/// A file, as an offer describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type (may be empty).
    pub mime: String,
}

/// One file going out or coming in: a row of the list.
#[derive(Debug)]
pub struct Transfer {
    /// The row.
    pub key: Key,
    /// The channel it goes over.
    pub link: LinkKey,
    /// The sender's id for it, on the wire.
    pub id: String,
    /// True when this side sends it.
    pub outgoing: bool,
    /// Who is at the other end.
    pub peer: String,
    /// The file.
    pub file: FileInfo,
    /// Bytes done, as last shown.
    pub done: u64,
    /// Where it stands.
    pub state: State,
    /// The download link of a received file, once verified.
    pub href: Option<String>,
    pub(super) started: f64,
    pub(super) elapsed: f64,
    pub(super) shown_at: f64,
}

impl Transfer {
    /// How far it is, for the figures.
    pub fn progress(&self) -> Progress {
        Progress {
            done: self.done,
            total: self.file.size,
            elapsed_ms: self.elapsed,
        }
    }

    /// The progress bar as (value, max); an empty file's bar is empty, then full once verified.
    pub fn bar(&self) -> (u64, u64) {
        match self.file.size {
            0 => (u64::from(matches!(self.state, State::Verified)), 1),
            size => (self.done, size),
        }
    }

    /// What became of it, in words.
    pub fn status(&self) -> String {
        match (&self.state, self.outgoing) {
            (State::Sending, _) => "Sending…".to_owned(),
            (State::Offered(_) | State::Received, _) => "Receiving…".to_owned(),
            (State::Sent, _) => format!("Sent; waiting for {} to check it", self.peer),
            (State::Verified, true) => {
                format!("Delivered: {} verified it (SHA-256 matches)", self.peer)
            }
            (State::Verified, false) => "Received and verified (SHA-256 matches)".to_owned(),
            (State::Cancelled(by), _) => format!("Cancelled by {by}"),
            (State::Failed(why), _) => format!("Failed: {why}"),
        }
    }

    /// Ends it in `state`, unless it is over already (then it keeps its outcome).
    pub(super) fn end(&mut self, state: State, now: f64) {
        if !self.state.is_final() {
            self.elapsed = now - self.started;
            self.state = state;
        }
    }

    /// Shows `done` bytes if the last showing is [`SHOW_EVERY_MS`] old; true if it did.
    pub(super) fn show(&mut self, done: u64, now: f64) -> bool {
        let due = now - self.shown_at >= SHOW_EVERY_MS;
        if due {
            self.shown_at = now;
            self.done = done;
            self.elapsed = now - self.started;
        }
        due
    }
}

/// A transfer to start: send [`Start::offer`] on `link`'s channel, then the file, then [`Start::end`].
#[derive(Debug, PartialEq)]
pub struct Start {
    /// The row.
    pub key: Key,
    /// The channel.
    pub link: LinkKey,
    /// The id on the wire.
    pub id: String,
    /// The file.
    pub file: FileInfo,
}

impl Start {
    /// The message that announces the file.
    pub fn offer(&self) -> Message {
        Message::Offer {
            id: self.id.clone(),
            name: self.file.name.clone(),
            size: self.file.size,
            mime: self.file.mime.clone(),
        }
    }

    /// The message that ends the file, with its SHA-256.
    pub fn end(&self, sha256: String) -> Message {
        let id = self.id.clone();
        Message::End { id, sha256 }
    }
}

/// What became of a chunk that arrived.
#[derive(Debug, PartialEq)]
pub enum ChunkIn {
    /// No file is coming in on that channel (leftovers of a cancelled one, still in flight): ignored.
    Ignored,
    /// Part of transfer `key`: keep it. `redraw` when its progress is due to be shown.
    Kept {
        /// The transfer.
        key: Key,
        /// Whether the page should show the new progress.
        redraw: bool,
    },
    /// One too many: the transfer failed; carry out these actions (and drop what was kept).
    Refused(Actions),
}

impl ChunkIn {
    /// Whether the page changed.
    pub fn redraw(&self) -> bool {
        matches!(
            self,
            ChunkIn::Kept { redraw: true, .. } | ChunkIn::Refused(_)
        )
    }
}
