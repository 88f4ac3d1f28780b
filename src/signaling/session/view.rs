//! What the page shows of a room: the server connection's state, one tile per other person, and the
//! signals the session writes them into.

use std::rc::Rc;

use leptos::prelude::*;
use protocol::{IceServer, PeerId};

use crate::{
    log::Logger,
    model::roster::Roster,
    signaling::peer::PeerStatus,
    webrtc::{channel::ChannelHandle, PeerConnection, Stream},
};

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
    /// The STUN and TURN servers of our last welcome (with this person's TURN credentials), for the
    /// connection check.
    pub ice_servers: RwSignal<Vec<IceServer>>,
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
            ice_servers: RwSignal::new(Vec::new()),
            log,
        }
    }
}
