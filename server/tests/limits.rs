//! Hostile and unlucky clients: junk, huge frames, floods, full rooms and servers, slow readers, silence,
//! foreign origins.
//!
//! Long because each limit the server enforces has its own test, each a short client script.

mod common;

use common::{id_of, secret, start, Client, Ended};
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMessage, ErrorCode, LeaveReason, ServerMessage, Signal};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[tokio::test]
async fn malformed_json_is_an_error_and_the_connection_stays_usable() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    for junk in [
        "{",
        "null",
        "[]",
        r#"{"type":"nope"}"#,
        r#"{"type":"join"}"#,
        r#"{"type":"signal","to":"x","signal":{"kind":"telepathy"}}"#,
    ] {
        a.send_text(junk).await;
        assert_eq!(a.recv_error().await, ErrorCode::BadMessage, "{junk}");
    }
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
    a.join("r", &secret('a')).await;
}

#[tokio::test]
async fn repeated_junk_closes_the_connection_and_the_room_is_told() {
    let server = start(&["--max-bad-messages", "5"]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    let _ = a.recv().await;
    for i in 0..5 {
        if i % 2 == 0 {
            b.send_text("not json").await;
        } else {
            b.send_raw(Message::binary(vec![1u8, 2, 3])).await.unwrap();
        }
    }
    for _ in 0..5 {
        assert_eq!(b.recv_error().await, ErrorCode::BadMessage);
    }
    match b.next().await {
        Err(Ended::Closed(code, reason)) => {
            assert_eq!(code, protocol::close::TOO_MANY_BAD_MESSAGES);
            assert!(!reason.is_empty());
        }
        other => panic!("expected close TOO_MANY_BAD_MESSAGES, got {other:?}"),
    }
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('b')),
            reason: LeaveReason::Removed
        }
    );
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_the_sender_removed() {
    let server = start(&["--max-frame-bytes", "1024"]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (a_id, _) = a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    let _ = a.recv().await;
    // Just under the limit is fine.
    let fits = ClientMessage::Signal {
        to: a_id.clone(),
        call: None,
        signal: Signal::Offer {
            sdp: "x".repeat(900),
        },
    };
    b.send(&fits).await;
    assert!(matches!(a.recv().await, ServerMessage::Signal { .. }));
    let huge = ClientMessage::Signal {
        to: a_id,
        call: None,
        signal: Signal::Offer {
            sdp: "x".repeat(4096),
        },
    };
    b.send(&huge).await;
    // The sender learns why: an error frame, then close 1009.
    assert!(
        matches!(
            b.next().await,
            Ok(ServerMessage::Error {
                code: ErrorCode::TooLarge,
                ..
            })
        ),
        "expected error too-large"
    );
    assert_eq!(b.closed().await, Some(protocol::close::TOO_BIG));
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('b')),
            reason: LeaveReason::Removed
        }
    );
    a.heard_nothing().await;
}

#[tokio::test]
async fn a_very_large_frame_is_refused_too() {
    let server = start(&["--max-frame-bytes", "1024"]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    let _ = a.recv().await;
    // Larger than the socket buffers: the server stops reading it after the header.
    let _ = b.send_raw(Message::text("x".repeat(900_000))).await;
    match b.next().await {
        Ok(ServerMessage::Error { code, .. }) => assert_eq!(code, ErrorCode::TooLarge),
        Err(Ended::Closed(code, _)) => assert_eq!(code, protocol::close::TOO_BIG),
        other => panic!("expected too-large or close 1009, got {other:?}"),
    }
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('b')),
            reason: LeaveReason::Removed
        }
    );
}

