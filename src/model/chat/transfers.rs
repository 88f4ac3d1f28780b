//! The transfers of a [`ChatState`]: each file going out or coming in, in one [`State`], and the events that move
//! it along. One file at a time goes each way on a channel; [`ChatState::find_running`] is the one place a
//! transfer is found by the id on the wire.

use super::{me_or_you, named, Actions, ChatState, Door, Key, LinkKey, MAX_ROWS, SHOW_EVERY_MS};
use crate::model::transfer::{check_size, Message, Progress, Reassembly, CANCELLED};

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

impl ChatState {
    /// The rows, oldest first.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// Row `key`, if it is still listed.
    pub fn transfer(&self, key: Key) -> Option<&Transfer> {
        self.transfers.iter().find(|transfer| transfer.key == key)
    }

    /// True while transfer `key` is under way (its task or its received chunks are still needed).
    pub fn is_running(&self, key: Key) -> bool {
        self.transfer(key)
            .is_some_and(|transfer| !transfer.state.is_final())
    }

    pub(super) fn get_mut(&mut self, key: Key) -> Option<&mut Transfer> {
        self.transfers
            .iter_mut()
            .find(|transfer| transfer.key == key && !transfer.state.is_final())
    }

    /// The transfer under way on `link` in that direction: the one with the wire id `id`, or any.
    pub(super) fn find_running(
        &mut self,
        link: LinkKey,
        outgoing: bool,
        id: Option<&str>,
    ) -> Option<&mut Transfer> {
        self.transfers.iter_mut().find(|transfer| {
            transfer.link == link
                && transfer.outgoing == outgoing
                && !transfer.state.is_final()
                && id.is_none_or(|id| transfer.id == id)
        })
    }

    /// A new row, dropping the oldest finished ones past [`MAX_ROWS`].
    pub(super) fn add_transfer(&mut self, mut transfer: Transfer) -> &mut Transfer {
        while self.transfers.len() >= MAX_ROWS {
            let Some(oldest) = self
                .transfers
                .iter()
                .position(|transfer| transfer.state.is_final())
            else {
                break;
            };
            self.transfers.remove(oldest);
        }
        transfer.shown_at = transfer.started;
        self.transfers.push(transfer);
        let last = self.transfers.len() - 1;
        &mut self.transfers[last]
    }

    /// A transfer with `from` (the channel, and who is at the other end) that starts in `state`: going out if
    /// that is [`State::Sending`], coming in otherwise. Its wire id is for the caller to set.
    pub(super) fn new_transfer(
        &mut self,
        (link, peer): (LinkKey, &str),
        file: FileInfo,
        state: State,
        now: f64,
    ) -> Transfer {
        Transfer {
            key: Key(self.next()),
            link,
            id: String::new(),
            outgoing: matches!(state, State::Sending),
            peer: peer.to_owned(),
            file,
            done: 0,
            state,
            href: None,
            started: now,
            elapsed: 0.0,
            shown_at: now,
        }
    }

    /// Fails whatever is under way over a channel that went away (what comes in first, then what goes out).
    pub(super) fn fail_link(&mut self, link: LinkKey, peer: &str, now: f64, actions: &mut Actions) {
        let reason = format!("the connection to {peer} closed");
        for outgoing in [false, true] {
            if let Some(transfer) = self.find_running(link, outgoing, None) {
                transfer.end(State::Failed(reason.clone()), now);
                actions.error(format!("Transfer failed: {reason}"));
            }
        }
    }

    // --- Sending ---

    /// A person picked or dropped `files`: the first goes to every open channel that is not busy sending another,
    /// each as a transfer to [`Start`]. `new_id` makes the id for the wire (a fallback is used if it cannot).
    pub fn send_files(
        &mut self,
        files: &[FileInfo],
        now: f64,
        new_id: &mut dyn FnMut() -> Option<String>,
    ) -> (Vec<Start>, Actions) {
        let mut actions = Actions::default();
        let mut starts = Vec::new();
        if let Some(reason) = self.blocked_reason() {
            self.say_into(format!("Nothing was sent: {reason}"), &mut actions);
            return (starts, actions);
        }
        let Some(file) = files.first() else {
            return (starts, actions);
        };
        let name = &file.name;
        if let Err(error) = check_size(file.size, self.limit) {
            self.say_into(format!("{name} was not sent: {error}."), &mut actions);
        } else {
            starts = self.start_sending(file, now, new_id, &mut actions);
        }
        if files.len() > 1 {
            let text = format!("One file at a time: only {name} was sent.");
            self.say_into(text, &mut actions);
        }
        (starts, actions)
    }

