//! Being in a room: the signaling connection, and one [`RemotePeer`] per other person.
//!
//! The steps, in order:
//! - **Join**: open the WebSocket at `/ws` and send `join` with the room id and this page's secret. The
//!   server's `welcome` gives our peer id, who is already here, and the ICE servers.
//! - **Dial**: we connect to everyone who was already here (we offer); people who arrive after us connect to us.
//! - **Signal**: offers, answers and ICE candidates travel through the server, addressed by peer id.
//! - **Leave**: `leave`, then every connection is closed. The others are told and drop our tile. Closing the tab
//!   closes the WebSocket, and the server tells them the same.
//!
//! The server may go away (restart, network blip) without ending a call: media flows peer to peer. We reconnect
//! with backoff and rejoin with the same secret, so the same id; connections that are still up are kept.

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use leptos::prelude::*;
use protocol::{close, ClientMessage, ErrorCode, IceServer, LeaveReason, PeerId, ServerMessage};

use super::{
    peer::{PeerEvent, PeerStatus, RemotePeer},
    random_hex,
};
use crate::{
    log::Logger,
    model::roster::Roster,
    webrtc::{
        channel::ChannelHandle,
        json::{from_json, to_json},
        now_ms, Closed, PeerConnection, Socket, Stream, Timeout,
    },
};

/// How often we ask the server whether it is still there; no `pong` by the next tick means it is gone.
pub const HEARTBEAT_MS: u32 = 5_000;
/// The longest wait between two reconnection attempts.
pub const MAX_BACKOFF_MS: u32 = 10_000;

/// What the banner says while the server turns us away for being full (cleared once we are in).
const SERVER_FULL: &str = "The server is full right now. Trying again in a moment…";

/// Our connection to the signaling server, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Opening the WebSocket, or waiting for `welcome`.
    Connecting,
    /// In the room.
    Joined,
    /// The server cannot be reached (`lost`: it was, and went away; calls keep running). Next attempt in `in_ms`.
    Reconnecting {
        attempt: u32,
        in_ms: u32,
        lost: bool,
    },
    /// We left.
    Left,
    /// The server refused us for good (room full, bad room id); the text says why.
    Refused(String),
}

impl Connection {
    /// One line for the page.
    pub fn text(&self) -> String {
        match self {
            Connection::Connecting => "Connecting to the server…".into(),
            Connection::Joined => "In the room".into(),
            Connection::Reconnecting {
                attempt,
                in_ms,
                lost,
            } => format!(
                "{} Reconnecting in {} s (attempt {attempt})…",
                if *lost {
                    "Lost the server. Calls in progress keep running."
                } else {
                    "Cannot reach the server."
                },
                in_ms.div_ceil(1000)
            ),
            Connection::Left => "You left the room".into(),
            Connection::Refused(reason) => reason.clone(),
        }
    }
}

/// One other person, as their tile shows them.
#[derive(Clone)]
pub struct Tile {
    /// Their audio and video, once it arrives.
    pub stream: Option<Stream>,
    /// How the connection is doing.
    pub status: PeerStatus,
    /// When the connection to them began (`performance.now()`).
    pub since: f64,
    /// Whether we called them (we arrived after them).
    pub dialed: bool,
    /// The connection with them, for stats and track replacement.
    pub connection: Option<Rc<PeerConnection>>,
    /// Our end of the data channel with them.
    pub channel: Option<ChannelHandle>,
}

/// What the page shows of the room; the session writes it, the components read it.
#[derive(Clone, Copy)]
pub struct RoomView {
    /// The server connection.
    pub connection: RwSignal<Connection>,
    /// Our id, once welcomed.
    pub me: RwSignal<Option<PeerId>>,
    /// The other people, by id.
    pub tiles: RwSignal<Roster<PeerId, Tile>, LocalStorage>,
    /// The latest arrival or departure ("3f9a1c left").
    pub notice: RwSignal<Option<String>>,
    /// When we first sent `join` (`performance.now()`), to time the first remote frame.
    pub joined_at: RwSignal<Option<f64>>,
    /// The log, and the alert banner.
    pub log: Logger,
}

impl RoomView {
    /// An empty view: connecting, nobody here yet.
    pub fn new(log: Logger) -> Self {
        RoomView {
            connection: RwSignal::new(Connection::Connecting),
            me: RwSignal::new(None),
            tiles: RwSignal::new_local(Roster::new()),
            notice: RwSignal::new(None),
            joined_at: RwSignal::new(None),
            log,
        }
    }
}

