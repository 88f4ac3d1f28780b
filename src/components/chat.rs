//! Chat and file transfer over the data channel: the [`ChatPanel`].
//!
//! The panel talks on every channel it is given (one in the demo, one per person in a room). A chat line goes to
//! every open channel. A file goes to every open channel too, each with its own transfer: read from the file a
//! slice at a time, sent in chunks while the channel's queue stays under [`HIGH_WATER`], hashed on both sides,
//! and put back together on the receiving side as JS `Uint8Array`s (outside wasm memory) until a `Blob` and a
//! download link are made. What travels, and the checks, are in [`crate::model::transfer`].
//!
//! Ownership: each channel's handlers, its incoming file and its outgoing task belong to the panel's entry for
//! that channel, dropped when the channel leaves the list or the panel unmounts; each download link's object
//! URL belongs to its row, revoked when the row is removed or the panel unmounts.

use std::{collections::VecDeque, rc::Rc, sync::Arc};

use futures::{
    channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender},
    future::{AbortHandle, Abortable},
    StreamExt,
};
use js_sys::{ArrayBuffer, Uint8Array};
use leptos::{prelude::*, tachys::view::keyed::keyed};
use web_sys::{File, RtcDataChannelState};

use crate::{
    log::{use_logger, Logger},
    model::log::millis,
    model::transfer::{
        check_size, ranges, rate_text, size_text, Hasher, Message, Progress, Reassembly, CANCELLED,
        CHUNK_SIZE, HIGH_WATER, LOW_WATER, MAX_FILE_SIZE, READ_SIZE,
    },
    signaling::random_hex,
    webrtc::{
        channel::{blob_from_parts, read_slice, ChannelHandle, DataChannel, ObjectUrl, Payload},
        now_ms, Error,
    },
};

/// Chat lines kept; older ones are dropped.
const MAX_LINES: usize = 200;
/// Transfer rows kept; the oldest finished ones are dropped (with their download links) past this.
const MAX_ROWS: usize = 20;
/// The longest chat line, in characters.
const MAX_TEXT: usize = 4000;
/// Progress is shown at most this often (milliseconds), and at the end.
const SHOW_EVERY_MS: f64 = 100.0;

/// A chat, with file transfer, with the other end of each channel.
#[component]
pub fn ChatPanel(
    /// A prefix for the element ids of this panel (two panels can share a page, as in the demo).
    id: &'static str,
    /// How this side is named on the page ("pc1", "You").
    me: Signal<String>,
    /// The channels to talk on, each with the name of the person at the other end. A channel is added when a
    /// connection is made and removed when it closes.
    channels: Signal<Vec<(String, ChannelHandle)>, LocalStorage>,
    /// The largest file sent or accepted, in bytes ([`MAX_FILE_SIZE`] unless given; tests lower it).
    #[prop(optional)]
    max_file_size: Option<u64>,
) -> impl IntoView {
    let panel = Panel::new(me, use_logger(), max_file_size.unwrap_or(MAX_FILE_SIZE));
    Effect::new(move |_| {
        let list = channels.get();
        untrack(|| panel.sync(list));
    });
    // Unmounting drops every channel's handlers, stops every transfer and revokes every download link.
    on_cleanup(move || panel.clear());

    let (text, set_text) = signal(String::new());
    // How deep inside the panel a dragged file is (enter and leave fire for each child crossed).
    let (dragging, set_dragging) = signal(0u32);
    let blocked = move || panel.links.with(|links| blocked_reason(links));
    let send_text = move || {
        let line = text.get_untracked();
        if !line.trim().is_empty() && panel.send_chat(line) {
            set_text.set(String::new());
        }
    };
    let send_files = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else { return };
        if let Some(reason) = blocked() {
            panel.say(format!("Nothing was sent: {reason}"));
            return;
        }
        if let Some(file) = files.get(0) {
            let name = file.name();
            panel.send_file(file);
            if files.length() > 1 {
                panel.say(format!("One file at a time: only {name} was sent."));
            }
        }
    };
    let limit = size_text(panel.limit);

    view! {
        <section
            class="chat"
            id=id
            class:dragging=move || dragging.get() != 0
            on:dragenter=move |event: web_sys::DragEvent| {
                if carries_files(&event) {
                    set_dragging.update(|depth| *depth += 1);
                }
            }
            on:dragleave=move |event: web_sys::DragEvent| {
                if carries_files(&event) {
                    set_dragging.update(|depth| *depth = depth.saturating_sub(1));
                }
            }
            on:dragover=move |event: web_sys::DragEvent| {
                if carries_files(&event) {
                    event.prevent_default();
                }
            }
            on:drop=move |event: web_sys::DragEvent| {
                if carries_files(&event) {
                    event.prevent_default();
                    set_dragging.set(0);
                    send_files(event.data_transfer().and_then(|data| data.files()));
                }
            }
        >
            <h2>
                "Chat and files " <span class="chat-who">{move || who(&me.get(), panel)}</span>
            </h2>
            <ChatLines id=id lines=panel.lines />
            <form
                class="chat-compose"
                on:submit=move |event: web_sys::SubmitEvent| {
                    event.prevent_default();
                    send_text();
                }
            >
                <input
                    id=format!("{id}-text")
                    type="text"
                    placeholder="Write a message"
                    aria-label="Message"
                    maxlength=MAX_TEXT
                    autocomplete="off"
                    prop:value=text
                    on:input=move |event| set_text.set(event_target_value(&event))
                />
                <button
                    id=format!("{id}-send")
                    type="submit"
                    disabled=move || blocked().is_some() || text.with(|text| text.trim().is_empty())
                >
                    "Send"
                </button>
            </form>
            <p class="chat-reason" id=format!("{id}-reason") hidden=move || blocked().is_none()>
                {move || blocked().unwrap_or_default()}
            </p>
            <div class="chat-files">
                <label>
                    "Send a file "
                    <input
                        id=format!("{id}-file")
                        type="file"
                        disabled=move || blocked().is_some()
                        on:change=move |event| {
                            let input: web_sys::HtmlInputElement = event_target(&event);
                            send_files(input.files());
                            // Cleared, so that picking the same file again sends it again.
                            input.set_value("");
                        }
                    />
                </label>
                <span class="chat-limit" id=format!("{id}-limit")>
                    "or drop it here; files up to " {limit} "."
                </span>
            </div>
            <p class="chat-notice" id=format!("{id}-notice") role="status">
                {move || panel.notice.get()}
            </p>
            <ul class="chat-transfers" id=format!("{id}-transfers")>
                <For
                    each=move || panel.rows.with(|rows| rows.iter().map(|row| row.key).collect::<Vec<_>>())
                    key=|key| *key
                    let:key
                >
                    <TransferRow panel=panel key=key />
                </For>
            </ul>
        </section>
    }
}

