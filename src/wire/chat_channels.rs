//! [`ChatChannels`]: every event of a chat's data channels, and every press of its buttons, goes to the
//! [`ChatState`]; the [`Actions`] it returns are carried out by the parts (links, outbox, inbox, downloads).
//!
//! Over 150 lines as one `impl`: it is the protocol read as named steps (a channel comes, opens, closes; a frame
//! arrives; a line or a file goes), each a short method over the same four parts.

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use super::{
    downloads::Downloads,
    inbox::{self, Inbox},
    links::{door, Links},
    outbox::{self, Outbox, PACING},
    Host,
};
use crate::{
    model::{
        bytes::hex,
        chat::{chat_text, Actions, ChatState, ChunkIn, Door, FileInfo, Key, LinkKey, Start},
        frames::Message,
        log::Level,
    },
    webrtc::{
        channel::{ChannelHandle, Chunk, DataChannel, Payload},
        json::{from_json, to_json},
        now_ms, random_bytes, Error, FileHandle,
    },
};

/// The chat's data channels at work: a cheap handle to clone. The channels' handlers and the sending tasks hold
/// it weakly, so dropping the last handle (or [`ChatChannels::clear`]) lets everything go.
#[derive(Clone)]
pub struct ChatChannels(Rc<Parts>);

/// What a [`ChatChannels`] owns, divided by job.
struct Parts {
    host: Box<dyn Host>,
    links: RefCell<Links>,
    outbox: RefCell<Outbox>,
    inbox: RefCell<Inbox>,
    downloads: RefCell<Downloads>,
}

impl ChatChannels {
    /// None yet; the state lives in `host`.
    pub fn new(host: impl Host + 'static) -> Self {
        ChatChannels(Rc::new(Parts {
            host: Box::new(host),
            links: RefCell::default(),
            outbox: RefCell::default(),
            inbox: RefCell::default(),
            downloads: RefCell::default(),
        }))
    }

    // --- The channels ---

    /// Follows the list of channels, each with the name of the person at the other end: a new channel gets
    /// handlers; a channel gone from it fails its transfers and is dropped.
    pub fn sync(&self, list: Vec<(String, ChannelHandle)>) {
        let gone = self.0.links.borrow_mut().drop_missing(&list);
        for link in gone {
            self.update(&mut |state| state.remove_link(link, now_ms()));
        }
        for (peer, handle) in list {
            if !self.0.links.borrow().knows(&handle) {
                self.add(&peer, &handle);
            }
        }
        self.refresh();
    }

    fn add(&self, peer: &str, handle: &ChannelHandle) {
        let channel = Rc::new(DataChannel::new(handle, PACING));
        let door = door(&channel);
        let mut added = None;
        self.update(&mut |state| {
            added = Some(state.add_link(peer.to_owned(), door));
            Actions::default()
        });
        let Some(link) = added else {
            return;
        };
        let parts = Rc::downgrade(&self.0);
        let opened = on(&parts, move |chat, ()| chat.opened(link));
        channel.on_open(move || opened(()));
        let closed = on(&parts, move |chat, ()| chat.closed(link));
        channel.on_close(move || closed(()));
        channel.on_error(on(&parts, move |chat, error| chat.failed(link, error)));
        channel.on_message(move |payload| {
            if let Some(chat) = upgrade(&parts) {
                chat.received(link, payload);
            }
        });
        self.0.links.borrow_mut().insert(link, channel);
    }

    fn opened(&self, link: LinkKey) {
        self.update(&mut |state| state.opened(link));
        self.refresh();
    }

    fn closed(&self, link: LinkKey) {
        self.update(&mut |state| state.closed(link, now_ms()));
        self.refresh();
    }

    fn failed(&self, link: LinkKey, error: Error) {
        if let Some(peer) = self
            .read(|state| state.peer(link).map(str::to_owned))
            .flatten()
        {
            self.log(Level::Error, format!("Data channel to {peer}: {error}"));
        }
    }

    /// Reads whether each channel is open, for the heading and the Send button.
    pub fn refresh(&self) {
        let doors = self.0.links.borrow().doors();
        self.0.host.update_maybe(&mut |state| {
            let mut changed = false;
            for (link, door) in &doors {
                changed |= state.set_door(*link, *door);
            }
            changed
        });
    }

    // --- What arrives ---

    fn received(&self, link: LinkKey, payload: Payload<'_>) {
        match payload {
            Payload::Text(text) => {
                let me = self.0.host.me();
                let now = now_ms();
                let mut message = from_json::<Message>(&text).ok();
                self.update(&mut |state| state.receive(link, message.take(), &me, now));
            }
            Payload::Binary(chunk) => self.chunk(link, &chunk),
        }
    }

    /// A chunk: counted and hashed by the state (the page redraws at most every 100 ms), kept in the inbox.
    fn chunk(&self, link: LinkKey, chunk: &Chunk<'_>) {
        let now = now_ms();
        let mut outcome = ChunkIn::Ignored;
        self.0.host.update_maybe(&mut |state| {
            outcome = state.chunk(link, chunk.bytes(), now);
            outcome.redraw()
        });
        match outcome {
            ChunkIn::Kept { key, .. } => self.0.inbox.borrow_mut().keep(key, chunk),
            ChunkIn::Refused(actions) => self.apply(Some(actions)),
            ChunkIn::Ignored => {}
        }
    }

    /// File `key` arrived whole with the right hash: make it a blob and a download link, and tell the state.
    fn assemble(&self, key: Key) {
        let mime = self.read(|state| state.transfer(key).map(|row| row.file.mime.clone()));
        let parts = self.0.inbox.borrow_mut().take(key);
        let href = inbox::assemble(parts, &mime.flatten().unwrap_or_default()).map(|url| {
            let href = url.href().to_owned();
            self.0.downloads.borrow_mut().keep(key, url);
            href
        });
        self.update(&mut |state| state.assembled(key, href.clone(), now_ms()));
    }