/// Our presence in one room. Dropping it leaves the room and closes every connection.
pub struct Session {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    this: Weak<RefCell<Inner>>,
    url: String,
    room: String,
    /// This page's secret: our id is derived from it. Kept for the page's lifetime, never shown.
    secret: String,
    media: Option<Stream>,
    view: RoomView,
    socket: Option<Socket>,
    me: Option<PeerId>,
    ice_servers: Vec<IceServer>,
    peers: Roster<PeerId, RemotePeer>,
    /// Who the server says is in the room (since our last welcome).
    present: Roster<PeerId, ()>,
    /// Failed connection attempts since the last welcome.
    attempt: u32,
    retry: Option<Timeout>,
    heartbeat: Option<Timeout>,
    awaiting_pong: bool,
    /// Left, or refused: do not reconnect.
    done: bool,
}

impl Session {
    /// **Join** `room` through the server at `url` (`ws://host/ws`), sending `media` to everyone there.
    pub fn join(room: String, url: String, media: Option<Stream>, view: RoomView) -> Session {
        let secret = random_hex(32).unwrap_or_else(|error| {
            view.log.error(format!(
                "No secure random numbers ({error}); using the clock"
            ));
            format!(
                "{:032x}{:032x}",
                now_ms().to_bits(),
                js_sys::Date::now().to_bits()
            )
        });
        let inner = Rc::new_cyclic(|this| {
            RefCell::new(Inner {
                this: this.clone(),
                url,
                room,
                secret,
                media,
                view,
                socket: None,
                me: None,
                ice_servers: Vec::new(),
                peers: Roster::new(),
                present: Roster::new(),
                attempt: 0,
                retry: None,
                heartbeat: None,
                awaiting_pong: false,
                done: false,
            })
        });
        inner.borrow_mut().connect();
        Session { inner }
    }

    /// **Leave**: tell the server, close every connection, and stop reconnecting.
    pub fn leave(&self) {
        self.inner.borrow_mut().leave();
    }

    /// Joins again after leaving, with the same id.
    pub fn rejoin(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.done && inner.socket.is_none() {
            inner.done = false;
            inner.attempt = 0;
            inner.view.connection.try_set(Connection::Connecting);
            inner.connect();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.leave();
        }
    }
}

/// Runs `f` on the session if it still exists (a late event after drop is ignored).
fn with(this: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner)) {
    if let Some(inner) = this.upgrade() {
        f(&mut inner.borrow_mut());
    }
}

impl Inner {
    fn log(&self, text: impl Into<String>) {
        self.view.log.info(text);
    }

    fn connect(&mut self) {
        self.retry = None;
        let (open, text, closed) = (self.this.clone(), self.this.clone(), self.this.clone());
        let socket = Socket::open(
            &self.url,
            move || with(&open, Inner::opened),
            move |frame| with(&text, |inner| inner.received(&frame)),
            move |reason| with(&closed, |inner| inner.closed(reason)),
        );
        match socket {
            Ok(socket) => self.socket = Some(socket),
            Err(error) => {
                self.log(format!("Could not open the server connection: {error}"));
                self.schedule_reconnect();
            }
        }
    }

    fn opened(&mut self) {
        self.log(format!(
            "Connected to the server; joining room {}",
            self.room
        ));
        if self.view.joined_at.get_untracked().is_none() {
            self.view.joined_at.try_set(Some(now_ms()));
        }
        self.send(&ClientMessage::Join {
            version: protocol::VERSION,
            room: self.room.clone(),
            secret: self.secret.clone(),
        });
        self.awaiting_pong = false;
        self.schedule_heartbeat();
    }

    fn send(&self, message: &ClientMessage) {
        match &self.socket {
            Some(socket) if socket.is_open() => {
                if let Err(error) = to_json(message).and_then(|text| socket.send(&text)) {
                    self.view
                        .log
                        .error(format!("Could not send to the server: {error}"));
                }
            }
            _ => {
                if let ClientMessage::Signal { to, .. } = message {
                    self.log(format!(
                        "Not connected to the server: a message for {} was not sent",
                        to.short()
                    ));
                }
            }
        }
    }

