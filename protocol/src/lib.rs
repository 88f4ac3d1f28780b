//! The signaling protocol between the browser app and the server.
//!
//! Over 300 lines: every message of the protocol in one file, so a reader of either side sees the whole wire format.
//!
//! Every WebSocket text frame carries one JSON object with a `"type"` field. The browser sends a
//! [`ClientMessage`], the server answers with [`ServerMessage`]s. Both sides use this crate, so they cannot
//! disagree about the shape of a message.
//!
//! A session goes like this:
//! 1. the client sends `join` with the room id and its secret;
//! 2. the server answers `welcome`: the client's peer id (derived from the secret), the peers already in the
//!    room, and the ICE servers to use;
//! 3. clients exchange offers, answers and ICE candidates with `signal`, addressed by peer id; the server relays
//!    them to the named peer in the same room only;
//! 4. everyone in the room is told `peer-joined` and `peer-left`;
//! 5. `ping` / `pong` lets the client notice a dead server.
//!
//! **Identity.** A page keeps a random secret for its lifetime and sends it in `join`. Its public peer id is a
//! hash of the secret, so a restarted server, which remembers nothing, gives a returning page the same id, and
//! nobody who only knows an id can claim it. A reload makes a new secret: a new person.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The protocol version. `join` carries it; the server refuses a version it does not speak.
pub const VERSION: u32 = 1;

/// The longest room id the server accepts.
pub const ROOM_ID_MAX_LEN: usize = 64;
/// The shortest and longest secret the server accepts (characters).
pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 32..=128;

/// A WebSocket close code the server uses when it ends a connection on purpose (4000–4999 are free for
/// applications). The reason string says why in words.
pub mod close {
    /// The client kept sending frames that are not protocol messages.
    pub const TOO_MANY_BAD_MESSAGES: u16 = 4000;
    /// The client did not read its messages fast enough.
    pub const SLOW_CONSUMER: u16 = 4001;
    /// No sign of life within the heartbeat timeout.
    pub const TIMED_OUT: u16 = 4002;
    /// The same peer joined again on a newer connection (for example after a network blip).
    pub const REPLACED: u16 = 4003;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The server holds the most connections it may (1013, "try again later").
    pub const SERVER_FULL: u16 = 1013;
    /// A frame was larger than the server accepts.
    pub const TOO_BIG: u16 = 1009;
    /// The client sent more than its rate limit allows.
    pub const RATE_LIMITED: u16 = 4004;
}

/// A peer's public id: hex of the first 16 bytes of SHA-256 of its secret.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(transparent)]
pub struct PeerId(pub String);

impl PeerId {
    /// Derives the public id from a secret. Only the holder of the secret can present it.
    #[cfg(feature = "identity")]
    pub fn from_secret(secret: &str) -> PeerId {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(secret.as_bytes());
        let mut hex = String::with_capacity(32);
        for byte in &digest[..16] {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 15)]));
        }
        PeerId(hex)
    }

    /// A short form for people: the first 6 characters.
    pub fn short(&self) -> &str {
        self.0.get(..6).unwrap_or(&self.0)
    }
}

#[cfg(feature = "identity")]
const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `id` is an acceptable room id: 1 to [`ROOM_ID_MAX_LEN`] characters of `A-Z a-z 0-9 _ -`.
pub fn is_valid_room_id(id: &str) -> bool {
    (1..=ROOM_ID_MAX_LEN).contains(&id.len()) && id.bytes().all(is_id_byte)
}

/// Whether `secret` is an acceptable secret: [`SECRET_LEN`] characters of `A-Z a-z 0-9 _ -`.
pub fn is_valid_secret(secret: &str) -> bool {
    SECRET_LEN.contains(&secret.len()) && secret.bytes().all(is_id_byte)
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A STUN or TURN server for RTCPeerConnection's configuration.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Which candidates a page's connections may use (RTCConfiguration's `iceTransportPolicy`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum IceTransportPolicy {
    /// Any candidate: direct, through STUN, or relayed.
    #[default]
    All,
    /// Only relayed (TURN) candidates: every connection goes through the relay, and no peer learns another's
    /// address.
    Relay,
}

impl IceTransportPolicy {
    /// `"all"` or `"relay"`, as RTCConfiguration spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IceTransportPolicy::All => "all",
            IceTransportPolicy::Relay => "relay",
        }
    }
}

