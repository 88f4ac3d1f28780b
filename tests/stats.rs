//! The call statistics panel in a real browser (headless Chromium with the fake camera), on a real loopback
//! call, asserting what a person sees: figures both ways, the candidate types, a chart with points, "No call"
//! when there is none, and no polling once the call or the panel is gone.
//!
//! Over 300 lines: a test suite, one independent test per behaviour of the panel.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --test stats`.

#![cfg(target_arch = "wasm32")]

use leptos::{mount::mount_to, prelude::*};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use web_sys::HtmlElement;

use webrtc_demo::{
    components::{loopback_call::start_call, stats_panel::StatsPanel},
    log::Logger,
    model::log::Level,
    signaling::call::Call,
    webrtc::{LocalMedia, PeerConnection},
    LoopbackDemo,
};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{button, document, js, now, wait_for, Mounted};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// A statistics panel on its own, showing whatever connections `connections` holds.
fn mount_panel(
    connections: RwSignal<Vec<Rc<PeerConnection>>, LocalStorage>,
    log: Logger,
) -> Mounted {
    Mounted::new(move || {
        provide_context(log);
        view! {
            <StatsPanel
                title="Call statistics"
                connections=Signal::derive_local(move || connections.get())
            />
        }
    })
}

/// What the panel shows (`innerText`: hidden parts are left out).
fn panel_text() -> String {
    document()
        .query_selector(".stats")
        .ok()
        .flatten()
        .map(|e| e.unchecked_into::<HtmlElement>().inner_text())
        .unwrap_or_default()
}

