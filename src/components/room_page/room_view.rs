//! What the page shows of a room, as signals ([`RoomView`]), and the hook that writes a session's events into
//! them and into the log ([`RoomView::reporter`]).

use std::rc::Rc;

use leptos::prelude::*;
use protocol::{IceServer, PeerId};

use crate::{
    log::Logger,
    model::roster::Roster,
    signaling::{
        peer::PeerStatus,
        session::{Connection, PeerChange, RoomEvent},
    },
    webrtc::{channel::ChannelHandle, now_ms, PeerConnection, Stream},
};

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

/// What the page shows of the room; the session's events write it, the components read it.
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

    /// The session's callback: each event, written into the view. Events that come after the page unmounted
    /// are ignored (the `try_` writes).
    pub fn reporter(self) -> impl Fn(RoomEvent) + 'static {
        move |event| self.apply(event)
    }

    fn apply(&self, event: RoomEvent) {
        let log = self.log;
        match event {
            RoomEvent::Connection(connection) => {
                self.connection.try_set(connection);
            }
            RoomEvent::Me(id) => {
                self.me.try_set(Some(id));
            }
            RoomEvent::JoinSent => {
                if self.joined_at.try_get_untracked() == Some(None) {
                    self.joined_at.try_set(Some(now_ms()));
                }
            }
            RoomEvent::IceServers(servers) => {
                self.ice_servers.try_set(servers);
            }
            RoomEvent::Notice(notice) => {
                if let Some(text) = &notice {
                    log.info(text.clone());
                }
                self.notice.try_set(notice);
            }
            RoomEvent::Peer(id, change) => self.change_tile(id, change),
            RoomEvent::PeersCleared => {
                self.tiles.try_update(Roster::clear);
            }
            RoomEvent::Log(text) => log.info(text),
            RoomEvent::Error(text) => log.error(text),
            RoomEvent::Problem(text) => log.problem(text),
            RoomEvent::ProblemOver(text) => {
                if log
                    .current_problem()
                    .try_get_untracked()
                    .flatten()
                    .as_deref()
                    == Some(text)
                {
                    log.clear_problem();
                }
            }
        }
    }

    fn change_tile(&self, id: PeerId, change: PeerChange) {
        self.tiles.try_update(|tiles| match change {
            PeerChange::Added { since, dialed } => {
                tiles.insert(id, Tile::new(since, dialed));
            }
            PeerChange::Removed => {
                tiles.remove(&id);
            }
            change => {
                if let Some(tile) = tiles.get_mut(&id) {
                    tile.change(change);
                }
            }
        });
    }
}

impl Tile {
    /// A new person's tile: connecting since `since`; `dialed`: we called them.
    fn new(since: f64, dialed: bool) -> Tile {
        Tile {
            stream: None,
            status: PeerStatus::Connecting,
            since,
            dialed,
            connection: None,
            channel: None,
        }
    }

    fn change(&mut self, change: PeerChange) {
        match change {
            PeerChange::Connection(connection) => self.connection = Some(connection),
            PeerChange::Stream(stream) => self.stream = Some(stream),
            PeerChange::Status(status) => self.status = status,
            PeerChange::Channel(channel) => self.channel = Some(channel),
            PeerChange::Added { .. } | PeerChange::Removed => {}
        }
    }
}
