//! The rooms API in one process: joins, the welcome and the news, eviction of a slow consumer, and a leave
//! even when a connection panics.

use super::*;
use crate::outbox::Closing;

fn welcome(peers: Vec<PeerId>) -> ServerMessage {
    ServerMessage::Welcome {
        version: protocol::VERSION,
        id: PeerId("me".into()),
        room: "r".into(),
        peers,
        ice_servers: vec![],
        ice_transport_policy: Default::default(),
    }
}

fn next(outbox: &Outbox) -> ServerMessage {
    ServerMessage::decode(&outbox.pop().expect("a queued message")).unwrap()
}

fn rooms(room_size: usize) -> Arc<Rooms> {
    Arc::new(Rooms::local(room_size, 10, Metrics::new()))
}

fn peer(id: &str) -> PeerId {
    PeerId(id.into())
}

#[tokio::test]
async fn join_welcome_peer_joined_and_leave() {
    let rooms = rooms(2);
    let a = Outbox::new(1, 8, 1 << 20);
    let b = Outbox::new(2, 8, 1 << 20);
    let c = Outbox::new(3, 8, 1 << 20);
    let ma = rooms.join("r", &peer("a"), &a, welcome).await.unwrap();
    assert!(matches!(next(&a), ServerMessage::Welcome { peers, .. } if peers.is_empty()));
    let mb = rooms.join("r", &peer("b"), &b, welcome).await.unwrap();
    assert!(!mb.replaced);
    assert!(
        matches!(next(&b), ServerMessage::Welcome { peers, .. } if peers == [PeerId("a".into())])
    );
    assert_eq!(next(&a), ServerMessage::PeerJoined { id: peer("b") });
    assert_eq!(
        rooms.join("r", &peer("c"), &c, welcome).await.unwrap_err(),
        JoinError::RoomFull
    );
    drop(mb);
    assert_eq!(
        next(&a),
        ServerMessage::PeerLeft {
            id: peer("b"),
            reason: LeaveReason::Disconnected
        }
    );
    drop(ma);
    assert_eq!(rooms.room_count(), 0);
}

#[tokio::test]
async fn a_full_queue_evicts_the_slow_member() {
    let rooms = rooms(4);
    let a = Outbox::new(1, 8, 1 << 20);
    let b = Outbox::new(2, 1, 1 << 20);
    let ma = rooms.join("r", &peer("a"), &a, welcome).await.unwrap();
    let _mb = rooms.join("r", &peer("b"), &b, welcome).await.unwrap();
    let _ = next(&a);
    let _ = next(&a);
    // b's queue (capacity 1) holds its welcome: one more message is one too many.
    let signal = Utf8Bytes::from("x");
    let now = Instant::now();
    let from = &ma.membership;
    assert_eq!(rooms.relay(from, "b", signal.clone(), now).await, Ok(()));
    assert_eq!(b.closing(), Some(Closing::SLOW_CONSUMER));
    assert_eq!(
        next(&a),
        ServerMessage::PeerLeft {
            id: peer("b"),
            reason: LeaveReason::Removed
        }
    );
    assert_eq!(
        rooms.relay(from, "b", signal, now).await,
        Err(RelayError::UnknownPeer)
    );
    assert_eq!(rooms.peer_count(), 1);
}

#[tokio::test]
async fn a_panicking_connection_still_leaves_its_room() {
    let rooms = rooms(4);
    let a = Outbox::new(1, 8, 1 << 20);
    let _ma = rooms.join("r", &peer("a"), &a, welcome).await.unwrap();
    let task = {
        let rooms = rooms.clone();
        tokio::spawn(async move {
            let b = Outbox::new(2, 8, 1 << 20);
            let _mb = rooms.join("r", &peer("b"), &b, welcome).await.unwrap();
            panic!("a bug in one connection");
        })
    };
    assert!(task.await.unwrap_err().is_panic());
    let _ = next(&a);
    let _ = next(&a);
    assert_eq!(
        next(&a),
        ServerMessage::PeerLeft {
            id: peer("b"),
            reason: LeaveReason::Disconnected
        }
    );
    assert_eq!(rooms.peer_count(), 1);
}
