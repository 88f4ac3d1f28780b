//! Perfect negotiation between two room connections in one page, with the signaling server replaced by two
//! in-memory queues that the test pumps, so glare can be forced exactly. Headless Chromium, fake camera.
//!
//! Over 300 lines: a test suite, one independent test per negotiation case.

#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use protocol::{CallRef, PeerId, Signal};
use wasm_bindgen_test::*;
use webrtc_demo::{
    signaling::peer::{is_polite, PeerEvent, PeerStatus, Received, RemotePeer},
    webrtc::{LocalMedia, RtcPeerConnectionState, RtcSignalingState},
};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::sleep;

/// What one side reported: the signals it wants sent, whether a stream arrived, its status, its log.
#[derive(Default)]
struct Seen {
    outbox: VecDeque<(CallRef, Signal)>,
    streams: usize,
    status: Option<PeerStatus>,
    log: Vec<String>,
    channels: usize,
}

type Shared = Rc<RefCell<Seen>>;

fn side(me: &PeerId, other: &PeerId, dial: bool, media: &LocalMedia) -> (RemotePeer, Shared) {
    let seen = Shared::default();
    let record = seen.clone();
    let peer = RemotePeer::connect(
        me,
        other.clone(),
        dial,
        (&[], protocol::IceTransportPolicy::All),
        Some(Clone::clone(media.stream())), // Not `.clone()`: that is the JS clone() of the stream.
        move |event| {
            let mut seen = record.borrow_mut();
            match event {
                PeerEvent::Signal(call, signal) => seen.outbox.push_back((call, signal)),
                PeerEvent::Stream(_) => seen.streams += 1,
                PeerEvent::Status(status) => seen.status = Some(status),
                PeerEvent::Log(text) | PeerEvent::Problem(text) => seen.log.push(text),
                PeerEvent::Channel(_) => seen.channels += 1,
            }
        },
    )
    .expect("a peer connection");
    (peer, seen)
}

/// Delivers what each side sent to the other, until `done` or `seconds` pass.
async fn pump(
    a: (&RemotePeer, &Shared),
    b: (&RemotePeer, &Shared),
    seconds: u32,
    filter: impl Fn(&Signal) -> bool,
    done: impl Fn() -> bool,
) -> bool {
    for _ in 0..seconds * 50 {
        if done() {
            return true;
        }
        for (from, to) in [(a.1, b.0), (b.1, a.0)] {
            let signals: Vec<(CallRef, Signal)> = from.borrow_mut().outbox.drain(..).collect();
            for (call, signal) in signals.into_iter().filter(|(_, s)| filter(s)) {
                assert!(matches!(to.receive(Some(call), signal), Received::Taken));
            }
        }
        sleep(20).await;
    }
    done()
}

fn has_offer(seen: &Shared) -> bool {
    seen.borrow()
        .outbox
        .iter()
        .any(|(_, signal)| matches!(signal, Signal::Offer { .. }))
}

fn connected(seen: &Shared) -> bool {
    let seen = seen.borrow();
    seen.status == Some(PeerStatus::Connected) && seen.streams == 1
}

fn logged(seen: &Shared, text: &str) -> bool {
    seen.borrow().log.iter().any(|line| line.contains(text))
}

fn count(seen: &Shared, text: &str) -> usize {
    seen.borrow()
        .log
        .iter()
        .filter(|line| line.contains(text))
        .count()
}

fn ids() -> (PeerId, PeerId) {
    let a = PeerId("a".repeat(32));
    let b = PeerId("b".repeat(32));
    assert!(
        is_polite(&b, &a) && !is_polite(&a, &b),
        "exactly one side is polite"
    );
    (a, b)
}

#[wasm_bindgen_test]
async fn a_newcomer_calls_and_both_sides_receive_media() {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let (a_id, b_id) = ids();
    let (a, a_seen) = side(&a_id, &b_id, true, &media);
    let (b, b_seen) = side(&b_id, &a_id, false, &media);
    let up = pump(
        (&a, &a_seen),
        (&b, &b_seen),
        10,
        |_| true,
        || connected(&a_seen) && connected(&b_seen),
    )
    .await;
    assert!(
        up,
        "A: {:?}\nB: {:?}",
        a_seen.borrow().log,
        b_seen.borrow().log
    );
    assert!(logged(&a_seen, "Sent offer") && logged(&b_seen, "Sent answer"));
    assert!(!logged(&a_seen, "collision") && !logged(&b_seen, "collision"));
    // Each side has its end of the data channel, and once connected nobody asks to negotiate again.
    assert_eq!((a_seen.borrow().channels, b_seen.borrow().channels), (1, 1));
    pump((&a, &a_seen), (&b, &b_seen), 1, |_| true, || false).await;
    assert_eq!(
        (count(&a_seen, "Sent offer"), count(&b_seen, "Sent offer")),
        (1, 0)
    );
    assert!(!logged(&a_seen, "failed") && !logged(&b_seen, "failed"));
}

