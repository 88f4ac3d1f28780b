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
//!
//! Where each step lives:
//! - [`Session::join`], [`Session::leave`] and [`Session::rejoin`] here;
//! - `server.rs`: the WebSocket (open, then send `join`; heartbeat; **reconnect** with backoff);
//! - `messages.rs`: what the server says (`welcome`, then **dial**; arrivals, departures, **signals**);
//! - `peers.rs`: one [`RemotePeer`] and one [`Tile`] per other person;
//! - `view.rs`: what the page shows ([`RoomView`], [`Connection`], [`Tile`]).
//!
//! This file is a little over 150 lines: the session's whole state (`Inner`) stays in one place, beside the
//! steps that make it and end it.

mod messages;
mod peers;
mod server;
mod view;

use std::{
    cell::RefCell,
    collections::VecDeque,
    rc::{Rc, Weak},
};

use leptos::prelude::*;
use protocol::{ClientMessage, IceServer, IceTransportPolicy, PeerId};

pub use self::{
    peers::ABSENT_GRACE_MS,
    server::{HEARTBEAT_MS, MAX_BACKOFF_MS, MAX_HELD_SIGNALS},
    view::{Connection, RoomView, Tile},
};
use super::{peer::RemotePeer, random_hex};
use crate::{
    model::roster::Roster,
    webrtc::{Socket, Stream, Timeout},
};

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
    ice_transport_policy: IceTransportPolicy,
    peers: Roster<PeerId, RemotePeer>,
    /// Who the server says is in the room (since our last welcome).
    present: Roster<PeerId, ()>,
    /// Failed connection attempts since the last welcome.
    attempt: u32,
    retry: Option<Timeout>,
    heartbeat: Option<Timeout>,
    awaiting_pong: bool,
    /// Signals for the others made while the server was away, to send after the rejoin.
    held: VecDeque<ClientMessage>,
    /// How many held signals were dropped for want of room.
    held_dropped: u32,
    /// Dropping the people who did not come back after our rejoin.
    absent_check: Option<Timeout>,
    /// Left, or refused: do not reconnect.
    done: bool,
}

impl Session {
    /// **Join** `room` through the server at `url` (`ws://host/ws`), sending `media` to everyone there.
    ///
    /// Without secure random numbers there is no secret that nobody can guess, so no id of our own: the page
    /// says so and does not join.
    pub fn join(room: String, url: String, media: Option<Stream>, view: RoomView) -> Session {
        let secret = random_hex(32);
        let refused = secret.as_ref().err().map(|error| {
            format!(
                "This browser cannot make secure random numbers ({error}), so this page cannot join a room \
                 safely. Open it in a current browser."
            )
        });
        let inner = Rc::new_cyclic(|this| {
            RefCell::new(Inner {
                this: this.clone(),
                url,
                room,
                secret: secret.unwrap_or_default(),
                media,
                view,
                socket: None,
                me: None,
                ice_servers: Vec::new(),
                ice_transport_policy: IceTransportPolicy::All,
                peers: Roster::new(),
                present: Roster::new(),
                attempt: 0,
                retry: None,
                heartbeat: None,
                awaiting_pong: false,
                held: VecDeque::new(),
                held_dropped: 0,
                absent_check: None,
                done: false,
            })
        });
        match refused {
            None => inner.borrow_mut().connect(),
            Some(reason) => {
                let mut inner = inner.borrow_mut();
                inner.done = true;
                inner.view.log.problem(reason.clone());
                inner.view.connection.try_set(Connection::Refused(reason));
            }
        }
        Session { inner }
    }

    /// **Leave**: tell the server, close every connection, and stop reconnecting.
    pub fn leave(&self) {
        self.inner.borrow_mut().leave();
    }

    /// Joins again after leaving, with the same id.
    pub fn rejoin(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.done && inner.socket.is_none() && !inner.secret.is_empty() {
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

    fn notice(&self, text: String) {
        self.log(text.clone());
        self.view.notice.try_set(Some(text));
    }

    fn leave(&mut self) {
        if !self.done {
            self.send(ClientMessage::Leave);
        }
        self.done = true;
        self.held.clear();
        self.absent_check = None;
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