/// The chat lines, newest at the bottom, kept scrolled to the end.
#[component]
fn ChatLines(
    /// The panel's id prefix.
    id: &'static str,
    /// The lines.
    lines: RwSignal<VecDeque<Arc<Line>>>,
) -> impl IntoView {
    let list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        lines.track();
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <ol class="chat-lines" id=format!("{id}-messages") node_ref=list aria-live="polite">
            {move || {
                // Static rows keyed by id, without per-row owners (see `LogPanel`): the list rolls.
                keyed(
                    lines.with(|lines| lines.iter().cloned().collect::<Vec<_>>()),
                    |line| line.id,
                    |_, line| {
                        (
                            |_| {},
                            view! {
                                <li class:mine=line.mine>
                                    <b class="chat-from">{line.from.clone()}</b>
                                    " "
                                    <span class="chat-text">{line.text.clone()}</span>
                                </li>
                            },
                        )
                    },
                )
            }}
        </ol>
        <p class="chat-empty" hidden=move || !lines.with(VecDeque::is_empty)>
            "No messages yet."
        </p>
    }
}

/// One file going out or coming in: name, progress bar, figures, what became of it, and its buttons.
#[component]
fn TransferRow(
    /// The panel the row belongs to.
    panel: Panel,
    /// The row.
    key: u64,
) -> impl IntoView {
    let (outgoing, peer, name, size) = panel.rows.with_untracked(|rows| {
        rows.iter()
            .find(|row| row.key == key)
            .map(|row| (row.outgoing, row.peer.clone(), row.name.clone(), row.size))
    })?;
    let state = move || with_row(panel, key, |row| row.state.name());
    let finished = move || !matches!(state(), "running" | "sent");
    // The bar as (value, max); an empty file's bar is empty, then full.
    let bar = move || {
        with_row(panel, key, |row| match row.size {
            0 => (u64::from(row.state == State::Verified), 1),
            size => (row.done, size),
        })
    };
    let href = move || with_row(panel, key, |row| row.href.clone());
    // Static elements with reactive attributes and text: cheaper in wasm than views that come and go.
    Some(view! {
        <li class="chat-transfer" data-state=state data-direction=if outgoing { "out" } else { "in" }>
            <div class="chat-transfer-head">
                <span class="chat-transfer-name">
                    {if outgoing { "To " } else { "From " }} {peer} ": " <b>{name.clone()}</b>
                </span>
                <button class="chat-cancel secondary" hidden=finished on:click=move |_| panel.cancel(key)>
                    "Cancel"
                </button>
                <button
                    class="chat-remove secondary"
                    title="Remove from the list (its download link goes too)"
                    hidden=move || !finished()
                    on:click=move |_| panel.remove_row(key)
                >
                    "Remove"
                </button>
            </div>
            <progress max=move || bar().1.to_string() value=move || bar().0.to_string()></progress>
            <div class="chat-transfer-figures">{move || with_row(panel, key, |row| row.progress().text())}</div>
            <div class="chat-transfer-status">{move || with_row(panel, key, Row::status)}</div>
            // No href and no download attribute until the file is verified.
            <a
                class="chat-download"
                hidden=move || href().is_none()
                href=href
                download=move || href().map(|_| name.clone())
            >
                "Save " {name.clone()} " (" {size_text(size)} ")"
            </a>
        </li>
    })
}

