//! Rooms and relaying: join, welcome, peer-joined/left, signal, leave, replacement, protocol errors.
//!
//! Long because each rule of the protocol has its own test.

mod common;

use common::{id_of, secret, start, Client, Ended};
use protocol::{
    CallRef, ClientMessage, ErrorCode, IceServer, LeaveReason, PeerId, ServerMessage, Signal,
};

fn offer(to: &PeerId, sdp: &str) -> ClientMessage {
    ClientMessage::Signal {
        to: to.clone(),
        call: None,
        signal: Signal::Offer { sdp: sdp.into() },
    }
}

#[tokio::test]
async fn join_gets_welcome_and_the_room_gets_peer_joined() {
    let server = start(&[
        "--ice-server",
        "stun:stun.example:3478",
        "--ice-server",
        "turn:turn.example:3478",
        "--ice-username",
        "user",
        "--ice-credential",
        "pass",
    ])
    .await;
    let mut a = Client::connect(&server).await;
    a.send(&ClientMessage::Join {
        version: protocol::VERSION,
        room: "room-1".into(),
        secret: secret('a'),
    })
    .await;
    match a.recv().await {
        ServerMessage::Welcome {
            id,
            room,
            peers,
            ice_servers,
            ..
        } => {
            assert_eq!(id, id_of(&secret('a')));
            assert_eq!(room, "room-1");
            assert!(peers.is_empty());
            assert_eq!(
                ice_servers,
                vec![
                    IceServer {
                        urls: vec!["stun:stun.example:3478".into()],
                        username: Some("user".into()),
                        credential: Some("pass".into()),
                    },
                    IceServer {
                        urls: vec!["turn:turn.example:3478".into()],
                        username: Some("user".into()),
                        credential: Some("pass".into()),
                    },
                ]
            );
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    let mut b = Client::connect(&server).await;
    let (b_id, peers) = b.join("room-1", &secret('b')).await;
    assert_eq!(peers, vec![id_of(&secret('a'))]);
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: b_id.clone() }
    );
    let mut c = Client::connect(&server).await;
    let (c_id, peers) = c.join("room-1", &secret('c')).await;
    assert_eq!(peers, vec![id_of(&secret('a')), b_id]);
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: c_id.clone() }
    );
    assert_eq!(b.recv().await, ServerMessage::PeerJoined { id: c_id });
}

#[tokio::test]
async fn signals_are_relayed_both_ways_and_ping_gets_pong() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (a_id, _) = a.join("r", &secret('a')).await;
    let (b_id, _) = b.join("r", &secret('b')).await;
    let _ = a.recv().await; // peer-joined
    a.send(&offer(&b_id, "v=0 offer")).await;
    assert_eq!(
        b.recv().await,
        ServerMessage::Signal {
            from: a_id.clone(),
            call: None,
            signal: Signal::Offer {
                sdp: "v=0 offer".into()
            }
        }
    );
    let candidate = Signal::Candidate {
        candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    };
    // Which calls a signal belongs to travels with it, untouched.
    let call = Some(CallRef {
        from: 2,
        to: Some(1),
    });
    b.send(&ClientMessage::Signal {
        to: a_id.clone(),
        call,
        signal: Signal::Answer {
            sdp: "v=0 answer".into(),
        },
    })
    .await;
    b.send(&ClientMessage::Signal {
        to: a_id,
        call: None,
        signal: candidate.clone(),
    })
    .await;
    assert_eq!(
        a.recv().await,
        ServerMessage::Signal {
            from: b_id.clone(),
            call,
            signal: Signal::Answer {
                sdp: "v=0 answer".into()
            }
        }
    );
    assert_eq!(
        a.recv().await,
        ServerMessage::Signal {
            from: b_id,
            call: None,
            signal: candidate
        }
    );
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
}

#[tokio::test]
async fn leave_tells_the_room_and_the_connection_stays_open() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (a_id, _) = a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    let _ = a.recv().await;
    b.send(&ClientMessage::Leave).await;
    let b_id = id_of(&secret('b'));
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: b_id.clone(),
            reason: LeaveReason::Left
        }
    );
    // Still open: b can talk, is out of the room, and can join again.
    b.send(&ClientMessage::Ping).await;
    assert_eq!(b.recv().await, ServerMessage::Pong);
    b.send(&offer(&a_id, "x")).await;
    assert_eq!(b.recv_error().await, ErrorCode::NotJoined);
    let (_, peers) = b.join("r", &secret('b')).await;
    assert_eq!(peers, vec![a_id]);
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { id: b_id });
}

