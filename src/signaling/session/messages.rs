//! What the server tells us: `welcome` (then we **dial** everyone already here), arrivals and departures,
//! **signals** from other peers, pongs, and refusals.

use protocol::{ErrorCode, IceServer, PeerId, ServerMessage};

use super::{Connection, Room, RoomEvent};
use crate::webrtc::json::from_json;

/// What the banner says while the server turns us away for being full (cleared once we are in).
const SERVER_FULL: &str = "The server is full right now. Trying again in a moment…";
/// What the banner says while the server cannot reach its room directory (cleared once we are in).
const UNAVAILABLE: &str =
    "The server cannot reach its room directory right now. Trying again in a moment…";

impl Room {
    /// One frame from the server.
    pub(super) fn received(&mut self, frame: &str) {
        let message = match from_json::<ServerMessage>(frame) {
            Ok(message) => message,
            Err(error) => {
                self.emit(RoomEvent::Error(format!(
                    "The server sent something unreadable: not a protocol message: {error}"
                )));
                return;
            }
        };
        match message {
            ServerMessage::Welcome {
                id,
                peers,
                ice_servers,
                ice_transport_policy,
                ..
            } => {
                // Fresh TURN credentials with every welcome; connections made from now on use them.
                self.setup.policy = ice_transport_policy;
                self.emit(RoomEvent::IceServers(ice_servers.clone()));
                self.welcomed(id, peers, ice_servers)
            }
            ServerMessage::PeerJoined { id } => {
                self.presence.arrived(&id);
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
            ServerMessage::Signal { from, call, signal } => self.signal_from(from, call, signal),
            ServerMessage::Error { code, message } => self.refused(code, message),
            ServerMessage::Pong => self.heartbeat.pong(),
        }
    }

    /// In the room: then **dial** everyone who was here before us.
    fn welcomed(&mut self, id: PeerId, peers: Vec<PeerId>, ice_servers: Vec<IceServer>) {
        let again = self.me.as_ref() == Some(&id);
        self.presence.welcome(&peers);
        self.backoff.reset();
        self.setup.ice_servers = ice_servers;
        self.me = Some(id.clone());
        self.emit(RoomEvent::Me(id.clone()));
        self.set_connection(Connection::Joined);
        self.emit(RoomEvent::ProblemOver(SERVER_FULL));
        self.emit(RoomEvent::ProblemOver(UNAVAILABLE));
        if again {
            self.log(format!(
                "Rejoined room {} as {}",
                self.ticket.room,
                id.short()
            ));
            self.refresh_ice_servers();
        } else {
            self.log(format!(
                "Joined room {} as {}; {} already here",
                self.ticket.room,
                id.short(),
                peers.len()
            ));
        }
        // What we said to the others while the server was away goes first, in order.
        self.send_queued();
        self.resume_calls();
        for peer in peers {
            if !self.peers.contains_key(&peer) {
                // **Dial**: we are the newcomer, so we make the offer.
                self.add_peer(peer, true);
            }
        }
    }

    /// The connections that are up keep running on their relay; fresh TURN credentials from this welcome are for
    /// their next ICE restart, which would otherwise ask the TURN server with expired ones.
    fn refresh_ice_servers(&self) {
        for peer in self.peers.values() {
            if let Err(error) = peer
                .connection()
                .set_ice_servers(&self.setup.ice_servers, self.setup.policy)
            {
                self.log(format!(
                    "Could not give the connection to {} fresh ICE servers: {error}",
                    peer.id().short()
                ));
            }
        }
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
                self.emit(RoomEvent::Problem(reason.clone()));
                self.set_connection(Connection::Refused(reason));
                self.socket = None;
                self.heartbeat.stop();
            }
            // Too many people on the server, or its room directory out of reach: the server closes the socket
            // (1013), and we try again with backoff.
            ErrorCode::ServerFull => self.emit(RoomEvent::Problem(SERVER_FULL.into())),
            ErrorCode::Unavailable => self.emit(RoomEvent::Problem(UNAVAILABLE.into())),
            // A peer that left while our message was on its way: nothing to do.
            ErrorCode::UnknownPeer => self.log(format!("The server: {message}")),
            _ => self.emit(RoomEvent::Error(format!(
                "The server refused a message: {message}"
            ))),
        }
    }
}