/// What one peer sends another through the server: the steps of the offer/answer exchange and trickle ICE.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signal {
    /// A session description of type offer.
    Offer { sdp: String },
    /// A session description of type answer.
    Answer { sdp: String },
    /// One trickled ICE candidate.
    Candidate {
        candidate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_m_line_index: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        username_fragment: Option<String>,
    },
    /// The sender has gathered all its candidates.
    EndOfCandidates,
    /// The call this signal answers is gone on the sender's side (for example it dropped the call while the
    /// server said we had timed out): make a new call instead of renegotiating the old one.
    CallEnded,
    /// Please restart ICE: sent to the side whose offer opened the call, which makes every later offer.
    /// (Firefox answers a re-offer from the side that answered first with the opposite DTLS role, and Chromium
    /// refuses that answer; offers from the first offerer work everywhere.)
    RestartIce,
}

/// Which call a signal belongs to: the sender's connection, and the receiver's as the sender knows it.
///
/// Each side numbers its connection to a peer at random when it makes it. A signal for an older connection is
/// then told apart from one for the current one, so a late candidate or answer from a call that was dropped and
/// made again (a rejoin after a long outage) is ignored instead of applied to the new connection.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRef {
    /// The sender's connection.
    pub from: u32,
    /// The receiver's connection, once the sender has heard from it; `None` on a first offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
}

/// Browser to server.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientMessage {
    /// Enter a room. `secret` is the page's random secret; the server derives the peer id from it.
    Join {
        version: u32,
        room: String,
        secret: String,
    },
    /// Relay `signal` to peer `to` in the same room. `call` says which connections it belongs to; the server
    /// passes it on untouched.
    Signal {
        to: PeerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallRef>,
        signal: Signal,
    },
    /// Leave the room on purpose (the others are told `peer-left` with reason `left`).
    Leave,
    /// Are you there? The server answers `pong`.
    Ping,
}

/// Why a peer left.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum LeaveReason {
    /// It sent `leave` (the Leave button).
    Left,
    /// Its connection closed without `leave` (tab closed, reload, network gone).
    Disconnected,
    /// It stopped answering heartbeats.
    TimedOut,
    /// The server disconnected it (too slow, too much junk, too many messages).
    Removed,
}

/// What went wrong with a client's message. The connection stays open unless the server also closes it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// Not JSON, or not a message this protocol knows.
    BadMessage,
    /// `join` with a version the server does not speak.
    UnsupportedVersion,
    /// The frame was over the size limit.
    TooLarge,
    /// Too many messages too fast.
    RateLimited,
    /// A `signal` or `leave` before `join`.
    NotJoined,
    /// A second `join` on the same connection.
    AlreadyJoined,
    /// The room id is not 1–64 characters of A-Z a-z 0-9 _ -.
    BadRoom,
    /// The secret is not 32–128 characters of A-Z a-z 0-9 _ -.
    BadSecret,
    /// The room already holds the most people it may.
    RoomFull,
    /// The server holds the most rooms or connections it may.
    ServerFull,
    /// A `signal` to a peer that is not in your room.
    UnknownPeer,
    /// The server cannot reach what it needs for this (its shared room directory): try again later.
    Unavailable,
    /// A code from a newer server.
    #[serde(other)]
    Other,
}

/// Server to browser.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// You are in `room` as `id`. `peers` were there before you; `ice_servers` (with TURN credentials made
    /// for you, valid for a while) and `ice_transport_policy` configure your connections.
    Welcome {
        version: u32,
        id: PeerId,
        room: String,
        peers: Vec<PeerId>,
        ice_servers: Vec<IceServer>,
        /// Absent from older servers: `all`.
        #[serde(default, skip_serializing_if = "is_all")]
        ice_transport_policy: IceTransportPolicy,
    },
    /// `id` entered your room.
    PeerJoined { id: PeerId },
    /// `id` left your room.
    PeerLeft { id: PeerId, reason: LeaveReason },
    /// `from`, in your room, sent you `signal`, for the connections `call` names.
    Signal {
        from: PeerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<CallRef>,
        signal: Signal,
    },
    /// Your last message was refused.
    Error { code: ErrorCode, message: String },
    /// The answer to `ping`.
    Pong,
}

fn is_all(policy: &IceTransportPolicy) -> bool {
    *policy == IceTransportPolicy::All
}