#[tokio::test]
async fn a_vanished_or_closed_connection_is_peer_left_disconnected() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let mut c = Client::connect(&server).await;
    a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    c.join("r", &secret('c')).await;
    for _ in 0..2 {
        let _ = a.recv().await;
    }
    // b's TCP connection just goes away.
    drop(b);
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('b')),
            reason: LeaveReason::Disconnected
        }
    );
    // c closes politely, without leave.
    c.close().await;
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('c')),
            reason: LeaveReason::Disconnected
        }
    );
}

#[tokio::test]
async fn signals_never_cross_rooms() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let mut c = Client::connect(&server).await;
    a.join("room-a", &secret('a')).await;
    let (b_id, _) = b.join("room-a", &secret('b')).await;
    let (c_id, peers) = c.join("room-c", &secret('c')).await;
    assert!(peers.is_empty(), "rooms do not share members");
    let _ = a.recv().await;
    a.send(&offer(&c_id, "for another room")).await;
    assert_eq!(a.recv_error().await, ErrorCode::UnknownPeer);
    c.send(&offer(&b_id, "for another room")).await;
    assert_eq!(c.recv_error().await, ErrorCode::UnknownPeer);
    c.heard_nothing().await;
    b.heard_nothing().await;
}

#[tokio::test]
async fn the_same_secret_on_a_new_connection_replaces_the_old_one() {
    let server = start(&[]).await;
    let mut old = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (a_id, _) = old.join("r", &secret('a')).await;
    let (b_id, _) = b.join("r", &secret('b')).await;
    let _ = old.recv().await;

    let mut new = Client::connect(&server).await;
    let (new_id, peers) = new.join("r", &secret('a')).await;
    assert_eq!(new_id, a_id, "same secret, same id");
    assert_eq!(peers, vec![b_id.clone()]);
    match old.next().await {
        Err(Ended::Closed(code, _)) => assert_eq!(code, protocol::close::REPLACED),
        other => panic!("expected the old connection closed with REPLACED, got {other:?}"),
    }
    // The room saw neither a peer-left nor a peer-joined, and b's signals reach the new connection.
    b.heard_nothing().await;
    b.send(&offer(&a_id, "to the new one")).await;
    match new.recv().await {
        ServerMessage::Signal { from, .. } => assert_eq!(from, b_id),
        other => panic!("expected a signal, got {other:?}"),
    }
    // When the new one goes, the room is told once.
    drop(new);
    assert_eq!(
        b.recv().await,
        ServerMessage::PeerLeft {
            id: a_id,
            reason: LeaveReason::Disconnected
        }
    );
    b.heard_nothing().await;
}

#[tokio::test]
async fn a_restarted_server_gives_the_same_secret_the_same_id() {
    let first = start(&[]).await;
    let mut a = Client::connect(&first).await;
    let (id, _) = a.join("r", &secret('a')).await;
    first.stop().await;
    assert_eq!(a.closed().await, Some(protocol::close::GOING_AWAY));
    let second = start(&[]).await;
    let mut a = Client::connect(&second).await;
    let (again, peers) = a.join("r", &secret('a')).await;
    assert_eq!(again, id);
    assert!(peers.is_empty(), "a restarted server remembers nobody");
}

#[tokio::test]
async fn protocol_errors_leave_the_connection_usable() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let join = |version: u32, room: &str, secret: &str| ClientMessage::Join {
        version,
        room: room.into(),
        secret: secret.into(),
    };
    a.send(&offer(&id_of(&secret('b')), "x")).await;
    assert_eq!(a.recv_error().await, ErrorCode::NotJoined);
    a.send(&ClientMessage::Leave).await;
    assert_eq!(a.recv_error().await, ErrorCode::NotJoined);
    a.send(&join(protocol::VERSION + 1, "r", &secret('a')))
        .await;
    assert_eq!(a.recv_error().await, ErrorCode::UnsupportedVersion);
    a.send(&join(0, "r", &secret('a'))).await;
    assert_eq!(a.recv_error().await, ErrorCode::UnsupportedVersion);
    for room in [
        "",
        &"r".repeat(65),
        "a/b",
        "room with spaces",
        "é",
        "../etc",
    ] {
        a.send(&join(protocol::VERSION, room, &secret('a'))).await;
        assert_eq!(a.recv_error().await, ErrorCode::BadRoom, "room {room:?}");
    }
    for bad in [
        "short".to_string(),
        "a".repeat(31),
        "a".repeat(129),
        format!("{}!", "a".repeat(40)),
    ] {
        a.send(&join(protocol::VERSION, "r", &bad)).await;
        assert_eq!(a.recv_error().await, ErrorCode::BadSecret);
    }
    a.join("r", &secret('a')).await;
    a.send(&join(protocol::VERSION, "other", &secret('a')))
        .await;
    assert_eq!(a.recv_error().await, ErrorCode::AlreadyJoined);
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
}