    fn start_sending(
        &mut self,
        file: &FileInfo,
        now: f64,
        new_id: &mut dyn FnMut() -> Option<String>,
        actions: &mut Actions,
    ) -> Vec<Start> {
        let (busy, idle): (Vec<_>, Vec<_>) = self
            .links
            .clone()
            .into_iter()
            .filter(|link| link.door == Door::Open)
            .partition(|link| self.find_running(link.key, true, None).is_some());
        if busy.is_empty() {
            self.notice = None;
        } else {
            let names = busy.iter().map(|link| link.peer.as_str());
            let text = format!(
                "{} was not sent to {}: a file is still on its way there. Wait for it, or cancel it.",
                file.name,
                names.collect::<Vec<_>>().join(", ")
            );
            self.say_into(text, actions);
        }
        let mut starts = Vec::new();
        for link in idle {
            let to = (link.key, link.peer.as_str());
            let mut transfer = self.new_transfer(to, file.clone(), State::Sending, now);
            transfer.id = new_id().unwrap_or_else(|| format!("{}-{}", link.key.0, transfer.key.0));
            let (key, id) = (transfer.key, transfer.id.clone());
            self.add_transfer(transfer);
            let to = &link.peer;
            actions.info(format!("Sending {} to {to}", named(&file.name, file.size)));
            let (link, file) = (link.key, file.clone());
            starts.push(Start {
                key,
                link,
                id,
                file,
            });
        }
        starts
    }

    /// The sending task got `done` bytes through; true if that is to be shown now.
    pub fn sending(&mut self, key: Key, done: u64, now: f64) -> bool {
        self.get_mut(key)
            .filter(|transfer| matches!(transfer.state, State::Sending))
            .is_some_and(|transfer| transfer.show(done, now))
    }

    /// Every chunk and the end went out: wait for the verdict.
    pub fn sent(&mut self, key: Key, now: f64) {
        if let Some(transfer) = self.get_mut(key) {
            if matches!(transfer.state, State::Sending) {
                transfer.done = transfer.file.size;
                transfer.elapsed = now - transfer.started;
                transfer.state = State::Sent;
            }
        }
    }

    /// The sending task failed: with the browser's `error`, or (`None`) because the channel closed.
    pub fn send_failed(&mut self, key: Key, error: Option<&str>, me: &str, now: f64) -> Actions {
        let mut actions = Actions::default();
        if let Some(transfer) = self.get_mut(key).filter(|transfer| transfer.outgoing) {
            let reason = match error {
                Some(error) => format!("{} could not send it: {error}", me_or_you(me)),
                None => format!("the connection to {} closed", transfer.peer),
            };
            let id = transfer.id.clone();
            actions.send(
                transfer.link,
                Message::Cancel {
                    id,
                    reason: reason.clone(),
                },
            );
            actions.error(format!("Sending {} failed: {reason}", transfer.file.name));
            transfer.end(State::Failed(reason), now);
        }
        actions
    }

    /// The receiver's verdict on a file this side sent.
    pub(super) fn verdict(
        &mut self,
        (link, peer): (LinkKey, &str),
        id: &str,
        verified: bool,
        now: f64,
        actions: &mut Actions,
    ) {
        let Some(transfer) = self.find_running(link, true, Some(id)) else {
            return;
        };
        let name = &transfer.file.name;
        if verified {
            actions.info(format!("{peer} verified {name}"));
            transfer.done = transfer.file.size;
            transfer.end(State::Verified, now);
        } else {
            let reason = format!("{peer} did not get an intact copy");
            actions.error(format!("Sending {name} failed: {reason}"));
            transfer.end(State::Failed(reason), now);
        }
    }

    // --- Both ways ---

    /// Cancel, on either side: stop, and tell the other side.
    pub fn cancel(&mut self, key: Key, me: &str, now: f64) -> Actions {
        let mut actions = Actions::default();
        let me = me_or_you(me);
        let Some(transfer) = self
            .get_mut(key)
            .filter(|transfer| !matches!(transfer.state, State::Received))
        else {
            return actions;
        };
        let id = transfer.id.clone();
        let reason = CANCELLED.to_owned();
        actions.send(transfer.link, Message::Cancel { id, reason });
        actions.info(format!("{me} cancelled {}", transfer.file.name));
        transfer.end(State::Cancelled(me.to_owned()), now);
        actions
    }

    /// The other side cancelled (or gave up on) a transfer, in either direction.
    pub(super) fn cancelled(
        &mut self,
        (link, peer): (LinkKey, &str),
        id: &str,
        reason: &str,
        now: f64,
        actions: &mut Actions,
    ) {
        let found = match self.find_running(link, false, Some(id)) {
            Some(transfer) => Some(transfer),
            None => self.find_running(link, true, Some(id)),
        };
        let Some(transfer) = found else { return };
        if reason == CANCELLED {
            actions.info(format!("{peer} cancelled a transfer"));
            transfer.end(State::Cancelled(peer.to_owned()), now);
        } else {
            actions.error(format!("Transfer failed: {reason}"));
            transfer.end(State::Failed(reason.to_owned()), now);
        }
    }

    /// Remove: a finished row goes (and with it its download link).
    pub fn remove(&mut self, key: Key) {
        self.transfers
            .retain(|transfer| transfer.key != key || !transfer.state.is_final());
    }
}