    fn received(&mut self, frame: &str) {
        let message = match from_json::<ServerMessage>(frame) {
            Ok(message) => message,
            Err(error) => {
                self.view.log.error(format!(
                    "The server sent something unreadable: not a protocol message: {error}"
                ));
                return;
            }
        };
        match message {
            ServerMessage::Welcome {
                id,
                peers,
                ice_servers,
                ..
            } => self.welcomed(id, peers, ice_servers),
            ServerMessage::PeerJoined { id } => {
                self.present.insert(id.clone(), ());
                if self.peers.contains_key(&id) {
                    self.log(format!(
                        "{} is back on the server; the call continues",
                        id.short()
                    ));
                } else {
                    self.notice(format!("{} joined", id.short()));
                    // They will call us: wait for their offer.
                    self.add_peer(id, false);
                }
            }
            ServerMessage::PeerLeft { id, reason } => self.peer_left(id, reason),
            ServerMessage::Signal { from, signal } => {
                self.present.insert(from.clone(), ());
                if !self.peers.contains_key(&from) {
                    // Their signal overtook the server's news of them (for example right after a restart).
                    self.add_peer(from.clone(), false);
                }
                if let Some(peer) = self.peers.get(&from) {
                    peer.receive(signal);
                }
            }
            ServerMessage::Error { code, message } => self.refused(code, message),
            ServerMessage::Pong => self.awaiting_pong = false,
        }
    }

    fn welcomed(&mut self, id: PeerId, peers: Vec<PeerId>, ice_servers: Vec<IceServer>) {
        let again = self.me.as_ref() == Some(&id);
        self.present = peers.iter().cloned().collect();
        self.attempt = 0;
        self.ice_servers = ice_servers;
        self.me = Some(id.clone());
        self.view.me.try_set(Some(id.clone()));
        self.view.connection.try_set(Connection::Joined);
        if self.view.log.current_problem().get_untracked().as_deref() == Some(SERVER_FULL) {
            self.view.log.clear_problem();
        }
        if again {
            self.log(format!("Rejoined room {} as {}", self.room, id.short()));
        } else {
            self.log(format!(
                "Joined room {} as {}; {} already here",
                self.room,
                id.short(),
                peers.len()
            ));
        }
        for peer in peers {
            if self.peers.contains_key(&peer) {
                self.log(format!(
                    "Still connected to {}: no new call needed",
                    peer.short()
                ));
            } else {
                // **Dial**: we are the newcomer, so we make the offer.
                self.add_peer(peer, true);
            }
        }
    }