/// The text of the figure `data-stat=key`, or "" if the panel does not show it.
fn stat(key: &str) -> String {
    document()
        .query_selector(&format!("[data-stat={key}]"))
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The number a bitrate cell shows ("1234 kbit/s"), or 0 if it shows none.
fn kbps(key: &str) -> u64 {
    stat(key)
        .strip_suffix(" kbit/s")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// How many points a chart line has.
fn chart_points(line: &str) -> usize {
    document()
        .query_selector(&format!(".stats-chart polyline.{line}"))
        .unwrap()
        .and_then(|e| e.get_attribute("points"))
        .map_or(0, |points| points.split_whitespace().count())
}

/// Counts `getStats()` calls on every connection (`window.__getStats`) but a witness's (`window.__witnessStats`, see
/// [`assert_no_more_polling`]); `window.__failStats` makes them fail.
fn count_get_stats() {
    js(r#"
        if (!window.__countingStats) {
            window.__countingStats = true;
            const real = RTCPeerConnection.prototype.getStats;
            RTCPeerConnection.prototype.getStats = function (...args) {
                if (this.__witness) {
                    window.__witnessStats += 1;
                    return real.apply(this, args);
                }
                window.__getStats += 1;
                if (window.__failStats) {
                    return Promise.reject(new DOMException('stats are switched off', 'OperationError'));
                }
                return real.apply(this, args);
            };
        }
        window.__getStats = 0;
        window.__failStats = false;
    "#);
}

fn get_stats_calls() -> u32 {
    js("window.__getStats").as_f64().unwrap() as u32
}

fn errors(log: Logger) -> Vec<String> {
    log.lines().with_untracked(|lines| {
        lines
            .iter()
            .filter(|e| e.level == Level::Error)
            .map(|e| e.text.clone())
            .collect()
    })
}

/// A real loopback call (pc1 sends the fake camera to pc2), and its two connections.
async fn call(log: Logger) -> (LocalMedia, Call, Vec<Rc<PeerConnection>>) {
    let media = LocalMedia::capture().await.expect("the fake camera");
    let call = start_call(&media, log, |_| {}).expect("a call");
    let (pc1, pc2) = call.connections();
    let connections = vec![pc1, pc2];
    (media, call, connections)
}

const CANDIDATE_TYPES: [&str; 4] = ["host", "srflx", "prflx", "relay"];

/// Polling stops: while a second panel (a witness, on a connection of its own) polls three times, so that two of
/// its periods pass, nothing else calls getStats. Both poll through the same timer and getStats, so a busy page
/// slows them alike.
async fn assert_no_more_polling(when: &str) {
    let calls = get_stats_calls();
    let witness = Rc::new(PeerConnection::new().expect("a connection for the witness"));
    js_sys::Reflect::set(witness.js(), &"__witness".into(), &true.into()).unwrap();
    js("window.__witnessStats = 0;");
    // Not a fresh host: that would remove the panel under test.
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = mount_to(host.clone(), move || {
        provide_context(Logger::new());
        view! {
            <StatsPanel
                title="Witness"
                connections=Signal::derive_local(move || vec![witness.clone()])
            />
        }
    });
    wait_for("the witness panel to poll three times", 20, || {
        js("window.__witnessStats").as_f64().unwrap() >= 3.0
    })
    .await;
    drop(handle);
    host.remove();
    assert_eq!(get_stats_calls(), calls, "getStats still called {when}");
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

#[wasm_bindgen_test]
async fn a_call_shows_figures_both_ways_and_a_chart_and_no_call_after_it() {
    count_get_stats();
    let log = Logger::new();
    let connections = RwSignal::new_local(Vec::new());
    let _panel = mount_panel(connections, log);
    wait_for("the panel to say there is no call", 5, || {
        panel_text().contains("No call")
    })
    .await;
    assert!(!panel_text().contains("Video bitrate"), "{}", panel_text());
    assert_no_more_polling("without a call").await;
    assert_eq!(get_stats_calls(), 0, "no call, no polling");

    let (media, call, pcs) = call(log).await;
    let started = now();
    connections.set(pcs);
    wait_for("a sent and a received video bitrate", 30, || {
        kbps("sent-video-bitrate") > 0 && kbps("received-video-bitrate") > 0
    })
    .await;
    let first_bitrate = now() - started;
    wait_for("a received frame rate", 10, || {
        stat("received-frame-rate").ends_with(" fps")
    })
    .await;
    wait_for("the chart to have points", 10, || {
        chart_points("stats-kbps") >= 2 && chart_points("stats-rtt") >= 2
    })
    .await;
    console_log!(
        "first bitrate shown {} ms after the connections were given; after that: {}",
        first_bitrate as u64,
        panel_text()
    );
    assert!(!panel_text().contains("No call"), "{}", panel_text());
    for direction in ["sent", "received"] {
        let size = stat(&format!("{direction}-resolution"));
        let (width, height) = size
            .split_once('\u{d7}')
            .unwrap_or_else(|| panic!("{direction} resolution: {size:?}"));
        assert!(
            width.parse::<u32>().unwrap() > 0 && height.parse::<u32>().unwrap() > 0,
            "{size}"
        );
        let codec = stat(&format!("{direction}-codec"));
        assert!(
            codec.contains("VP8")
                || codec.contains("VP9")
                || codec.contains("H264")
                || codec.contains("AV1"),
            "{direction} codec: {codec:?}"
        );
        assert!(codec.contains("opus"), "{direction} audio codec: {codec:?}");
        assert!(
            kbps(&format!("{direction}-audio-bitrate")) > 0,
            "{direction} audio bitrate"
        );
        assert!(stat(&format!("{direction}-packets-lost"))
            .parse::<u64>()
            .is_ok());
    }
    assert!(
        CANDIDATE_TYPES.contains(&stat("local-candidate").as_str()),
        "{}",
        stat("local-candidate")
    );
    assert!(
        CANDIDATE_TYPES.contains(&stat("remote-candidate").as_str()),
        "{}",
        stat("remote-candidate")
    );
    assert!(stat("rtt").ends_with(" ms"), "rtt: {:?}", stat("rtt"));
    assert!(
        panel_text().contains("Received video bitrate"),
        "the chart says what it draws"
    );

    // Hang up: the connections go, the panel says so and stops asking.
    drop(call);
    connections.set(Vec::new());
    wait_for("the panel to say there is no call", 5, || {
        panel_text().contains("No call")
    })
    .await;
    assert!(
        !panel_text().contains("Video bitrate"),
        "no figures without a call: {}",
        panel_text()
    );
    assert_eq!(
        stat("sent-video-bitrate"),
        "\u{2014}",
        "nor kept for the next call"
    );
    assert_no_more_polling("after the call").await;
    assert_eq!(errors(log), Vec::<String>::new());
    drop(media);
}

#[wasm_bindgen_test]
async fn unmounting_the_panel_stops_polling() {
    count_get_stats();
    let log = Logger::new();
    let connections = RwSignal::new_local(Vec::new());
    let panel = mount_panel(connections, log);
    let (_media, _call, pcs) = call(log).await;
    connections.set(pcs);
    wait_for("polling to begin", 10, || get_stats_calls() >= 4).await;
    drop(panel);
    assert_no_more_polling("after unmount, mid-call").await;
}

#[wasm_bindgen_test]
async fn a_failing_get_stats_is_shown_and_logged_once() {
    count_get_stats();
    let log = Logger::new();
    let connections = RwSignal::new_local(Vec::new());
    let _panel = mount_panel(connections, log);
    let (_media, _call, pcs) = call(log).await;
    js("window.__failStats = true;");
    connections.set(pcs);
    wait_for("the failure in the panel", 10, || {
        panel_text()
            .contains("Could not read the call statistics: OperationError: stats are switched off")
    })
    .await;
    // Let it poll (and fail) a few more times.
    let calls = get_stats_calls();
    wait_for("more polling", 10, || get_stats_calls() >= calls + 4).await;
    assert_eq!(errors(log).len(), 1, "logged once: {:?}", errors(log));

    // getStats works again: the figures come, the failure goes.
    js("window.__failStats = false;");
    wait_for("a received video bitrate", 30, || {
        kbps("received-video-bitrate") > 0
    })
    .await;
    wait_for("the failure to go", 5, || {
        !panel_text().contains("Could not read")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_demo_page_shows_its_call_and_no_call_after_hang_up() {
    count_get_stats();
    let _page = Mounted::new(LoopbackDemo);
    assert!(panel_text().contains("No call"));
    button("startButton").click();
    wait_for("Start (Call enabled)", 20, || {
        !button("callButton").disabled()
    })
    .await;
    button("callButton").click();
    // pc1 sends, pc2 receives: the page merges them.
    wait_for("both bitrates", 30, || {
        kbps("sent-video-bitrate") > 0 && kbps("received-video-bitrate") > 0
    })
    .await;
    wait_for(
        "the same resolution both ways: what pc1 sends, pc2 receives",
        10,
        || {
            stat("received-resolution").contains('\u{d7}')
                && stat("received-resolution") == stat("sent-resolution")
        },
    )
    .await;
    button("hangupButton").click();
    wait_for("No call after Hang Up", 5, || {
        panel_text().contains("No call")
    })
    .await;
    assert_no_more_polling("after Hang Up").await;
}