#[wasm_bindgen_test]
async fn glare_at_the_first_offer_resolves_by_itself() {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let (a_id, b_id) = ids();
    // Both dial: both make an offer before either sees the other's.
    let (a, a_seen) = side(&a_id, &b_id, true, &media);
    let (b, b_seen) = side(&b_id, &a_id, true, &media);
    for _ in 0..250 {
        if has_offer(&a_seen) && has_offer(&b_seen) {
            break;
        }
        sleep(20).await;
    }
    assert!(
        has_offer(&a_seen) && has_offer(&b_seen),
        "both sides offered"
    );
    let up = pump(
        (&a, &a_seen),
        (&b, &b_seen),
        10,
        |_| true,
        || connected(&a_seen) && connected(&b_seen),
    )
    .await;
    assert!(
        up,
        "A: {:?}\nB: {:?}",
        a_seen.borrow().log,
        b_seen.borrow().log
    );
    // The glare really happened, and each side took its role.
    assert!(
        logged(&a_seen, "ignored theirs (we are the impolite side)"),
        "{:?}",
        a_seen.borrow().log
    );
    assert!(
        logged(&b_seen, "rolled ours back"),
        "{:?}",
        b_seen.borrow().log
    );
    assert!(!logged(&a_seen, "step failed") && !logged(&b_seen, "step failed"));
    // Settled: no renegotiation loop after the glare.
    let offers = (count(&a_seen, "Sent offer"), count(&b_seen, "Sent offer"));
    pump((&a, &a_seen), (&b, &b_seen), 1, |_| true, || false).await;
    assert_eq!(
        (count(&a_seen, "Sent offer"), count(&b_seen, "Sent offer")),
        offers
    );
}

#[wasm_bindgen_test]
async fn simultaneous_ice_restarts_on_a_live_call_resolve_by_themselves() {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let (a_id, b_id) = ids();
    let (a, a_seen) = side(&a_id, &b_id, true, &media);
    let (b, b_seen) = side(&b_id, &a_id, false, &media);
    assert!(
        pump(
            (&a, &a_seen),
            (&b, &b_seen),
            10,
            |_| true,
            || connected(&a_seen) && connected(&b_seen)
        )
        .await
    );
    a.restart_ice().expect("restartIce");
    b.restart_ice().expect("restartIce");
    for _ in 0..250 {
        if has_offer(&a_seen) && has_offer(&b_seen) {
            break;
        }
        sleep(20).await;
    }
    assert!(
        has_offer(&a_seen) && has_offer(&b_seen),
        "both sides offered again"
    );
    let settled = pump(
        (&a, &a_seen),
        (&b, &b_seen),
        10,
        |_| true,
        || {
            a.signaling_state() == RtcSignalingState::Stable
                && b.signaling_state() == RtcSignalingState::Stable
                && a.connection_state() == RtcPeerConnectionState::Connected
                && b.connection_state() == RtcPeerConnectionState::Connected
                && a_seen.borrow().outbox.is_empty()
                && b_seen.borrow().outbox.is_empty()
        },
    )
    .await;
    assert!(
        settled,
        "A: {:?}\nB: {:?}",
        a_seen.borrow().log,
        b_seen.borrow().log
    );
    assert!(logged(&a_seen, "ignored theirs") && logged(&b_seen, "rolled ours back"));
    // Still one stream each: the call was renegotiated, not redialled.
    assert_eq!((a_seen.borrow().streams, b_seen.borrow().streams), (1, 1));
}

