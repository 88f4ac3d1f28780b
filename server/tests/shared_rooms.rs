//! Several instances sharing rooms through one real Redis (`--redis`): every test starts `redis-server` and
//! server processes on 127.0.0.1 ephemeral ports, and kills them at the end. Skipped, saying why, when
//! `redis-server` is not installed.
//!
//! Long because each way a cluster fails (a crash, Redis paused, cut or restarted) is its own scenario.

mod common;
mod several;

use common::{id_of, secret, Client};
use protocol::{
    CallRef, ClientMessage, ErrorCode, LeaveReason, PeerId, ServerMessage, Signal, VERSION,
};
use several::{Instance, Redis};
use std::time::{Duration, Instant};

fn candidate(n: usize) -> Signal {
    Signal::Candidate {
        candidate: format!("candidate:{n}"),
        sdp_mid: None,
        sdp_m_line_index: None,
        username_fragment: None,
    }
}

/// Which calls the test's signals belong to: it must arrive as sent, across instances too.
const CALL: CallRef = CallRef {
    from: 7,
    to: Some(9),
};

async fn send_signal(client: &mut Client, to: &PeerId, signal: Signal) {
    client
        .send(&ClientMessage::Signal {
            to: to.clone(),
            call: Some(CALL),
            signal,
        })
        .await;
}

async fn expect_signal(client: &mut Client, from: &PeerId) -> Signal {
    match client.recv().await {
        ServerMessage::Signal {
            from: f,
            call: Some(CALL),
            signal,
        } if f == *from => signal,
        other => panic!("expected a signal from {from} for call {CALL:?}, got {other:?}"),
    }
}

async fn expect_left(client: &mut Client, id: &PeerId, reason: LeaveReason) {
    assert_eq!(
        client.recv().await,
        ServerMessage::PeerLeft {
            id: id.clone(),
            reason
        }
    );
}

/// Sends `join` and returns the reply (a welcome or an error), without asserting.
async fn try_join(client: &mut Client, room: &str, secret: &str) -> ServerMessage {
    client
        .send(&ClientMessage::Join {
            version: VERSION,
            room: room.into(),
            secret: secret.into(),
        })
        .await;
    client.recv().await
}

/// a on instance one and b on instance two, both in room `r`, a told of b.
async fn a_and_b(one: &Instance, two: &Instance) -> (Client, PeerId, Client, PeerId) {
    let (mut a, mut b) = (one.client().await, two.client().await);
    let (ida, _) = a.join("r", &secret('a')).await;
    let (idb, _) = b.join("r", &secret('b')).await;
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: idb.clone() }
    );
    (a, ida, b, idb)
}

/// Redis and two instances, both ready.
async fn two_instances(args: &[&str]) -> Option<(Redis, Instance, Instance)> {
    let redis = Redis::start().await?;
    let one = Instance::start(&redis.url(), args);
    let two = Instance::start(&redis.url(), args);
    one.wait_ready(200, Duration::from_secs(10)).await;
    two.wait_ready(200, Duration::from_secs(10)).await;
    Some((redis, one, two))
}

#[tokio::test]
async fn cross_instance_join_relay_in_order_and_leave() {
    let Some((redis, one, two)) = two_instances(&[]).await else {
        return;
    };
    let (mut a, mut b) = (one.client().await, two.client().await);
    let (ida, peers) = a.join("r", &secret('a')).await;
    assert!(peers.is_empty());
    let before = redis.calls().await;
    let (idb, peers) = b.join("r", &secret('b')).await;
    let after = redis.calls().await;
    assert_eq!(
        peers,
        vec![ida.clone()],
        "the welcome lists the person on the other instance"
    );
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: idb.clone() }
    );
    println!(
        "figure: Redis calls for one join: {}",
        diff(&before, &after)
    );

    // Offer, 50 candidates, answer: in order across instances, both ways.
    send_signal(&mut b, &ida, Signal::Offer { sdp: "o".into() }).await;
    for n in 0..50 {
        send_signal(&mut b, &ida, candidate(n)).await;
    }
    assert_eq!(
        expect_signal(&mut a, &idb).await,
        Signal::Offer { sdp: "o".into() }
    );
    for n in 0..50 {
        assert_eq!(expect_signal(&mut a, &idb).await, candidate(n));
    }
    let before = redis.calls().await;
    send_signal(&mut a, &idb, Signal::Answer { sdp: "a".into() }).await;
    assert_eq!(
        expect_signal(&mut b, &ida).await,
        Signal::Answer { sdp: "a".into() }
    );
    let after = redis.calls().await;
    println!(
        "figure: Redis calls for one relayed message: {}",
        diff(&before, &after)
    );

    // A third person on instance two, who disconnects without a word; then b leaves on purpose.
    let mut c = two.client().await;
    let (idc, peers) = c.join("r", &secret('c')).await;
    assert_eq!(peers.len(), 2);
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: idc.clone() }
    );
    assert_eq!(
        b.recv().await,
        ServerMessage::PeerJoined { id: idc.clone() }
    );
    drop(c);
    expect_left(&mut a, &idc, LeaveReason::Disconnected).await;
    expect_left(&mut b, &idc, LeaveReason::Disconnected).await;
    b.send(&ClientMessage::Leave).await;
    expect_left(&mut a, &idb, LeaveReason::Left).await;

    let metrics = one.metrics().await;
    assert!(metrics.contains("signaling_redis_up 1"), "{metrics}");
    assert!(
        metrics.contains("signaling_messages_relayed_total{path=\"redis\"} 51"),
        "instance one handed its member 51 signals from instance two:\n{metrics}"
    );
    assert!(metrics.contains("signaling_people 1"), "{metrics}");
}

