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

/// What the server relays for `text`: the fast path's frame if it takes the message, else the typed path's.
/// Both must decode to the same `ServerMessage`.
fn relayed_both_ways(text: &str, from: &PeerId) -> (Option<ServerMessage>, Option<ServerMessage>) {
    let fast = SignalEnvelope::parse(text).map(|envelope| {
        ServerMessage::decode(&envelope.relayed(from))
            .expect("the fast path writes a server message")
    });
    let typed = match ClientMessage::decode(text) {
        Ok(ClientMessage::Signal { call, signal, .. }) => Some(ServerMessage::Signal {
            from: from.clone(),
            call,
            signal,
        }),
        _ => None,
    };
    (fast, typed)
}

/// A signal's JSON, with one of its fields changed to something that may or may not fit.
fn mutated_signal() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just("kind"),
        Just("sdp"),
        Just("candidate"),
        Just("sdp_mid"),
        Just("sdp_m_line_index"),
        Just("username_fragment"),
        Just("other"),
    ];
    let value = prop_oneof![
        Just(r#""offer""#.to_string()),
        Just(r#""candidate""#.to_string()),
        Just(r#""end-of-candidates""#.to_string()),
        Just("null".to_string()),
        Just("7".to_string()),
        Just("70000".to_string()),
        Just("[]".to_string()),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    (signal(), call_ref(), field, value).prop_map(|(signal, call, field, value)| {
        let text = ClientMessage::Signal {
            to: PeerId("you".into()),
            call,
            signal,
        }
        .encode();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["signal"][field] = serde_json::from_str(&value).unwrap();
        json.to_string()
    })
}

proptest! {
    #[test]
    fn the_fast_path_relays_every_signal_as_the_typed_path_would(
        to in peer_id(),
        from in peer_id(),
        call in call_ref(),
        signal in signal(),
    ) {
        let text = ClientMessage::Signal { to: to.clone(), call, signal }.encode();
        let envelope = SignalEnvelope::parse(&text);
        prop_assert!(envelope.is_some(), "the fast path refused {}", text);
        prop_assert_eq!(envelope.map(|e| e.to.into_owned()), Some(to.0));
        let (fast, typed) = relayed_both_ways(&text, &from);
        prop_assert_eq!(fast, typed);
    }

    #[test]
    fn the_fast_path_takes_nothing_the_typed_decoder_refuses(text in mutated_signal(), from in peer_id()) {
        let (fast, typed) = relayed_both_ways(&text, &from);
        if fast.is_some() {
            prop_assert_eq!(fast, typed, "{}", text);
        }
    }
}
