//! Property tests: every message survives encode then decode, and no input makes the decoder panic.

use proptest::option;
use proptest::prelude::*;
use protocol::*;

fn peer_id() -> impl Strategy<Value = PeerId> {
    "[0-9a-f]{32}".prop_map(PeerId)
}

fn signal() -> impl Strategy<Value = Signal> {
    prop_oneof![
        any::<String>().prop_map(|sdp| Signal::Offer { sdp }),
        any::<String>().prop_map(|sdp| Signal::Answer { sdp }),
        (
            any::<String>(),
            option::of(any::<String>()),
            option::of(any::<u16>()),
            option::of(any::<String>())
        )
            .prop_map(
                |(candidate, sdp_mid, sdp_m_line_index, username_fragment)| {
                    Signal::Candidate {
                        candidate,
                        sdp_mid,
                        sdp_m_line_index,
                        username_fragment,
                    }
                }
            ),
        Just(Signal::EndOfCandidates),
        Just(Signal::CallEnded),
        Just(Signal::RestartIce),
    ]
}

fn call_ref() -> impl Strategy<Value = Option<CallRef>> {
    option::of((any::<u32>(), option::of(any::<u32>())).prop_map(|(from, to)| CallRef { from, to }))
}

fn ice_server() -> impl Strategy<Value = IceServer> {
    (
        proptest::collection::vec(any::<String>(), 0..3),
        option::of(any::<String>()),
        option::of(any::<String>()),
    )
        .prop_map(|(urls, username, credential)| IceServer {
            urls,
            username,
            credential,
        })
}

fn client_message() -> impl Strategy<Value = ClientMessage> {
    prop_oneof![
        (any::<u32>(), any::<String>(), any::<String>()).prop_map(|(version, room, secret)| {
            ClientMessage::Join {
                version,
                room,
                secret,
            }
        }),
        (peer_id(), call_ref(), signal()).prop_map(|(to, call, signal)| ClientMessage::Signal {
            to,
            call,
            signal
        }),
        Just(ClientMessage::Leave),
        Just(ClientMessage::Ping),
    ]
}

fn leave_reason() -> impl Strategy<Value = LeaveReason> {
    prop_oneof![
        Just(LeaveReason::Left),
        Just(LeaveReason::Disconnected),
        Just(LeaveReason::TimedOut),
        Just(LeaveReason::Removed),
    ]
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    prop_oneof![
        Just(ErrorCode::BadMessage),
        Just(ErrorCode::UnsupportedVersion),
        Just(ErrorCode::TooLarge),
        Just(ErrorCode::RateLimited),
        Just(ErrorCode::NotJoined),
        Just(ErrorCode::AlreadyJoined),
        Just(ErrorCode::BadRoom),
        Just(ErrorCode::BadSecret),
        Just(ErrorCode::RoomFull),
        Just(ErrorCode::ServerFull),
        Just(ErrorCode::UnknownPeer),
        Just(ErrorCode::Other),
    ]
}

fn server_message() -> impl Strategy<Value = ServerMessage> {
    prop_oneof![
        (
            any::<u32>(),
            peer_id(),
            any::<String>(),
            proptest::collection::vec(peer_id(), 0..4),
            proptest::collection::vec(ice_server(), 0..3),
            prop_oneof![
                Just(IceTransportPolicy::All),
                Just(IceTransportPolicy::Relay)
            ]
        )
            .prop_map(
                |(version, id, room, peers, ice_servers, ice_transport_policy)| {
                    ServerMessage::Welcome {
                        version,
                        id,
                        room,
                        peers,
                        ice_servers,
                        ice_transport_policy,
                    }
                }
            ),
        peer_id().prop_map(|id| ServerMessage::PeerJoined { id }),
        (peer_id(), leave_reason()).prop_map(|(id, reason)| ServerMessage::PeerLeft { id, reason }),
        (peer_id(), call_ref(), signal()).prop_map(|(from, call, signal)| ServerMessage::Signal {
            from,
            call,
            signal
        }),
        (error_code(), any::<String>())
            .prop_map(|(code, message)| ServerMessage::Error { code, message }),
        Just(ServerMessage::Pong),
    ]
}

proptest! {
    #[test]
    fn client_messages_round_trip(msg in client_message()) {
        prop_assert_eq!(ClientMessage::decode(&msg.encode()), Ok(msg));
    }

    #[test]
    fn server_messages_round_trip(msg in server_message()) {
        prop_assert_eq!(ServerMessage::decode(&msg.encode()), Ok(msg));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = ClientMessage::decode(&text);
        let _ = ServerMessage::decode(&text);
    }

    #[test]
    fn json_shaped_junk_never_panics_the_decoders(
        ty in prop_oneof![
            Just("join".to_string()),
            Just("signal".to_string()),
            Just("welcome".to_string()),
            Just("error".to_string()),
            ".*",
        ],
        body in r#"[{}\[\]":,a-z0-9 ]{0,64}"#,
    ) {
        let text = format!(r#"{{"type":"{ty}",{body}"#);
        let _ = ClientMessage::decode(&text);
        let _ = ServerMessage::decode(&text);
    }

    #[test]
    fn room_id_validation_matches_its_definition(id in ".{0,80}") {
        let expected = !id.is_empty()
            && id.len() <= ROOM_ID_MAX_LEN
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        prop_assert_eq!(is_valid_room_id(&id), expected);
    }
}