#[tokio::test]
async fn a_flood_is_rate_limited_then_closed() {
    let server = start(&[
        "--rate-limit",
        "1",
        "--rate-burst",
        "5",
        "--max-rate-drops",
        "10",
    ])
    .await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("r", &secret('a')).await; // 1 token
    b.join("r", &secret('b')).await;
    let _ = a.recv().await;
    for _ in 0..4 {
        a.send(&ClientMessage::Ping).await;
    }
    for _ in 0..4 {
        assert_eq!(a.recv().await, ServerMessage::Pong);
    }
    // The burst is spent: the next messages are dropped with an error each...
    for _ in 0..3 {
        a.send(&ClientMessage::Ping).await;
        assert_eq!(a.recv_error().await, ErrorCode::RateLimited);
    }
    // ...and sustained abuse closes the connection.
    for _ in 0..20 {
        if a.send_raw(Message::text(ClientMessage::Ping.encode()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(a.closed().await, Some(protocol::close::RATE_LIMITED));
    assert_eq!(
        b.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('a')),
            reason: LeaveReason::Removed
        }
    );
}

#[tokio::test]
async fn a_full_room_refuses_one_more() {
    let server = start(&["--room-size", "2"]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let mut c = Client::connect(&server).await;
    a.join("r", &secret('a')).await;
    b.join("r", &secret('b')).await;
    c.send(&ClientMessage::Join {
        version: protocol::VERSION,
        room: "r".into(),
        secret: secret('c'),
    })
    .await;
    assert_eq!(c.recv_error().await, ErrorCode::RoomFull);
    // c is still connected and may go elsewhere; the full room's members did not hear of c.
    c.join("elsewhere", &secret('c')).await;
    let _ = a.recv().await; // b joined
    a.heard_nothing().await;
    // Rejoining with the same secret is a replacement, not one more person.
    let mut b2 = Client::connect(&server).await;
    b2.join("r", &secret('b')).await;
}

#[tokio::test]
async fn too_many_rooms_is_server_full() {
    let server = start(&["--max-rooms", "1"]).await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("one", &secret('a')).await;
    b.send(&ClientMessage::Join {
        version: protocol::VERSION,
        room: "two".into(),
        secret: secret('b'),
    })
    .await;
    assert_eq!(b.recv_error().await, ErrorCode::ServerFull);
    // Closed with 1013 Try Again Later, so that the page reconnects with backoff (it waits for the close).
    assert_eq!(b.closed().await, Some(1013));
    let mut b = Client::connect(&server).await;
    b.join("one", &secret('b')).await;
    // The room is gone once empty, so another may open.
    let _ = a.recv().await; // peer-joined b
    a.send(&ClientMessage::Leave).await;
    b.send(&ClientMessage::Leave).await;
    // Messages on one connection are handled in order: a pong means the leave before it was done.
    for client in [&mut a, &mut b] {
        client.send(&ClientMessage::Ping).await;
        while client.recv().await != ServerMessage::Pong {}
    }
    a.join("two", &secret('a')).await;
}

#[tokio::test]
async fn too_many_connections_are_told_server_full_and_closed() {
    let server = start(&["--max-connections", "2"]).await;
    let mut a = Client::connect(&server).await;
    let b = Client::connect(&server).await;
    let mut c = Client::connect(&server).await;
    assert_eq!(c.recv_error().await, ErrorCode::ServerFull);
    assert_eq!(c.closed().await, Some(1013));
    // The first two still work; when one goes, its place is free again.
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
    b.close().await;
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let mut d = Client::connect(&server).await;
        d.send(&ClientMessage::Ping).await;
        match d.next().await {
            Ok(ServerMessage::Pong) => break,
            Ok(ServerMessage::Error {
                code: ErrorCode::ServerFull,
                ..
            }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("expected a free place again, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_slow_consumer_is_disconnected_and_the_room_told() {
    let server = start(&[
        "--send-queue",
        "4",
        "--rate-limit",
        "100000",
        "--rate-burst",
        "100000",
    ])
    .await;
    // The slow one reads nothing, through a small receive buffer.
    let mut slow = Client::connect_with(&server, None, Some(4096))
        .await
        .unwrap();
    let (slow_id, _) = slow.join("r", &secret('s')).await;
    let mut flooder = Client::connect(&server).await;
    let (flooder_id, _) = flooder.join("r", &secret('f')).await;
    let big = ClientMessage::Signal {
        to: slow_id.clone(),
        call: None,
        signal: Signal::Offer {
            sdp: "x".repeat(60_000),
        },
    }
    .encode();
    let (mut sink, mut stream) = flooder.ws.split();
    // At most this many large messages (60 MB) may be needed before the server gives up on the slow reader:
    // the kernel buffers, tungstenite's write buffer and a queue of 4 hold far less.
    const MAX: usize = 1000;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sender = {
        let sent = sent.clone();
        tokio::spawn(async move {
            while sent.load(Relaxed) < MAX && sink.send(Message::text(big.clone())).await.is_ok() {
                sent.fetch_add(1, Relaxed);
            }
            sink
        })
    };
    let started = Instant::now();
    let left = loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("peer-left before the timeout")
            .expect("the flooder stays connected")
            .unwrap();
        let Message::Text(text) = frame else { continue };
        match ServerMessage::decode(&text).unwrap() {
            // Signals sent after the eviction: the slow peer is gone.
            ServerMessage::Error {
                code: ErrorCode::UnknownPeer,
                ..
            } => continue,
            other => break other,
        }
    };
    assert_eq!(
        left,
        ServerMessage::PeerLeft {
            id: slow_id,
            reason: LeaveReason::Removed
        }
    );
    let sent_then = sent.load(Relaxed);
    eprintln!(
        "slow consumer evicted after {:?}, {sent_then} large messages sent",
        started.elapsed()
    );
    assert!(sent_then < MAX, "the slow consumer was not evicted in time");
    sent.store(MAX, Relaxed);
    let _sink = sender.await.unwrap();
    // The slow client finds its connection ended (with SLOW_CONSUMER if the close frame got through).
    let _ = flooder_id;
    loop {
        match slow.next().await {
            Ok(_) => continue,
            Err(Ended::Closed(code, _)) => {
                assert_eq!(code, protocol::close::SLOW_CONSUMER);
                break;
            }
            Err(Ended::Gone) => break,
        }
    }
}

#[tokio::test]
async fn a_silent_client_is_reaped_by_the_heartbeat() {
    let server = start(&["--heartbeat-interval", "100ms", "--idle-timeout", "400ms"]).await;
    // `silent` never reads, so it never answers a ping; `alive` reads, and so answers them.
    let mut silent = Client::connect(&server).await;
    silent.join("r", &secret('s')).await;
    let mut alive = Client::connect(&server).await;
    alive.join("r", &secret('a')).await;
    let started = Instant::now();
    assert_eq!(
        alive.recv().await,
        ServerMessage::PeerLeft {
            id: id_of(&secret('s')),
            reason: LeaveReason::TimedOut
        }
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(1500),
        "reaped after {elapsed:?}"
    );
    // Pongs keep a reading client alive well past the idle timeout.
    alive.heard_nothing().await;
    alive.send(&ClientMessage::Ping).await;
    assert_eq!(alive.recv().await, ServerMessage::Pong);
    // It finds its connection closed: with TIMED_OUT, unless answering the pings queued before the close
    // frame fails first (the server has already closed the socket).
    let code = silent.closed().await;
    assert!(
        matches!(code, Some(protocol::close::TIMED_OUT) | None),
        "{code:?}"
    );
}

#[tokio::test]
async fn foreign_origins_are_refused_before_the_upgrade() {
    let server = start(&[]).await;
    match Client::connect_with(&server, Some("http://evil.example"), None).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        Err(other) => panic!("expected HTTP 403, got {other:?}"),
        Ok(_) => panic!("a foreign origin was let in"),
    }
    let own = format!("http://{}", server.addr);
    let mut a = Client::connect_with(&server, Some(&own), None)
        .await
        .unwrap();
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
    // No Origin header: not a browser, allowed.
    Client::connect_with(&server, None, None).await.unwrap();

    let listed = start(&["--allow-origin", "https://app.example"]).await;
    Client::connect_with(&listed, Some("https://app.example"), None)
        .await
        .unwrap();
    assert!(
        Client::connect_with(&listed, Some("https://other.example"), None)
            .await
            .is_err()
    );
    let any = start(&["--allow-origin", "*"]).await;
    Client::connect_with(&any, Some("https://other.example"), None)
        .await
        .unwrap();
}

// --- Several servers: the per-address cap, readiness and metrics of a server without Redis ---

#[tokio::test]
async fn connections_per_address_are_capped() {
    let server = start(&["--max-connections-per-ip", "2"]).await;
    let _a = Client::connect(&server).await;
    let _b = Client::connect(&server).await;
    let mut c = Client::connect(&server).await;
    match c.recv().await {
        ServerMessage::Error { code, message } => {
            assert_eq!(code, ErrorCode::ServerFull);
            assert!(message.contains("your address"), "{message}");
        }
        other => panic!("expected server-full, got {other:?}"),
    }
    assert_eq!(c.closed().await, Some(1013));
}

#[tokio::test]
async fn without_redis_always_ready_and_metrics_count() {
    let server = start(&[]).await;
    let (status, _, body) = common::http_get(server.addr, "/readyz", &[]).await;
    assert_eq!((status, body.as_slice()), (200, b"ready\n".as_slice()));
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("m", &secret('a')).await;
    let (idb, _) = b.join("m", &secret('b')).await;
    let _ = a.recv().await; // peer-joined b
    a.send(&ClientMessage::Signal {
        to: idb,
        call: None,
        signal: protocol::Signal::EndOfCandidates,
    })
    .await;
    let _ = b.recv().await;
    a.send_text("junk").await;
    assert_eq!(a.recv_error().await, ErrorCode::BadMessage);
    let (status, headers, body) = common::http_get(server.addr, "/metrics", &[]).await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    assert!(common::header(&headers, "content-type").is_some_and(|t| t.starts_with("text/plain")));
    for line in [
        "signaling_connections 2",
        "signaling_rooms 1",
        "signaling_people 2",
        "signaling_redis_up 1",
        "signaling_messages_relayed_total{path=\"local\"} 1",
        "signaling_messages_dropped_total{reason=\"bad-message\"} 1",
        "signaling_relay_seconds_count 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
}
