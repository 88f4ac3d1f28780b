//! The room page in a real browser with the fake camera, when the signaling server cannot be reached: the page
//! must say so and keep trying, and Leave must release everything. (Calls through a real server are covered
//! end to end by e2e/room.mjs.)

#![cfg(target_arch = "wasm32")]

use leptos::{mount::mount_to, prelude::*};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    HtmlElement, HtmlVideoElement, MediaStream, MediaStreamTrack, MediaStreamTrackState,
};
use webrtc_demo::components::room_page::RoomPage;

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{document, fresh_host, js_async, log_text, text_of, wait_for};

/// A promise (JavaScript) that resolves once a WebSocket of ours to the unreachable server has closed.
const OUR_SOCKET_FAILS: &str =
    "new Promise((done) => { new WebSocket('ws://127.0.0.1:9/ws').onclose = done; })";

#[wasm_bindgen_test]
async fn an_unreachable_server_is_said_and_retried_and_leave_releases_the_camera() {
    let host = fresh_host();
    // Port 9 (discard) on loopback: nothing listens, so every connection attempt is refused at once.
    let handle = mount_to(host.clone(), || {
        view! { <RoomPage room="test-room".to_owned() server="ws://127.0.0.1:9/ws".to_owned() /> }
    });

    let video = || -> HtmlVideoElement {
        document()
            .get_element_by_id("localVideo")
            .unwrap()
            .unchecked_into()
    };
    wait_for("the camera preview", 10, || video().video_width() > 0).await;
    wait_for("the page to say the server is unreachable", 10, || {
        text_of("connection").contains("Cannot reach the server")
            && text_of("connection").contains("Reconnecting")
    })
    .await;
    // It keeps trying, with growing waits.
    wait_for("a second attempt", 10, || {
        log_text().contains("(attempt 2)")
    })
    .await;
    assert!(document()
        .query_selector("video[data-peer]")
        .unwrap()
        .is_none());

    let stream: MediaStream = video().src_object().unwrap().unchecked_into();
    let leave: HtmlElement = document()
        .get_element_by_id("leaveButton")
        .unwrap()
        .unchecked_into();
    leave.click();
    wait_for("the page to say we left", 5, || {
        text_of("connection") == "You left the room"
    })
    .await;
    assert!(
        document().get_element_by_id("rejoinButton").is_some(),
        "a way back in"
    );
    assert!(
        document().get_element_by_id("leaveButton").is_none(),
        "no Leave button once out"
    );
    for track in stream.get_tracks() {
        let track: MediaStreamTrack = track.unchecked_into();
        assert_eq!(
            track.ready_state(),
            MediaStreamTrackState::Ended,
            "{} still live",
            track.kind()
        );
    }
    // No more attempts once we left. The last "Reconnecting in N ms" timer was set before ours and is due no later,
    // so it has had its chance once ours fires; a socket of ours to the same address, opened then, fails after the
    // attempt that timer would have made.
    let attempts = log_text().matches("Reconnecting in").count();
    let due_in_ms = log_text()
        .rsplit("Reconnecting in ")
        .next()
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|ms| ms.parse::<u32>().ok())
        .expect("a \"Reconnecting in N ms\" line");
    js_async(&format!(
        "new Promise((done) => setTimeout(done, {due_in_ms})).then(() => {OUR_SOCKET_FAILS})"
    ))
    .await;
    assert_eq!(
        log_text().matches("Reconnecting in").count(),
        attempts,
        "still reconnecting after Leave"
    );

    drop(handle);
    host.remove();
}

/// A browser without RTCPeerConnection (WebKitGTK has getUserMedia but no WebRTC) is told so up front, on both
/// pages, and the room page does not join as if all were well.
#[wasm_bindgen_test]
async fn a_browser_without_webrtc_is_told_up_front() {
    use wasm_bindgen::JsValue;
    use webrtc_demo::components::demo::LoopbackDemo;
    let window = web_sys::window().unwrap();
    let key = JsValue::from_str("RTCPeerConnection");
    let native = js_sys::Reflect::get(&window, &key).unwrap();
    js_sys::Reflect::set(&window, &key, &JsValue::UNDEFINED).unwrap();

    let host = fresh_host();
    let room = mount_to(host.clone(), || {
        view! { <RoomPage room="test-room".to_owned() server="ws://127.0.0.1:9/ws".to_owned() /> }
    });
    let words = "This browser cannot make WebRTC calls";
    wait_for("the room page to say it", 5, || {
        text_of("problem").contains(words)
    })
    .await;
    assert!(
        text_of("connection").contains(words),
        "{}",
        text_of("connection")
    );
    // Joining starts with the camera, then the server: once a camera of our own, asked for now, is granted, and a
    // socket of ours to the same server has failed, the page's would have come first.
    js_async(&format!(
        "navigator.mediaDevices.getUserMedia({{ video: true }}).then((stream) => {{
            stream.getTracks().forEach((track) => track.stop());
            return {OUR_SOCKET_FAILS};
        }})"
    ))
    .await;
    assert!(
        !log_text().contains("Connected to the server") && !log_text().contains("Reconnecting"),
        "it tried to join:\n{}",
        log_text()
    );
    drop(room);
    host.set_inner_html("");

    let demo = mount_to(host.clone(), LoopbackDemo);
    wait_for("the demo to say it", 5, || {
        text_of("problem").contains(words)
    })
    .await;
    drop(demo);
    host.remove();
    js_sys::Reflect::set(&window, &key, &native).unwrap();
}