/// Reads row `key` of the panel (tracked), or the default if it is gone.
fn with_row<T: Default>(panel: Panel, key: u64, f: impl FnOnce(&Row) -> T) -> T {
    panel
        .rows
        .with(|rows| rows.iter().find(|row| row.key == key).map(f))
        .unwrap_or_default()
}

/// True when what is dragged includes files: only a file is taken on the panel, so text dragged onto the message
/// box lands there as usual.
fn carries_files(event: &web_sys::DragEvent) -> bool {
    event
        .data_transfer()
        .is_some_and(|data| data.types().includes(&"Files".into(), 0))
}

/// The panel's heading: who this side is, and to whom it is connected.
fn who(me: &str, panel: Panel) -> String {
    let peers = panel.links.with(|links| {
        links
            .iter()
            .map(|link| format!("{} ({})", link.peer, link.door.text()))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let me = if me.is_empty() { "you" } else { me };
    if peers.is_empty() {
        format!("· {me}, not connected")
    } else {
        format!("· {me}, with {peers}")
    }
}

/// Why nothing can be sent right now, or `None` when some channel is open.
fn blocked_reason(links: &[LinkView]) -> Option<String> {
    if links.iter().any(|link| link.door == Door::Open) {
        return None;
    }
    let names = |door: Door| {
        links
            .iter()
            .filter(|link| link.door == door)
            .map(|link| link.peer.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(if links.is_empty() {
        "Not connected: there is nobody to send to yet.".to_owned()
    } else if links.iter().any(|link| link.door == Door::Connecting) {
        format!(
            "Not connected yet: waiting for the data channel to {} to open.",
            names(Door::Connecting)
        )
    } else {
        format!("The connection to {} has closed.", names(Door::Closed))
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The panel's state

/// A line of chat.
struct Line {
    id: u64,
    from: String,
    text: String,
    mine: bool,
}

/// Whether a channel can carry anything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Door {
    Connecting,
    Open,
    Closed,
}

impl Door {
    fn of(channel: &DataChannel) -> Door {
        match channel.ready_state() {
            RtcDataChannelState::Connecting => Door::Connecting,
            RtcDataChannelState::Open => Door::Open,
            _ => Door::Closed,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Door::Connecting => "connecting",
            Door::Open => "connected",
            Door::Closed => "closed",
        }
    }
}

/// A channel as the page shows it.
#[derive(Clone, PartialEq)]
struct LinkView {
    peer: String,
    door: Door,
}

/// Where a transfer stands.
#[derive(Clone, PartialEq)]
enum State {
    /// Chunks are going out or coming in.
    Running,
    /// The sender sent everything and waits for the receiver's verdict.
    Sent,
    /// Complete, and the hashes match.
    Verified,
    /// A person cancelled it (named).
    Cancelled(String),
    /// It failed (why).
    Failed(String),
}

impl State {
    /// The row's `data-state`.
    fn name(&self) -> &'static str {
        match self {
            State::Running => "running",
            State::Sent => "sent",
            State::Verified => "verified",
            State::Cancelled(_) => "cancelled",
            State::Failed(_) => "failed",
        }
    }
}

/// One transfer as the page shows it.
#[derive(Clone)]
struct Row {
    key: u64,
    outgoing: bool,
    peer: String,
    name: String,
    size: u64,
    done: u64,
    started: f64,
    elapsed: f64,
    state: State,
    href: Option<String>,
}

impl Row {
    fn progress(&self) -> Progress {
        Progress {
            done: self.done,
            total: self.size,
            elapsed_ms: self.elapsed,
        }
    }

    fn status(&self) -> String {
        match (&self.state, self.outgoing) {
            (State::Running, true) => "Sending…".to_owned(),
            (State::Running, false) => "Receiving…".to_owned(),
            (State::Sent, _) => format!("Sent; waiting for {} to check it", self.peer),
            (State::Verified, true) => {
                format!("Delivered: {} verified it (SHA-256 matches)", self.peer)
            }
            (State::Verified, false) => "Received and verified (SHA-256 matches)".to_owned(),
            (State::Cancelled(by), _) => format!("Cancelled by {by}"),
            (State::Failed(why), _) => format!("Failed: {why}"),
        }
    }

    fn is_final(&self) -> bool {
        !matches!(self.state, State::Running | State::Sent)
    }

    /// Ends a running transfer; a finished one keeps its outcome.
    fn end(&mut self, state: State) {
        if !self.is_final() {
            self.elapsed = now_ms() - self.started;
            self.state = state;
        }
    }
}

/// One channel the panel talks on, and what is going on over it.
struct Link {
    key: u64,
    peer: String,
    channel: Rc<DataChannel>,
    incoming: Option<Incoming>,
    outgoing: Option<Outgoing>,
}

/// The file coming in on a channel.
struct Incoming {
    id: String,
    row: u64,
    name: String,
    mime: String,
    file: Reassembly,
    /// The chunks, as JS `Uint8Array`s: the file never sits in wasm memory.
    parts: js_sys::Array,
    /// Each chunk is copied here to be hashed (one chunk's worth of wasm memory).
    scratch: Vec<u8>,
    shown_at: f64,
}

/// The file going out on a channel: its task (stopped when this is dropped) and its wake-up line.
struct Outgoing {
    id: String,
    row: u64,
    /// `bufferedamountlow` pokes the task through this.
    drain: UnboundedSender<()>,
    _task: Task,
}

/// Aborts a spawned task when dropped.
struct Task(AbortHandle);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Everything the panel owns, as copyable handles (the handlers and tasks hold copies).
#[derive(Clone, Copy)]
struct Panel {
    entries: StoredValue<Vec<Link>, LocalStorage>,
    urls: StoredValue<Vec<(u64, ObjectUrl)>, LocalStorage>,
    links: RwSignal<Vec<LinkView>>,
    rows: RwSignal<Vec<Row>>,
    lines: RwSignal<VecDeque<Arc<Line>>>,
    notice: RwSignal<Option<String>>,
    counter: StoredValue<u64>,
    me: Signal<String>,
    log: Logger,
    limit: u64,
}

impl Panel {
    fn new(me: Signal<String>, log: Logger, limit: u64) -> Panel {
        Panel {
            entries: StoredValue::new_local(Vec::new()),
            urls: StoredValue::new_local(Vec::new()),
            links: RwSignal::new(Vec::new()),
            rows: RwSignal::new(Vec::new()),
            lines: RwSignal::new(VecDeque::new()),
            notice: RwSignal::new(None),
            counter: StoredValue::new(0),
            me,
            log,
            limit,
        }
    }

    fn next_key(self) -> u64 {
        self.counter
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or_default()
    }

    /// This side's name, for "Cancelled by ...".
    fn me(self) -> String {
        let me = self.me.try_get_untracked().unwrap_or_default();
        if me.is_empty() {
            "you".to_owned()
        } else {
            me
        }
    }

    fn say(self, text: String) {
        self.log.info(text.clone());
        self.notice.try_set(Some(text));
    }

    // --- Channels coming and going ---

    /// Follows the list: a new channel gets handlers; a channel gone from it ends its transfers and drops them.
    fn sync(self, list: Vec<(String, ChannelHandle)>) {
        let gone = self
            .entries
            .try_update_value(|entries| {
                let (keep, gone) = std::mem::take(entries)
                    .into_iter()
                    .partition(|link| list.iter().any(|(_, handle)| link.channel.is(handle)));
                *entries = keep;
                gone
            })
            .unwrap_or_default();
        for mut link in gone {
            self.end_transfers(&mut link);
        }
        for (peer, handle) in list {
            let known = self
                .entries
                .with_value(|entries| entries.iter().any(|link| link.channel.is(&handle)));
            if !known {
                if let Err(error) = self.add(peer.clone(), handle) {
                    self.log
                        .error(format!("Could not use the data channel to {peer}: {error}"));
                }
            }
        }
        self.refresh();
    }

    fn add(self, peer: String, handle: ChannelHandle) -> Result<(), Error> {
        let key = self.next_key();
        let channel = Rc::new(DataChannel::new(&handle));
        channel.set_buffered_amount_low_threshold(LOW_WATER);
        let name = peer.clone();
        channel.on_open(move || {
            self.log.info(format!("Data channel to {name} is open"));
            self.refresh();
        })?;
        let name = peer.clone();
        channel.on_close(move || {
            self.log.info(format!("Data channel to {name} closed"));
            self.with_link(key, |link| self.end_transfers(link));
            self.refresh();
        })?;
        let name = peer.clone();
        channel
            .on_error(move |error| self.log.error(format!("Data channel to {name}: {error}")))?;
        channel.on_message(move |payload| match payload {
            Payload::Text(text) => self.receive_text(key, &text),
            Payload::Binary(buffer) => self.receive_chunk(key, &buffer),
        })?;
        channel.on_buffered_amount_low(move || {
            self.with_link(key, |link| {
                if let Some(outgoing) = &link.outgoing {
                    let _ = outgoing.drain.unbounded_send(());
                }
            });
        })?;
        self.entries.update_value(|entries| {
            entries.push(Link {
                key,
                peer,
                channel,
                incoming: None,
                outgoing: None,
            })
        });
        Ok(())
    }

    /// Recomputes the channels' states for the page.
    fn refresh(self) {
        let Some(views) = self.entries.try_with_value(|entries| {
            entries
                .iter()
                .map(|link| LinkView {
                    peer: link.peer.clone(),
                    door: Door::of(&link.channel),
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        if self.links.try_with_untracked(|links| *links != views) == Some(true) {
            self.links.try_set(views);
        }
    }

    fn with_link<U>(self, key: u64, f: impl FnOnce(&mut Link) -> U) -> Option<U> {
        self.entries
            .try_update_value(|entries| entries.iter_mut().find(|link| link.key == key).map(f))
            .flatten()
    }

    /// Fails whatever is going on over a channel that went away.
    fn end_transfers(self, link: &mut Link) {
        let reason = format!("the connection to {} closed", link.peer);
        for row in [
            link.incoming.take().map(|incoming| incoming.row),
            link.outgoing.take().map(|outgoing| outgoing.row),
        ]
        .into_iter()
        .flatten()
        {
            self.update_row(row, |row| row.end(State::Failed(reason.clone())));
            self.log.error(format!("Transfer failed: {reason}"));
        }
    }

    /// Drops everything: handlers, transfers (their tasks stop) and download links.
    fn clear(self) {
        let entries = self
            .entries
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        drop(entries);
        self.urls.try_update_value(Vec::clear);
    }

    // --- Rows ---

    fn add_row(self, outgoing: bool, peer: &str, name: &str, size: u64) -> u64 {
        let key = self.next_key();
        let mut dropped = Vec::new();
        self.rows.try_update(|rows| {
            while rows.len() >= MAX_ROWS {
                let Some(oldest) = rows.iter().position(Row::is_final) else {
                    break;
                };
                dropped.push(rows.remove(oldest).key);
            }
            rows.push(Row {
                key,
                outgoing,
                peer: peer.to_owned(),
                name: name.to_owned(),
                size,
                done: 0,
                started: now_ms(),
                elapsed: 0.0,
                state: State::Running,
                href: None,
            });
        });
        self.urls
            .try_update_value(|urls| urls.retain(|(row, _)| !dropped.contains(row)));
        key
    }

    fn update_row(self, key: u64, f: impl FnOnce(&mut Row)) {
        self.rows.try_update(|rows| {
            if let Some(row) = rows.iter_mut().find(|row| row.key == key) {
                f(row);
            }
        });
    }

    fn show_progress(self, key: u64, done: u64) {
        self.update_row(key, |row| {
            row.done = done;
            row.elapsed = now_ms() - row.started;
        });
    }

    /// Remove: the row and its download link go.
    fn remove_row(self, key: u64) {
        self.rows
            .try_update(|rows| rows.retain(|row| row.key != key || !row.is_final()));
        self.urls
            .try_update_value(|urls| urls.retain(|(row, _)| *row != key));
    }

    /// Cancel, on either side: stop sending or receiving, tell the other side, free what was received.
    fn cancel(self, key: u64) {
        let me = self.me();
        let found = self
            .entries
            .try_update_value(|entries| {
                entries.iter_mut().find_map(|link| {
                    let id = if link.incoming.as_ref().is_some_and(|i| i.row == key) {
                        link.incoming.take().map(|incoming| incoming.id)
                    } else if link.outgoing.as_ref().is_some_and(|o| o.row == key) {
                        link.outgoing.take().map(|outgoing| outgoing.id)
                    } else {
                        None
                    }?;
                    Some((link.channel.clone(), id))
                })
            })
            .flatten();
        let Some((channel, id)) = found else { return };
        // If the channel is closed, there is nobody left to tell.
        let _ = channel.send_text(
            &Message::Cancel {
                id,
                reason: CANCELLED.to_owned(),
            }
            .encode(),
        );
        self.update_row(key, |row| {
            self.log.info(format!("{me} cancelled {}", row.name));
            row.end(State::Cancelled(me.clone()));
        });
    }

    // --- Chat ---

    fn push_line(self, from: String, text: String, mine: bool) {
        let id = self.next_key();
        self.lines.try_update(|lines| {
            if lines.len() == MAX_LINES {
                lines.pop_front();
            }
            lines.push_back(Arc::new(Line {
                id,
                from,
                text,
                mine,
            }));
        });
    }

    /// Sends a chat line on every open channel; true if it went out on at least one.
    fn send_chat(self, text: String) -> bool {
        let text: String = text.trim().chars().take(MAX_TEXT).collect();
        let frame = Message::Chat { text: text.clone() }.encode();
        let mut sent = false;
        self.entries.try_with_value(|entries| {
            for link in entries.iter().filter(|link| link.channel.is_open()) {
                match link.channel.send_text(&frame) {
                    Ok(()) => sent = true,
                    Err(error) => self.log.error(format!(
                        "Could not send the message to {}: {error}",
                        link.peer
                    )),
                }
            }
        });
        if sent {
            self.push_line(self.me(), text, true);
            self.notice.try_set(None);
        } else {
            self.say("The message was not sent: no connection is open.".to_owned());
        }
        sent
    }

    // --- Receiving ---

    fn receive_text(self, key: u64, text: &str) {
        let Some(peer) = self.with_link(key, |link| link.peer.clone()) else {
            return;
        };
        match Message::decode(text) {
            Some(Message::Chat { text }) => {
                self.push_line(peer, text.chars().take(MAX_TEXT).collect(), false)
            }
            Some(Message::Offer {
                id,
                name,
                size,
                mime,
            }) => self.offered(key, &peer, id, name, size, mime),
            Some(Message::End { id, sha256 }) => self.ended(key, &peer, &id, &sha256),
            Some(Message::Cancel { id, reason }) => self.cancelled(key, &peer, &id, &reason),
            Some(Message::Received { id, verified }) => self.verdict(key, &peer, &id, verified),
            None => self.log.error(format!(
                "{peer} sent a message this page does not understand"
            )),
        }
    }

    /// A file is coming: a row, and an empty reassembly (or a refusal if it is too large).
    fn offered(self, key: u64, peer: &str, id: String, name: String, size: u64, mime: String) {
        let name: String = name.chars().take(255).collect();
        let row = self.add_row(false, peer, &name, size);
        if let Err(error) = check_size(size, self.limit) {
            let reason = format!("{} refused {name}: {error}", self.me());
            self.with_link(key, |link| {
                let _ = link.channel.send_text(
                    &Message::Cancel {
                        id,
                        reason: reason.clone(),
                    }
                    .encode(),
                );
            });
            self.update_row(row, |row| {
                row.end(State::Failed(format!("refused: {error}")))
            });
            self.log.error(reason);
            return;
        }
        self.log
            .info(format!("{peer} is sending {name} ({})", size_text(size)));
        let replaced = self
            .with_link(key, |link| {
                link.incoming
                    .replace(Incoming {
                        id,
                        row,
                        name,
                        mime,
                        file: Reassembly::new(size),
                        parts: js_sys::Array::new(),
                        scratch: Vec::new(),
                        shown_at: now_ms(),
                    })
                    .map(|old| old.row)
            })
            .flatten();
        if let Some(old) = replaced {
            self.update_row(old, |row| {
                row.end(State::Failed(
                    "the sender started another file before this one ended".to_owned(),
                ))
            });
        }
    }

    /// A chunk of the incoming file: hashed, kept as a JS array, and refused if it is one too many.
    fn receive_chunk(self, key: u64, buffer: &ArrayBuffer) {
        let now = now_ms();
        let bytes = Uint8Array::new(buffer);
        let len = bytes.length() as usize;
        let result = self.with_link(key, |link| {
            // No file coming in: leftovers of a cancelled one, still in flight. Ignored.
            let incoming = link.incoming.as_mut()?;
            if incoming.scratch.len() < len {
                incoming.scratch.resize(len, 0);
            }
            let scratch = &mut incoming.scratch[..len];
            bytes.copy_to(scratch);
            match incoming.file.accept(scratch) {
                Ok(()) => {
                    incoming.parts.push(&bytes);
                    if now - incoming.shown_at >= SHOW_EVERY_MS {
                        incoming.shown_at = now;
                        return Some(Ok((incoming.row, incoming.file.received())));
                    }
                    None
                }
                Err(error) => {
                    let incoming = link.incoming.take()?;
                    let _ = link.channel.send_text(
                        &Message::Cancel {
                            id: incoming.id,
                            reason: error.to_string(),
                        }
                        .encode(),
                    );
                    Some(Err((incoming.row, error)))
                }
            }
        });
        match result.flatten() {
            Some(Ok((row, done))) => self.show_progress(row, done),
            Some(Err((row, error))) => {
                self.log.error(format!("Transfer failed: {error}"));
                self.update_row(row, |row| row.end(State::Failed(error.to_string())));
            }
            None => {}
        }
    }

    /// The sender is done: check the size and hash, and make the download link.
    fn ended(self, key: u64, peer: &str, id: &str, sha256: &str) {
        let Some((channel, incoming)) = self
            .with_link(key, |link| {
                if link
                    .incoming
                    .as_ref()
                    .is_some_and(|incoming| incoming.id == id)
                {
                    Some((link.channel.clone(), link.incoming.take()?))
                } else {
                    None
                }
            })
            .flatten()
        else {
            return;
        };
        let Incoming {
            row,
            name,
            mime,
            file,
            parts,
            ..
        } = incoming;
        let size = file.size();
        let outcome = file
            .finish(sha256)
            .map_err(|error| error.to_string())
            .and_then(|()| {
                let blob = blob_from_parts(&parts, &mime)
                    .map_err(|error| format!("the file could not be put together: {error}"))?;
                ObjectUrl::new(&blob)
                    .map_err(|error| format!("no download link could be made: {error}"))
            });
        // The chunks are in the blob now (or not needed any more): let them go.
        drop(parts);
        let verified = outcome.is_ok();
        let _ = channel.send_text(
            &Message::Received {
                id: id.to_owned(),
                verified,
            }
            .encode(),
        );
        match outcome {
            Ok(url) => {
                let href = url.href().to_owned();
                self.urls.try_update_value(|urls| urls.push((row, url)));
                self.update_row(row, |row| {
                    row.done = size;
                    row.end(State::Verified);
                    row.href = Some(href);
                    self.log.info(format!(
                        "Received {name} ({}) from {peer} in {} ms ({}), SHA-256 verified",
                        size_text(size),
                        millis(row.elapsed),
                        rate_text(row.progress().bytes_per_second()),
                    ));
                });
            }
            Err(reason) => {
                self.log
                    .error(format!("Receiving {name} from {peer} failed: {reason}"));
                self.update_row(row, |row| row.end(State::Failed(reason)));
            }
        }
    }

    /// The other side cancelled (or gave up on) a transfer, in either direction.
    fn cancelled(self, key: u64, peer: &str, id: &str, reason: &str) {
        let row = self
            .with_link(key, |link| {
                if link
                    .incoming
                    .as_ref()
                    .is_some_and(|incoming| incoming.id == id)
                {
                    link.incoming.take().map(|incoming| incoming.row)
                } else if link
                    .outgoing
                    .as_ref()
                    .is_some_and(|outgoing| outgoing.id == id)
                {
                    link.outgoing.take().map(|outgoing| outgoing.row)
                } else {
                    None
                }
            })
            .flatten();
        let Some(row) = row else { return };
        if reason == CANCELLED {
            self.log.info(format!("{peer} cancelled a transfer"));
            self.update_row(row, |row| row.end(State::Cancelled(peer.to_owned())));
        } else {
            self.log.error(format!("Transfer failed: {reason}"));
            self.update_row(row, |row| row.end(State::Failed(reason.to_owned())));
        }
    }

    /// The receiver's verdict on a file this side sent.
    fn verdict(self, key: u64, peer: &str, id: &str, verified: bool) {
        let row = self
            .with_link(key, |link| {
                if link
                    .outgoing
                    .as_ref()
                    .is_some_and(|outgoing| outgoing.id == id)
                {
                    link.outgoing.take().map(|outgoing| outgoing.row)
                } else {
                    None
                }
            })
            .flatten();
        let Some(row) = row else { return };
        self.update_row(row, |row| {
            if verified {
                row.done = row.size;
                self.log.info(format!("{peer} verified {}", row.name));
                row.end(State::Verified);
            } else {
                let reason = format!("{peer} did not get an intact copy");
                self.log
                    .error(format!("Sending {} failed: {reason}", row.name));
                row.end(State::Failed(reason));
            }
        });
    }

    // --- Sending ---

    /// Sends `file` on every open channel that is not busy sending another.
    fn send_file(self, file: File) {
        let name = file.name();
        let size = file.size() as u64;
        if let Err(error) = check_size(size, self.limit) {
            self.say(format!("{name} was not sent: {error}."));
            return;
        }
        let mut busy = Vec::new();
        let targets = self
            .entries
            .try_with_value(|entries| {
                entries
                    .iter()
                    .filter(|link| link.channel.is_open())
                    .filter(|link| {
                        let idle = link.outgoing.is_none();
                        if !idle {
                            busy.push(link.peer.clone());
                        }
                        idle
                    })
                    .map(|link| (link.key, link.peer.clone(), link.channel.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if busy.is_empty() {
            self.notice.try_set(None);
        } else {
            self.say(format!(
                "{name} was not sent to {}: a file is still on its way there. Wait for it, or cancel it.",
                busy.join(", ")
            ));
        }
        for (key, peer, channel) in targets {
            self.start_sending(key, &peer, channel, file.clone());
        }
    }

    fn start_sending(self, key: u64, peer: &str, channel: Rc<DataChannel>, file: File) {
        let name = file.name();
        let size = file.size() as u64;
        let row = self.add_row(true, peer, &name, size);
        let id = random_hex(8).unwrap_or_else(|_| format!("{key}-{row}"));
        let (drain, drained) = unbounded();
        let (handle, registration) = AbortHandle::new_pair();
        self.with_link(key, |link| {
            link.outgoing = Some(Outgoing {
                id: id.clone(),
                row,
                drain,
                _task: Task(handle),
            })
        });
        self.log
            .info(format!("Sending {name} ({}) to {peer}", size_text(size)));
        let peer = peer.to_owned();
        let task = Abortable::new(
            send(self, row, channel.clone(), file, id.clone(), drained),
            registration,
        );
        wasm_bindgen_futures::spawn_local(async move {
            // Err(Aborted): cancelled, or the channel went away; the row says so already.
            let Ok(result) = task.await else { return };
            match result {
                Ok(()) => self.update_row(row, |row| {
                    row.done = row.size;
                    row.elapsed = now_ms() - row.started;
                    row.state = State::Sent;
                }),
                Err(error) => {
                    let reason = if channel.is_open() {
                        format!("{} could not send it: {error}", self.me())
                    } else {
                        format!("the connection to {peer} closed")
                    };
                    let _ = channel.send_text(
                        &Message::Cancel {
                            id: id.clone(),
                            reason: reason.clone(),
                        }
                        .encode(),
                    );
                    self.with_link(key, |link| {
                        if link
                            .outgoing
                            .as_ref()
                            .is_some_and(|outgoing| outgoing.id == id)
                        {
                            link.outgoing = None;
                        }
                    });
                    self.log.error(format!("Sending {name} failed: {reason}"));
                    self.update_row(row, |row| row.end(State::Failed(reason)));
                }
            }
        });
    }
}

/// Sends `file`: the offer, then the file a slice at a time in chunks, waiting for the channel's queue to drain
/// below the low-water mark whenever it is above the high one, then the end with the file's SHA-256.
async fn send(
    panel: Panel,
    row: u64,
    channel: Rc<DataChannel>,
    file: File,
    id: String,
    mut drained: UnboundedReceiver<()>,
) -> Result<(), Error> {
    let size = file.size() as u64;
    channel.send_text(
        &Message::Offer {
            id: id.clone(),
            name: file.name(),
            size,
            mime: file.type_(),
        }
        .encode(),
    )?;
    let mut hasher = Hasher::default();
    let mut scratch = Vec::new();
    let mut queued = 0;
    let mut shown_at = now_ms();
    for (start, end) in ranges(size, READ_SIZE) {
        let bytes = read_slice(&file, start, end).await?;
        let len = (end - start) as usize;
        if bytes.length() as usize != len {
            return Err(Error::Browser {
                name: "NotReadableError".into(),
                message: "the file changed while it was being sent".into(),
            });
        }
        scratch.resize(len, 0);
        bytes.copy_to(&mut scratch);
        hasher.update(&scratch);
        for (a, b) in ranges(len as u64, CHUNK_SIZE) {
            while u64::from(channel.buffered_amount()) + CHUNK_SIZE > u64::from(HIGH_WATER) {
                if drained.next().await.is_none() {
                    // The transfer was dropped (cancelled, or its channel went away); its task is aborted.
                    return Err(Error::Aborted);
                }
            }
            channel.send_bytes(&bytes.subarray(a as u32, b as u32))?;
            queued += b - a;
            let now = now_ms();
            if now - shown_at >= SHOW_EVERY_MS {
                shown_at = now;
                panel.show_progress(
                    row,
                    queued - u64::from(channel.buffered_amount()).min(queued),
                );
            }
        }
    }
    channel.send_text(
        &Message::End {
            id,
            sha256: hasher.finish(),
        }
        .encode(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(peer: &str, door: Door) -> LinkView {
        LinkView {
            peer: peer.into(),
            door,
        }
    }

    #[test]
    fn sending_says_why_it_cannot() {
        assert!(blocked_reason(&[]).unwrap().contains("nobody"));
        assert!(blocked_reason(&[view("pc2", Door::Connecting)])
            .unwrap()
            .contains("waiting for the data channel to pc2"));
        assert!(blocked_reason(&[view("a", Door::Closed)])
            .unwrap()
            .contains("connection to a has closed"));
        assert_eq!(
            blocked_reason(&[view("a", Door::Closed), view("b", Door::Open)]),
            None
        );
    }
}
