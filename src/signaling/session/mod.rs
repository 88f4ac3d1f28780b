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
//! The server may go away (restart, network blip) without ending a call: media flows peer to peer. We
//! **reconnect** with backoff and rejoin with the same secret, so the same id; connections that are still up are
//! kept, and signals made meanwhile are queued and sent after the rejoin.
//!
//! The session shows nothing itself: it reports [`RoomEvent`]s to a callback, which the page binds to what it
//! shows.
//!
//! Where each step lives (each a method of the session's state, `Room`, which owns one part per job):
//! - [`Session::join`], [`Session::leave`] and [`Session::rejoin`] here;
//! - `server.rs`: the WebSocket (open, then send `join`; heartbeat; **reconnect**);
//! - `messages.rs`: what the server says (`welcome`, then **dial**; arrivals, departures, **signals**);
//! - `peers.rs`: one [`RemotePeer`] per other person: adding, replacing, resuming and dropping them.
//!
//! The parts, each a plain struct with its own methods:
//! - `presence.rs`: who the server lists, and the check for the absent after a rejoin;
//! - `queue.rs`: the signals queued while the server is away;
//! - `reconnect.rs`: the reconnection backoff and the heartbeat;
//! - `events.rs`: what the session reports ([`RoomEvent`], [`PeerChange`], [`Connection`]).

mod events;
mod messages;
mod peers;
mod presence;
mod queue;
mod reconnect;
mod server;

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use protocol::{ClientMessage, IceServer, IceTransportPolicy, PeerId};

pub use self::{
    events::{Connection, PeerChange, RoomEvent},
    presence::ABSENT_GRACE_MS,
    queue::MAX_QUEUED_SIGNALS,
    reconnect::{HEARTBEAT_MS, MAX_BACKOFF_MS},
};
use self::{
    presence::Presence,
    queue::SignalQueue,
    reconnect::{Backoff, Heartbeat},
};
use super::{peer::RemotePeer, random_hex};
use crate::{
    model::roster::Roster,
    webrtc::{Socket, Stream},
};

/// Our presence in one room. Dropping it leaves the room and closes every connection.
pub struct Session {
    room: Rc<RefCell<Room>>,
}

/// A session's state, one part per job.
struct Room {
    this: Weak<RefCell<Room>>,
    report: Rc<dyn Fn(RoomEvent)>,
    ticket: Ticket,
    setup: PeerSetup,
    /// The server connection's state, as last reported.
    connection: Connection,
    socket: Option<Socket>,
    me: Option<PeerId>,
    queue: SignalQueue<ClientMessage>,
    backoff: Backoff,
    heartbeat: Heartbeat,
    /// Our connection with each other person.
    peers: Roster<PeerId, RemotePeer>,
    presence: Presence,
}

/// What we join with.
struct Ticket {
    /// The server's WebSocket (`ws://host/ws`).
    url: String,
    room: String,
    /// This page's secret: our id is derived from it. Kept for the page's lifetime, never shown.
    secret: String,
}

/// What each new connection is made with: our media, and the ICE servers of our last welcome.
struct PeerSetup {
    media: Option<Stream>,
    ice_servers: Vec<IceServer>,
    policy: IceTransportPolicy,
}

impl Session {
    /// **Join** `room` through the server at `url` (`ws://host/ws`), sending `media` to everyone there; what
    /// happens is told to `report`.
    ///
    /// Without secure random numbers there is no secret that nobody can guess, so no id of our own: the page
    /// says so and does not join.
    pub fn join(
        room: String,
        url: String,
        media: Option<Stream>,
        report: impl Fn(RoomEvent) + 'static,
    ) -> Session {
        let secret = random_hex(32);
        let refused = secret.as_ref().err().map(|error| {
            format!(
                "This browser cannot make secure random numbers ({error}), so this page cannot join a room \
                 safely. Open it in a current browser."
            )
        });
        let room = Rc::new_cyclic(|this| {
            RefCell::new(Room {
                this: this.clone(),
                report: Rc::new(report),
                ticket: Ticket {
                    url,
                    room,
                    secret: secret.unwrap_or_default(),
                },
                setup: PeerSetup {
                    media,
                    ice_servers: Vec::new(),
                    policy: IceTransportPolicy::All,
                },
                connection: Connection::Connecting,
                socket: None,
                me: None,
                queue: SignalQueue::default(),
                backoff: Backoff::default(),
                heartbeat: Heartbeat::default(),
                peers: Roster::new(),
                presence: Presence::default(),
            })
        });
        match refused {
            None => room.borrow_mut().connect(),
            Some(reason) => {
                let mut room = room.borrow_mut();
                room.emit(RoomEvent::Problem(reason.clone()));
                room.set_connection(Connection::Refused(reason));
            }
        }
        Session { room }
    }

    /// **Leave**: tell the server, close every connection, and stop reconnecting.
    pub fn leave(&self) {
        self.room.borrow_mut().leave();
    }

    /// Joins again after leaving, with the same id.
    pub fn rejoin(&self) {
        let mut room = self.room.borrow_mut();
        if room.connection.is_over() && room.socket.is_none() && !room.ticket.secret.is_empty() {
            room.backoff.reset();
            room.set_connection(Connection::Connecting);
            room.connect();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(mut room) = self.room.try_borrow_mut() {
            room.leave();
        }
    }
}

/// Runs `f` on the session if it still exists (a late event after drop is ignored).
fn with(this: &Weak<RefCell<Room>>, f: impl FnOnce(&mut Room)) {
    if let Some(room) = this.upgrade() {
        f(&mut room.borrow_mut());
    }
}

impl Room {
    fn emit(&self, event: RoomEvent) {
        (self.report)(event);
    }

    fn log(&self, text: impl Into<String>) {
        self.emit(RoomEvent::Log(text.into()));
    }

    fn notice(&self, text: String) {
        self.emit(RoomEvent::Notice(Some(text)));
    }

    fn set_connection(&mut self, connection: Connection) {
        self.connection = connection.clone();
        self.emit(RoomEvent::Connection(connection));
    }

    fn leave(&mut self) {
        if !self.connection.is_over() {
            self.send(ClientMessage::Leave);
        }
        // Over from now on, so that nothing that fires while we close reconnects; said once all is closed.
        self.connection = Connection::Left;
        self.queue.clear();
        self.backoff.cancel();
        self.heartbeat.stop();
        if let Some(socket) = self.socket.take() {
            socket.close();
        }
        self.peers.clear();
        self.presence.clear();
        self.emit(RoomEvent::PeersCleared);
        self.emit(RoomEvent::Notice(None));
        self.emit(RoomEvent::Connection(Connection::Left));
    }
}
