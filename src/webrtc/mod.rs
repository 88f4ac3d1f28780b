//! The thin layer over the browser's WebRTC and media APIs.
//!
//! Everything that touches web-sys for WebRTC lives here: promises become `async fn`s, events become handlers
//! owned by the object they serve, and every JS exception becomes an [`Error`] with a human message.

pub mod channel;
pub mod devices;
mod error;
mod file;
pub mod ice_check;
pub mod json;
mod listener;
mod media;
mod negotiation;
pub mod page;
mod peer;
mod socket;
pub mod stats;
mod timer;

pub use error::Error;
pub use file::{FileHandle, FileParts, ObjectUrl};
pub use listener::Listener;
pub use media::{show, Ended, LocalMedia, MediaHandle, Stream, Swap};
pub use negotiation::{Candidate, Description};
pub use peer::{CandidateError, PeerConnection, StateText};
pub use socket::{Closed, Socket};
pub use stats::StatsObject;
pub use timer::{sleep, Timeout};
pub use web_sys::{RtcIceConnectionState, RtcPeerConnectionState, RtcSignalingState};

/// `n` random bytes from the browser's cryptographic generator (`crypto.getRandomValues`).
pub fn random_bytes(n: usize) -> Result<Vec<u8>, Error> {
    let crypto = web_sys::window()
        .ok_or_else(|| Error::Browser {
            name: "Error".into(),
            message: "no window, so no random numbers".into(),
        })?
        .crypto()?;
    let mut bytes = vec![0u8; n];
    crypto.get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

/// Whether this browser can make WebRTC calls at all (it has `RTCPeerConnection`).
pub fn can_make_calls() -> bool {
    web_sys::window().is_some_and(|window| {
        js_sys::Reflect::get(
            &window,
            &wasm_bindgen::JsValue::from_str("RTCPeerConnection"),
        )
        .is_ok_and(|constructor| constructor.is_function())
    })
}

/// Milliseconds since the page started loading (`performance.now()`), or 0 where there is no clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map(|performance| performance.now())
        .unwrap_or(0.0)
}