fn diff(
    before: &std::collections::HashMap<String, u64>,
    after: &std::collections::HashMap<String, u64>,
) -> String {
    let mut calls: Vec<_> = after
        .iter()
        .filter_map(|(name, n)| {
            let d = n - before.get(name).copied().unwrap_or(0);
            // The INFO that reads the figures is not part of it.
            (d > 0 && name != "info").then(|| format!("{name} {d}"))
        })
        .collect();
    calls.sort();
    calls.join(", ")
}

#[tokio::test]
async fn two_joins_race_for_the_last_seat() {
    let Some((_redis, one, two)) = two_instances(&["--room-size", "2"]).await else {
        return;
    };
    for round in 0..5 {
        let room = format!("race-{round}");
        let mut first = one.client().await;
        first.join(&room, &secret('a')).await;
        let (mut b, mut c) = (one.client().await, two.client().await);
        let (sb, sc) = (secret('b'), secret('c'));
        let (rb, rc) = tokio::join!(try_join(&mut b, &room, &sb), try_join(&mut c, &room, &sc));
        let welcomed = [&rb, &rc]
            .iter()
            .filter(|m| matches!(m, ServerMessage::Welcome { .. }))
            .count();
        let full = [&rb, &rc]
            .iter()
            .filter(|m| {
                matches!(
                    m,
                    ServerMessage::Error {
                        code: ErrorCode::RoomFull,
                        ..
                    }
                )
            })
            .count();
        assert_eq!((welcomed, full), (1, 1), "round {round}: {rb:?} / {rc:?}");
        // The one who got in is the only one the first person hears of.
        let winner = if matches!(rb, ServerMessage::Welcome { .. }) {
            id_of(&secret('b'))
        } else {
            id_of(&secret('c'))
        };
        assert_eq!(first.recv().await, ServerMessage::PeerJoined { id: winner });
    }
}

#[tokio::test]
async fn same_secret_on_another_instance_replaces_without_peer_left() {
    let Some((_redis, one, two)) = two_instances(&[]).await else {
        return;
    };
    let (mut a, ida, mut b, idb) = a_and_b(&one, &two).await;
    // The same page again, through the other instance.
    let mut a2 = two.client().await;
    let (id2, peers) = a2.join("r", &secret('a')).await;
    assert_eq!(id2, ida);
    assert_eq!(peers, vec![idb.clone()]);
    assert_eq!(a.closed().await, Some(protocol::close::REPLACED));
    // b hears of no departure or arrival, and reaches a on its new connection.
    b.silent_for(Duration::from_millis(800)).await;
    send_signal(&mut b, &ida, candidate(1)).await;
    assert_eq!(expect_signal(&mut a2, &idb).await, candidate(1));
    send_signal(&mut a2, &idb, candidate(2)).await;
    assert_eq!(expect_signal(&mut b, &ida).await, candidate(2));
}

