//! What a session tells its owner: [`RoomEvent`]s, and the server connection's state ([`Connection`]). The page
//! binds them to what it shows; the session itself knows nothing of views.

use std::rc::Rc;

use protocol::{IceServer, PeerId};

use crate::{
    signaling::peer::PeerStatus,
    webrtc::{channel::ChannelHandle, PeerConnection, Stream},
};

/// Something that happened in the room, in the order it happened.
pub enum RoomEvent {
    /// The server connection's state changed.
    Connection(Connection),
    /// The server gave us our id.
    Me(PeerId),
    /// We sent `join` (the first one times the first remote frame).
    JoinSent,
    /// The STUN and TURN servers of our latest welcome (with this person's TURN credentials).
    IceServers(Vec<IceServer>),
    /// The latest arrival or departure ("3f9a1c left"), worth a log line too; `None` clears it.
    Notice(Option<String>),
    /// Something about one other person.
    Peer(PeerId, PeerChange),
    /// Everyone else is gone from our side (we left).
    PeersCleared,
    /// A step worth a line in the log.
    Log(String),
    /// A failure worth a red line in the log.
    Error(String),
    /// A failure the person must see in the alert banner.
    Problem(String),
    /// A passing failure is over: the banner goes if it still shows this text.
    ProblemOver(&'static str),
}

/// What changed about one other person.
pub enum PeerChange {
    /// We are connecting to them: since `since` (`performance.now()`); `dialed`: we called them.
    Added { since: f64, dialed: bool },
    /// The connection with them, for stats and track replacement.
    Connection(Rc<PeerConnection>),
    /// Their audio and video arrived.
    Stream(Stream),
    /// How the connection is doing.
    Status(PeerStatus),
    /// Our end of the data channel with them.
    Channel(ChannelHandle),
    /// They are gone, with their connection.
    Removed,
}

/// Our connection to the signaling server.
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
    /// Whether the session has stopped for good: it left, or was refused. It does not reconnect then.
    pub fn is_over(&self) -> bool {
        matches!(self, Connection::Left | Connection::Refused(_))
    }

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

#[cfg(test)]
mod tests {
    use super::Connection;

    #[test]
    fn the_page_reads_the_connection_in_words() {
        let lost = Connection::Reconnecting {
            attempt: 2,
            in_ms: 1_001,
            lost: true,
        };
        assert_eq!(
            lost.text(),
            "Lost the server. Calls in progress keep running. Reconnecting in 2 s (attempt 2)…"
        );
        assert!(Connection::Left.is_over() && Connection::Refused("full".into()).is_over());
        assert!(!lost.is_over() && !Connection::Joined.is_over());
    }
}