    fn add_peer(&mut self, id: PeerId, dial: bool) {
        let Some(me) = self.me.clone() else {
            return;
        };
        let this = self.this.clone();
        let from = id.clone();
        let tiles = self.view.tiles;
        tiles.try_update(|tiles| {
            tiles.insert(
                id.clone(),
                Tile {
                    stream: None,
                    status: PeerStatus::Connecting,
                    since: now_ms(),
                    dialed: dial,
                    connection: None,
                    channel: None,
                },
            );
        });
        let log = self.view.log;
        let name = id.short().to_owned();
        let report = move |event: PeerEvent| match event {
            PeerEvent::Signal(signal) => with(&this, |inner| {
                inner.send(&ClientMessage::Signal {
                    to: from.clone(),
                    signal,
                })
            }),
            PeerEvent::Stream(stream) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.stream = Some(stream);
                    }
                });
            }
            PeerEvent::Status(status) => {
                if let PeerStatus::Failed(reason) = &status {
                    let mut gone = false;
                    with(&this, |inner| gone = inner.drop_if_gone(&from));
                    if gone {
                        return;
                    }
                    log.problem(format!("Could not connect: {reason}"));
                }
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.status = status;
                    }
                });
            }
            PeerEvent::Channel(channel) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.channel = Some(channel);
                    }
                });
            }
            PeerEvent::Log(text) => log.info(format!("{name}: {text}")),
        };
        match RemotePeer::connect(
            &me,
            id.clone(),
            dial,
            &self.ice_servers,
            self.media.clone(),
            report,
        ) {
            Ok(peer) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&id) {
                        tile.connection = Some(peer.connection());
                    }
                });
                self.log(if dial {
                    format!("Calling {}", id.short())
                } else {
                    format!("Waiting for {} to call", id.short())
                });
                self.peers.insert(id, peer);
            }
            Err(error) => {
                self.view.log.problem(format!(
                    "Could not make a connection for {}: {error}",
                    id.short()
                ));
                tiles.try_update(|tiles| tiles.remove(&id));
            }
        }
    }

    /// A connection that failed to someone the server no longer lists: they left while the server was away.
    /// Their tile goes, as if the server had said so. Returns whether they were dropped.
    fn drop_if_gone(&mut self, id: &PeerId) -> bool {
        if self.present.contains_key(id)
            || self.view.connection.get_untracked() != Connection::Joined
        {
            return false;
        }
        self.peers.remove(id);
        self.view.tiles.try_update(|tiles| tiles.remove(id));
        self.notice(format!("{} is gone (no longer in the room)", id.short()));
        true
    }

    fn peer_left(&mut self, id: PeerId, reason: LeaveReason) {
        self.present.remove(&id);
        let why = match reason {
            LeaveReason::Left => "left",
            LeaveReason::Disconnected => "disconnected",
            LeaveReason::TimedOut => "stopped responding",
            LeaveReason::Removed => "was removed by the server",
        };
        if let Some(peer) = self.peers.remove(&id) {
            drop(peer);
            self.view.tiles.try_update(|tiles| tiles.remove(&id));
            self.notice(format!("{} {why}", id.short()));
        }
    }

    fn notice(&self, text: String) {
        self.log(text.clone());
        self.view.notice.try_set(Some(text));
    }

    fn refused(&mut self, code: ErrorCode, message: String) {
        match code {
            ErrorCode::RoomFull
            | ErrorCode::BadRoom
            | ErrorCode::UnsupportedVersion
            | ErrorCode::BadSecret => {
                let reason = match code {
                    ErrorCode::RoomFull => "This room is full. Ask for a new room link.".to_owned(),
                    ErrorCode::BadRoom => "This is not a valid room link.".to_owned(),
                    ErrorCode::UnsupportedVersion => {
                        "The server runs another version of this app. Reload the page.".to_owned()
                    }
                    _ => format!("The server refused to let us in: {message}"),
                };
                self.view.log.problem(reason.clone());
                self.view.connection.try_set(Connection::Refused(reason));
                self.done = true;
                self.socket = None;
                self.heartbeat = None;
            }
            // Too many people on the server: the socket closes, and we try again with backoff.
            ErrorCode::ServerFull => self.view.log.problem(SERVER_FULL),
            // A peer that left while our message was on its way: nothing to do.
            ErrorCode::UnknownPeer => self.log(format!("The server: {message}")),
            _ => self
                .view
                .log
                .error(format!("The server refused a message: {message}")),
        }
    }

    fn closed(&mut self, reason: Closed) {
        self.socket = None;
        self.heartbeat = None;
        if self.done {
            return;
        }
        let why = if reason.reason.is_empty() {
            format!("code {}", reason.code)
        } else {
            format!("{} (code {})", reason.reason, reason.code)
        };
        if reason.code == close::REPLACED {
            let text = "This page joined the room again on another connection; this one stopped."
                .to_owned();
            self.view
                .connection
                .try_set(Connection::Refused(text.clone()));
            self.view.log.problem(text);
            self.done = true;
            return;
        }
        self.log(if self.me.is_some() {
            format!("Lost the server connection: {why}")
        } else {
            format!("Could not connect to the server: {why}")
        });
        self.schedule_reconnect();
    }

    fn schedule_reconnect(&mut self) {
        self.attempt += 1;
        let base = 500u32
            .saturating_mul(1 << self.attempt.min(6).saturating_sub(1))
            .min(MAX_BACKOFF_MS);
        // Up to 25% jitter, so that a room full of pages does not come back in lockstep.
        let in_ms = base + (f64::from(base) * 0.25 * js_sys::Math::random()) as u32;
        self.view.connection.try_set(Connection::Reconnecting {
            attempt: self.attempt,
            in_ms,
            lost: self.me.is_some(),
        });
        self.log(format!(
            "Reconnecting in {} ms (attempt {})",
            in_ms, self.attempt
        ));
        let this = self.this.clone();
        self.retry = Timeout::new(in_ms, move || with(&this, Inner::connect)).ok();
    }

    fn schedule_heartbeat(&mut self) {
        let this = self.this.clone();
        self.heartbeat = Timeout::new(HEARTBEAT_MS, move || with(&this, Inner::beat)).ok();
    }

    /// Ping the server; if the last ping went unanswered, the connection is dead: drop it and reconnect.
    fn beat(&mut self) {
        if self.awaiting_pong {
            if let Some(socket) = self.socket.take() {
                socket.close();
            }
            self.closed(Closed {
                code: 4002,
                reason: "the server stopped answering".into(),
            });
            return;
        }
        self.awaiting_pong = true;
        self.send(&ClientMessage::Ping);
        self.schedule_heartbeat();
    }

    fn leave(&mut self) {
        if !self.done {
            self.send(&ClientMessage::Leave);
        }
        self.done = true;
        self.retry = None;
        self.heartbeat = None;
        if let Some(socket) = self.socket.take() {
            socket.close();
        }
        self.peers.clear();
        self.present.clear();
        self.view.tiles.try_update(Roster::clear);
        self.view.notice.try_set(None);
        self.view.connection.try_set(Connection::Left);
    }
}
