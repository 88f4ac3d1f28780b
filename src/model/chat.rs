//! The chat panel's state in plain Rust: the channels and whether they are open, the chat lines, the notice, and
//! the file transfers by [`Key`], each in one [`State`].
//!
//! Every event is a method: a channel opening or closing, a control message or a chunk arriving, a button pressed,
//! the sending task's progress. Each changes the state and returns the [`Actions`] the channels must then carry out
//! (log lines, messages to send, a received file to put together), so what the page shows and says after any
//! event is decided here and tested natively.
//!
//! No browser types: the app's `wire` module keeps the JS side (each channel, each outgoing task, each incoming
//! file's chunks, each download link) beside this state, keyed by the same [`LinkKey`]s and [`Key`]s.
//!
//! In `chat/`: the channels (`links.rs`), one transfer, a row of the list (`transfer.rs`) and how far it is
//! (`progress.rs`), the list of rows: finding, adding and ending transfers (`rows.rs`), sending (`sending.rs`),
//! receiving (`receiving.rs`), and the tests (`tests.rs`).

use std::{collections::VecDeque, sync::Arc};

use super::{bytes::bytes_text, frames::Message, log::Level};

mod links;
mod progress;
mod receiving;
mod rows;
mod sending;
#[cfg(test)]
mod tests;
mod transfer;

pub use progress::Progress;
pub use transfer::{ChunkIn, FileInfo, Start, State, Transfer};

/// Chat lines kept; older ones are dropped.
pub const MAX_LINES: usize = 200;
/// Transfer rows kept; the oldest finished ones are dropped (with their download links) past this.
pub const MAX_ROWS: usize = 20;
/// The longest chat line, in characters.
pub const MAX_TEXT: usize = 4000;
/// The longest file name kept from an offer, in characters.
pub const MAX_NAME: usize = 255;
/// Progress is shown at most this often (milliseconds), and at the end.
pub const SHOW_EVERY_MS: f64 = 100.0;

/// A transfer in this panel (one row of its list). Not the id on the wire, which the sender picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(u64);

/// A channel the panel talks on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkKey(u64);

/// Whether a channel can carry anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// Not open yet.
    Connecting,
    /// Open: chat and files can go.
    Open,
    /// Closing or closed.
    Closed,
}

impl Door {
    /// As the heading says it.
    pub fn text(self) -> &'static str {
        match self {
            Door::Connecting => "connecting",
            Door::Open => "connected",
            Door::Closed => "closed",
        }
    }
}

/// A channel, with the name of the person at the other end.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The channel.
    pub key: LinkKey,
    /// Who is at the other end.
    pub peer: String,
    /// Whether it is open.
    pub door: Door,
}

/// A line of chat.
#[derive(Debug, PartialEq)]
pub struct Line {
    /// Unique and increasing; the key for rendering.
    pub id: u64,
    /// Who wrote it.
    pub from: String,
    /// What was written.
    pub text: String,
    /// True when this side wrote it.
    pub mine: bool,
}

/// What the channels must do after an event, in this order: send these messages, write these log lines, and put
/// together the received file of this transfer (then report with [`ChatState::assembled`]).
#[derive(Debug, Default, PartialEq)]
#[must_use = "the messages and log lines are lost unless the channels carry them out"]
pub struct Actions {
    /// Control messages, each on the channel of its link.
    pub send: Vec<(LinkKey, Message)>,
    /// Lines for the page's log.
    pub log: Vec<(Level, String)>,
    /// An incoming file arrived whole, with the right hash: make its download link.
    pub assemble: Option<Key>,
}

impl Actions {
    fn info(&mut self, text: String) {
        self.log.push((Level::Info, text));
    }

    fn error(&mut self, text: String) {
        self.log.push((Level::Error, text));
    }

    fn send(&mut self, link: LinkKey, message: Message) {
        self.send.push((link, message));
    }
}