/// A frame that is not a message of this protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a protocol message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(feature = "json")]
macro_rules! codec {
    ($ty:ty) => {
        impl $ty {
            /// Parses one frame.
            pub fn decode(text: &str) -> Result<Self, DecodeError> {
                serde_json::from_str(text).map_err(|e| DecodeError(e.to_string()))
            }

            /// Writes one frame.
            pub fn encode(&self) -> String {
                // Infallible: every field is a string, number, bool, list or struct with string keys.
                serde_json::to_string(self).unwrap_or_default()
            }
        }
    };
}

#[cfg(feature = "json")]
mod splice;
#[cfg(feature = "json")]
pub use splice::SignalEnvelope;

#[cfg(feature = "json")]
codec!(ClientMessage);
#[cfg(feature = "json")]
codec!(ServerMessage);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_readable_shape() {
        let join = ClientMessage::Join {
            version: VERSION,
            room: "abc".into(),
            secret: "s".repeat(32),
        };
        assert_eq!(
            join.encode(),
            format!(
                r#"{{"type":"join","version":1,"room":"abc","secret":"{}"}}"#,
                "s".repeat(32)
            )
        );
        let signal = ServerMessage::Signal {
            from: PeerId("p1".into()),
            call: None,
            signal: Signal::EndOfCandidates,
        };
        assert_eq!(
            signal.encode(),
            r#"{"type":"signal","from":"p1","signal":{"kind":"end-of-candidates"}}"#
        );
        let signal = ClientMessage::Signal {
            to: PeerId("p2".into()),
            call: Some(CallRef {
                from: 7,
                to: Some(9),
            }),
            signal: Signal::CallEnded,
        };
        assert_eq!(
            signal.encode(),
            r#"{"type":"signal","to":"p2","call":{"from":7,"to":9},"signal":{"kind":"call-ended"}}"#
        );
        let left = ServerMessage::PeerLeft {
            id: PeerId("p1".into()),
            reason: LeaveReason::TimedOut,
        };
        assert_eq!(
            left.encode(),
            r#"{"type":"peer-left","id":"p1","reason":"timed-out"}"#
        );
    }

    #[test]
    fn the_relay_policy_is_sent_only_when_set() {
        let welcome = |ice_transport_policy| ServerMessage::Welcome {
            version: VERSION,
            id: PeerId("p".into()),
            room: "r".into(),
            peers: vec![],
            ice_servers: vec![],
            ice_transport_policy,
        };
        let all = welcome(IceTransportPolicy::All).encode();
        assert!(!all.contains("ice_transport_policy"), "{all}");
        let relay = welcome(IceTransportPolicy::Relay).encode();
        assert!(
            relay.ends_with(r#","ice_transport_policy":"relay"}"#),
            "{relay}"
        );
        assert_eq!(
            ServerMessage::decode(&relay),
            Ok(welcome(IceTransportPolicy::Relay))
        );
        // An older server's welcome still reads, as `all`.
        assert_eq!(
            ServerMessage::decode(&all),
            Ok(welcome(IceTransportPolicy::All))
        );
    }

    #[test]
    fn unknown_error_codes_from_a_newer_server_still_decode() {
        let msg = ServerMessage::decode(r#"{"type":"error","code":"brand-new","message":"x"}"#);
        assert_eq!(
            msg,
            Ok(ServerMessage::Error {
                code: ErrorCode::Other,
                message: "x".into()
            })
        );
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        for text in [
            "",
            "{",
            "null",
            "[]",
            r#"{"type":"nope"}"#,
            r#"{"type":"join"}"#,
        ] {
            assert!(ClientMessage::decode(text).is_err(), "{text}");
        }
    }

    #[test]
    fn room_ids_and_secrets_are_validated() {
        assert!(is_valid_room_id("a"));
        assert!(is_valid_room_id(&"Z9_-".repeat(16)));
        assert!(!is_valid_room_id(""));
        assert!(!is_valid_room_id(&"a".repeat(65)));
        assert!(!is_valid_room_id("a/b"));
        assert!(!is_valid_room_id("é"));
        assert!(is_valid_secret(&"0".repeat(64)));
        assert!(!is_valid_secret(&"0".repeat(31)));
        assert!(!is_valid_secret(&format!("{} ", "0".repeat(40))));
    }

    #[cfg(feature = "identity")]
    #[test]
    fn peer_ids_are_derived_from_secrets() {
        let a = PeerId::from_secret(&"a".repeat(64));
        assert_eq!(a, PeerId::from_secret(&"a".repeat(64)));
        assert_ne!(a, PeerId::from_secret(&"b".repeat(64)));
        assert_eq!(a.0.len(), 32);
        assert!(a.0.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