#[tokio::test]
async fn rooms_stay_isolated_across_instances() {
    let Some((_redis, one, two)) = two_instances(&[]).await else {
        return;
    };
    let (mut a, mut b, mut c) = (one.client().await, two.client().await, two.client().await);
    let (ida, _) = a.join("x", &secret('a')).await;
    let (idc, peers) = c.join("y", &secret('c')).await;
    assert!(peers.is_empty());
    let (idb, peers) = b.join("x", &secret('b')).await;
    assert_eq!(peers, vec![ida.clone()]);
    assert_eq!(
        a.recv().await,
        ServerMessage::PeerJoined { id: idb.clone() }
    );
    send_signal(&mut a, &idc, candidate(1)).await;
    assert_eq!(a.recv_error().await, ErrorCode::UnknownPeer);
    c.silent_for(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_killed_instance_expires_and_a_rejoin_elsewhere_keeps_the_id() {
    let Some((_redis, mut one, two)) = two_instances(&["--redis-heartbeat", "1s"]).await else {
        return;
    };
    // a and c on instance one, b on instance two.
    let (mut a, mut c, mut b) = (one.client().await, one.client().await, two.client().await);
    let (ida, _) = a.join("r", &secret('a')).await;
    let (idc, _) = c.join("r", &secret('c')).await;
    let (idb, peers) = b.join("r", &secret('b')).await;
    assert_eq!(peers.len(), 2);
    let _ = a.recv().await;
    one.kill();
    let died = Instant::now();
    assert_eq!(
        a.closed().await,
        None,
        "no close frame from a killed instance"
    );
    // a comes back through instance two at once (as a page does through the load balancer); c never does.
    let mut a2 = two.client().await;
    let (id2, peers) = a2.join("r", &secret('a')).await;
    let back = died.elapsed();
    assert_eq!(id2, ida, "the same id on the other instance");
    assert!(peers.contains(&idb));
    // b is told c left (timed out), within 20 s of the death, and never that a left.
    expect_left(&mut b, &idc, LeaveReason::TimedOut).await;
    let left = died.elapsed();
    assert!(left < Duration::from_secs(20), "peer-left after {left:?}");
    println!(
        "figure: instance killed -> back in the room elsewhere: {} ms; -> peer-left for who did not return: {} ms (--redis-heartbeat 1s)",
        back.as_millis(),
        left.as_millis()
    );
    expect_left(&mut a2, &idc, LeaveReason::TimedOut).await;
    b.silent_for(Duration::from_millis(1500)).await;
    send_signal(&mut b, &ida, candidate(7)).await;
    assert_eq!(expect_signal(&mut a2, &idb).await, candidate(7));
    // c's seat is free again: a room of 3 takes a newcomer.
    let mut d = two.client().await;
    let (_, peers) = d.join("r", &secret('d')).await;
    assert_eq!(peers.len(), 2);
}

#[tokio::test]
async fn redis_killed_and_restarted_refuses_clearly_then_recovers() {
    let Some((mut redis, one, two)) = two_instances(&[]).await else {
        return;
    };
    let (mut a, ida, mut b, idb) = a_and_b(&one, &two).await;

    redis.kill();
    one.wait_ready(503, Duration::from_secs(5)).await;
    two.wait_ready(503, Duration::from_secs(5)).await;
    // A join is refused with a code the page explains, and the socket closed so that it retries.
    let mut d = one.client().await;
    match try_join(&mut d, "r", &secret('d')).await {
        ServerMessage::Error { code, message } => {
            assert_eq!(code, ErrorCode::Unavailable);
            assert!(message.contains("Redis"), "{message}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert_eq!(d.closed().await, Some(1013));
    // The established connections stay; a signal to the other instance is refused in words.
    send_signal(&mut a, &idb, candidate(1)).await;
    assert_eq!(a.recv_error().await, ErrorCode::Unavailable);
    assert!(one.metrics().await.contains("signaling_redis_up 0"));

    redis.restart().await;
    let ready = one.wait_ready(200, Duration::from_secs(10)).await;
    two.wait_ready(200, Duration::from_secs(10)).await;
    println!(
        "figure: Redis restarted -> /readyz 200 again: {} ms",
        ready.as_millis()
    );
    // Each instance wrote again whom it holds: a newcomer sees both, and signals cross again.
    let mut e = two.client().await;
    let (ide, mut peers) = e.join("r", &secret('e')).await;
    peers.sort();
    let mut expected = vec![ida.clone(), idb.clone()];
    expected.sort();
    assert_eq!(peers, expected);
    // Each instance announced its members again after the restart (the page says "back on the server"),
    // then comes the newcomer.
    let joined = ServerMessage::PeerJoined { id: ide };
    assert_eq!(past_announcements(&mut a, &idb).await, joined);
    assert_eq!(past_announcements(&mut b, &ida).await, joined);
    send_signal(&mut a, &idb, candidate(2)).await;
    assert_eq!(expect_signal(&mut b, &ida).await, candidate(2));
}

/// The next message that is not `peer-joined` of `known` (announced again after Redis came back).
async fn past_announcements(client: &mut Client, known: &PeerId) -> ServerMessage {
    loop {
        match client.recv().await {
            ServerMessage::PeerJoined { id } if id == *known => continue,
            other => return other,
        }
    }
}

/// Round trips of a signal (a sends, b echoes back) between two clients: the median and the 99th percentile.
async fn round_trips(
    a: &mut Client,
    ida: &PeerId,
    b: &mut Client,
    idb: &PeerId,
    n: usize,
) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        send_signal(a, idb, candidate(i)).await;
        let got = expect_signal(b, ida).await;
        send_signal(b, ida, got).await;
        assert_eq!(expect_signal(a, idb).await, candidate(i));
        times.push(started.elapsed());
    }
    times.sort();
    (times[n / 2], times[n * 99 / 100])
}

#[tokio::test]
async fn what_redis_adds_to_a_relay() {
    let Some((_redis, one, two)) =
        two_instances(&["--rate-limit", "100000", "--rate-burst", "100000"]).await
    else {
        return;
    };
    // Many signals in a row: no rate limit in the way. Same instance (no Redis on the way) and across instances (one script call and pub/sub each way), in one run.
    let (mut a, mut b, mut c) = (one.client().await, one.client().await, two.client().await);
    let (ida, _) = a.join("lat", &secret('a')).await;
    let (idb, _) = b.join("lat", &secret('b')).await;
    let (idc, _) = c.join("lat", &secret('c')).await;
    let _ = (a.recv().await, a.recv().await, b.recv().await);
    let _ = round_trips(&mut a, &ida, &mut b, &idb, 20).await;
    let (local50, local99) = round_trips(&mut a, &ida, &mut b, &idb, 100).await;
    let _ = round_trips(&mut a, &ida, &mut c, &idc, 20).await;
    let (cross50, cross99) = round_trips(&mut a, &ida, &mut c, &idc, 100).await;
    println!(
        "figure: signal round trip (2 relays), same instance: p50 {local50:?} p99 {local99:?}; across instances through Redis: p50 {cross50:?} p99 {cross99:?}"
    );
    assert!(
        cross50 < Duration::from_millis(100),
        "a relay through Redis stays quick: {cross50:?}"
    );

    // A join (join sent -> welcome received), without Redis and with it, in the same run.
    let plain = Instance::start_with(&[]);
    for (label, instance) in [("without Redis", &plain), ("with Redis", &one)] {
        let mut times = Vec::new();
        for i in 0..50 {
            let mut client = instance.client().await;
            let started = Instant::now();
            client.join(&format!("j{i}"), &secret('z')).await;
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "figure: join -> welcome {label}: p50 {:?} p99 {:?}",
            times[25], times[49]
        );
    }
}

#[tokio::test]
async fn a_rolling_restart_moves_people_without_peer_left() {
    let Some((_redis, mut one, two)) = two_instances(&[]).await else {
        return;
    };
    let (mut a, ida, mut b, idb) = a_and_b(&one, &two).await;
    one.terminate();
    assert_eq!(a.closed().await, Some(1001), "closed with Going Away");
    let mut a2 = two.client().await;
    let (id2, peers) = a2.join("r", &secret('a')).await;
    assert_eq!((id2, peers), (ida.clone(), vec![idb.clone()]));
    // b is never told that a left: the stopping instance left a's entry for the rejoin to take over.
    b.silent_for(Duration::from_millis(2500)).await;
    send_signal(&mut b, &ida, candidate(3)).await;
    assert_eq!(expect_signal(&mut a2, &idb).await, candidate(3));
}

#[tokio::test]
async fn an_instance_started_before_redis_gets_ready_when_redis_comes() {
    let Some(mut redis) = Redis::not_yet() else {
        return;
    };
    let one = Instance::start(&redis.url(), &[]);
    assert_eq!(one.readyz().await, 503);
    let mut a = one.client().await;
    match try_join(&mut a, "r", &secret('a')).await {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::Unavailable),
        other => panic!("expected unavailable, got {other:?}"),
    }
    redis.restart().await;
    one.wait_ready(200, Duration::from_secs(10)).await;
    let mut a = one.client().await;
    a.join("r", &secret('a')).await;
}