    // --- What this side sends ---

    /// Sends a chat line on every open channel; true if it went out on at least one.
    pub fn send_chat(&self, text: &str) -> bool {
        self.refresh();
        let text = chat_text(text);
        let Ok(frame) = to_json(&Message::Chat { text: text.clone() }) else {
            return false;
        };
        let open = self.read(|state| {
            let open = state.links().iter().filter(|link| link.door == Door::Open);
            open.map(|link| (link.key, link.peer.clone()))
                .collect::<Vec<_>>()
        });
        let mut sent = false;
        for (link, peer) in open.unwrap_or_default() {
            let Some(channel) = self.0.links.borrow().channel(link) else {
                continue;
            };
            match channel.send_text(&frame) {
                Ok(()) => sent = true,
                Err(error) => self.log(
                    Level::Error,
                    format!("Could not send the message to {peer}: {error}"),
                ),
            }
        }
        let me = self.0.host.me();
        self.update(&mut |state| state.chatted(&me, &text, sent));
        sent
    }

    /// Sends the first of `files` on every open channel that is not busy sending another.
    pub fn send_files(&self, files: Vec<FileHandle>) {
        self.refresh();
        let described = files.iter().map(|file| FileInfo {
            name: file.name(),
            size: file.size(),
            mime: file.mime(),
        });
        let described = described.collect::<Vec<_>>();
        let now = now_ms();
        let new_id = &mut || random_bytes(8).ok().map(|bytes| hex(&bytes));
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

    /// Cancel: stop sending or receiving transfer `key`, and tell the other side.
    pub fn cancel(&self, key: Key) {
        let me = self.0.host.me();
        self.update(&mut |state| state.cancel(key, &me, now_ms()));
    }

    /// Remove: row `key` and its download link go.
    pub fn remove(&self, key: Key) {
        self.update(&mut |state| {
            state.remove(key);
            Actions::default()
        });
    }

    /// Sends a file in a task of its own, which stops when the transfer ends.
    fn start(&self, start: Start, file: FileHandle) {
        let Some(channel) = self.0.links.borrow().channel(start.link) else {
            return;
        };
        let key = start.key;
        let sending = send(Rc::downgrade(&self.0), start, channel, file);
        self.0.outbox.borrow_mut().spawn(key, sending);
    }

    // --- The state, and what it asks for ---

    /// Changes the state with `change`, then carries out the actions it returns: every event goes through here.
    fn update(&self, change: &mut dyn FnMut(&mut ChatState) -> Actions) {
        self.apply(self.0.host.update(change));
    }

    fn read<T>(&self, read: impl FnOnce(&ChatState) -> T) -> Option<T> {
        let (mut read, mut out) = (Some(read), None);
        self.0
            .host
            .read(&mut |state| out = read.take().map(|read| read(state)));
        out
    }

    fn log(&self, level: Level, text: String) {
        self.0.host.log(level, text);
    }

    /// Carries out what an event of the state asked for: sends the messages, writes the log, lets go of what is
    /// no longer needed, and puts together a file that arrived whole.
    fn apply(&self, actions: Option<Actions>) {
        let Some(actions) = actions else { return };
        for (link, message) in &actions.send {
            // If the channel is closed, there is nobody left to tell.
            if let Some(channel) = self.0.links.borrow().channel(*link) {
                let _ = channel.send_json(message);
            }
        }
        for (level, text) in actions.log {
            self.log(level, text);
        }
        self.0.host.read(&mut |state| {
            self.0.outbox.borrow_mut().keep_for(state);
            self.0.inbox.borrow_mut().keep_for(state);
            self.0.downloads.borrow_mut().keep_for(state);
        });
        if let Some(key) = actions.assemble {
            self.assemble(key);
        }
    }

    /// Drops everything: handlers, transfers (their tasks stop) and download links.
    pub fn clear(&self) {
        self.0.links.borrow_mut().clear();
        self.0.outbox.borrow_mut().clear();
        self.0.inbox.borrow_mut().clear();
        self.0.downloads.borrow_mut().clear();
    }
}

/// The handle again, if it is still there.
fn upgrade(parts: &Weak<Parts>) -> Option<ChatChannels> {
    parts.upgrade().map(ChatChannels)
}

/// A channel's handler that calls `handle` with the chat, while there is one.
fn on<A>(parts: &Weak<Parts>, handle: impl Fn(&ChatChannels, A)) -> impl Fn(A) {
    let parts = parts.clone();
    move |argument| {
        if let Some(chat) = upgrade(&parts) {
            handle(&chat, argument);
        }
    }
}

/// Sends a file on `channel` and tells the state how it went; stops (its transfer's row says why) once the chat
/// is gone.
async fn send(parts: Weak<Parts>, start: Start, channel: Rc<DataChannel>, file: FileHandle) {
    let key = start.key;
    let on_sent = &mut |done| {
        if let Some(chat) = upgrade(&parts) {
            let now = now_ms();
            chat.0
                .host
                .update_maybe(&mut |state| state.sending(key, done, now));
        }
    };
    let sent = outbox::send_file(&start, &channel, &file, on_sent).await;
    let Some(chat) = upgrade(&parts) else {
        return;
    };
    match sent {
        Ok(()) => chat.update(&mut |state| {
            state.sent(key, now_ms());
            Actions::default()
        }),
        Err(error) => {
            let error = channel.is_open().then(|| error.to_string());
            let me = chat.0.host.me();
            chat.update(&mut |state| state.send_failed(key, error.as_deref(), &me, now_ms()));
        }
    }
}