/// Everything the chat panel shows, and the transfers' bookkeeping.
#[derive(Debug)]
pub struct ChatState {
    limit: u64,
    next: u64,
    links: Vec<Link>,
    lines: VecDeque<Arc<Line>>,
    transfers: Vec<Transfer>,
    notice: Option<String>,
}

/// The name this side goes by in texts: `me`, or "you" when it has none.
fn me_or_you(me: &str) -> &str {
    if me.is_empty() {
        "you"
    } else {
        me
    }
}

/// A chat line as it is sent: trimmed, and at most [`MAX_TEXT`] characters.
pub fn chat_text(text: &str) -> String {
    text.trim().chars().take(MAX_TEXT).collect()
}

impl ChatState {
    /// Nothing yet; files up to `limit` bytes are sent and accepted.
    pub fn new(limit: u64) -> Self {
        ChatState {
            limit,
            next: 0,
            links: Vec::new(),
            lines: VecDeque::new(),
            transfers: Vec::new(),
            notice: None,
        }
    }

    /// The largest file sent or accepted, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    // --- Chat and notice ---

    /// The chat lines, oldest first.
    pub fn lines(&self) -> &VecDeque<Arc<Line>> {
        &self.lines
    }

    /// The id of the newest line, `None` before the first: it changes exactly when a line is added.
    pub fn newest_line(&self) -> Option<u64> {
        self.lines.back().map(|line| line.id)
    }

    fn push_line(&mut self, from: String, text: String, mine: bool) {
        let id = self.next();
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(Arc::new(Line {
            id,
            from,
            text,
            mine,
        }));
    }

    /// This side wrote `text` ([`chat_text`]), and it went out on at least one channel if `sent`.
    pub fn chatted(&mut self, me: &str, text: &str, sent: bool) -> Actions {
        if sent {
            self.push_line(me_or_you(me).to_owned(), text.to_owned(), true);
            self.notice = None;
            Actions::default()
        } else {
            self.say("The message was not sent: no connection is open.".to_owned())
        }
    }

    /// What the panel last had to tell about sending, if anything.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Tells a person something about sending: in the notice, and in the log.
    pub fn say(&mut self, text: String) -> Actions {
        let mut actions = Actions::default();
        self.say_into(text, &mut actions);
        actions
    }

    fn say_into(&mut self, text: String, actions: &mut Actions) {
        actions.info(text.clone());
        self.notice = Some(text);
    }

    /// A text frame arrived on `link`: a chat line, or a transfer's offer, end, cancellation or verdict; `None`
    /// for a frame that is none of these.
    pub fn receive(
        &mut self,
        link: LinkKey,
        message: Option<Message>,
        me: &str,
        now: f64,
    ) -> Actions {
        let mut actions = Actions::default();
        let Some(peer) = self.peer(link).map(str::to_owned) else {
            return actions;
        };
        let from = (link, peer.as_str());
        match message {
            Some(Message::Chat { text }) => {
                self.push_line(peer.clone(), text.chars().take(MAX_TEXT).collect(), false)
            }
            Some(Message::Offer {
                id,
                name,
                size,
                mime,
            }) => {
                let file = FileInfo { name, size, mime };
                self.offered(from, id, file, me, now, &mut actions)
            }
            Some(Message::End { id, sha256 }) => self.ended(link, &id, &sha256, now, &mut actions),
            Some(Message::Cancel { id, reason }) => {
                self.cancelled(from, &id, &reason, now, &mut actions)
            }
            Some(Message::Received { id, verified }) => {
                self.verdict(from, &id, verified, now, &mut actions)
            }
            None => actions.error(format!(
                "{peer} sent a message this page does not understand"
            )),
        }
        actions
    }
}

/// `Sending test.bin (5 MB) to pc2`, and the like: a file's name and size.
fn named(name: &str, size: u64) -> String {
    format!("{name} ({})", bytes_text(size))
}