#[wasm_bindgen_test]
async fn a_peer_that_cannot_be_reached_is_reported_with_a_hint() {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let (a_id, b_id) = ids();
    let (a, a_seen) = side(&a_id, &b_id, true, &media);
    let (b, b_seen) = side(&b_id, &a_id, false, &media);
    // Offers and answers cross, ICE candidates never do: like two networks with no path between them.
    let failed = |seen: &Shared| matches!(seen.borrow().status, Some(PeerStatus::Failed(_)));
    let reported = pump(
        (&a, &a_seen),
        (&b, &b_seen),
        25,
        |signal| matches!(signal, Signal::Offer { .. } | Signal::Answer { .. }),
        || failed(&a_seen) && failed(&b_seen),
    )
    .await;
    assert!(reported, "A: {:?}", a_seen.borrow().log);
    let Some(PeerStatus::Failed(reason)) = a_seen.borrow().status.clone() else {
        unreachable!()
    };
    assert!(
        reason.contains("could not reach") && reason.contains("TURN"),
        "{reason}"
    );
    assert_ne!(a.connection_state(), RtcPeerConnectionState::Connected);
}

/// Delivers what `from` sent to `to`, keeping only what `keep` accepts; returns what `to` made of each.
fn deliver(from: &Shared, to: &RemotePeer, keep: impl Fn(&Signal) -> bool) -> Vec<Received> {
    let signals: Vec<(CallRef, Signal)> = from.borrow_mut().outbox.drain(..).collect();
    signals
        .into_iter()
        .filter(|(_, signal)| keep(signal))
        .map(|(call, signal)| to.receive(Some(call), signal))
        .collect()
}

/// After a long outage the server told B that A had timed out, so B dropped the call, while A kept it. A's ICE
/// restart reaches B's new connection: B answers `call-ended`, A calls again on a new connection, A's late
/// signals from the old one are ignored, and the new call connects.
#[wasm_bindgen_test]
async fn a_call_dropped_on_one_side_is_made_again_instead_of_renegotiated() {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let (a_id, b_id) = ids();
    let (a1, a1_seen) = side(&a_id, &b_id, true, &media);
    let (b1, b1_seen) = side(&b_id, &a_id, false, &media);
    assert!(
        pump(
            (&a1, &a1_seen),
            (&b1, &b1_seen),
            10,
            |_| true,
            || connected(&a1_seen) && connected(&b1_seen)
        )
        .await
    );
    // B drops its call; when A is back on the server, B waits for A to call on a new connection.
    drop(b1);
    let (b2, b2_seen) = side(&b_id, &a_id, false, &media);
    // A still holds its call and restarts ICE on it.
    a1.restart_ice().expect("restartIce");
    let has_candidate = || {
        a1_seen
            .borrow()
            .outbox
            .iter()
            .any(|(_, signal)| matches!(signal, Signal::Candidate { .. }))
    };
    for _ in 0..250 {
        if has_offer(&a1_seen) && has_candidate() {
            break;
        }
        sleep(20).await;
    }
    assert!(
        has_offer(&a1_seen) && has_candidate(),
        "A offered an ICE restart"
    );
    // B's new connection refuses to renegotiate a call it does not have, and ignores the rest of the old one.
    let taken = deliver(&a1_seen, &b2, |_| true);
    assert!(taken.iter().all(|r| matches!(r, Received::Taken)));
    for line in [
        "told them it ended",
        "Ignored a candidate from an older connection",
    ] {
        assert!(logged(&b2_seen, line), "{:?}", b2_seen.borrow().log);
    }
    // A hears call-ended (sent from B's negotiation task, not from inside `receive`): its connection is to be
    // replaced by a new one that dials.
    for _ in 0..500 {
        let ended = b2_seen
            .borrow()
            .outbox
            .iter()
            .any(|(_, signal)| matches!(signal, Signal::CallEnded));
        if ended {
            break;
        }
        sleep(20).await;
    }
    let replies = deliver(&b2_seen, &a1, |_| true);
    assert!(
        matches!(
            replies[..],
            [Received::Replace {
                dial: true,
                signal: Signal::CallEnded
            }]
        ),
        "A's old connection is told the call ended"
    );
    drop(a1);
    let (a2, a2_seen) = side(&a_id, &b_id, true, &media);
    let up = pump(
        (&a2, &a2_seen),
        (&b2, &b2_seen),
        10,
        |_| true,
        || connected(&a2_seen) && connected(&b2_seen),
    )
    .await;
    assert!(
        up,
        "A: {:?}\nB: {:?}",
        a2_seen.borrow().log,
        b2_seen.borrow().log
    );
    assert!(
        !logged(&b2_seen, "step failed"),
        "{:?}",
        b2_seen.borrow().log
    );
}
