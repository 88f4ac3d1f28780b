//! The thin layer over the browser's WebRTC and media APIs.
//!
//! Everything that touches web-sys for WebRTC lives here: promises become `async fn`s, events become handlers
//! owned by the object they serve, and every JS exception becomes an [`Error`] with a human message.

mod error;
mod listener;
mod media;
mod peer;

pub use error::Error;
pub use listener::Listener;
pub use media::LocalMedia;
pub use peer::PeerConnection;

/// Milliseconds since the page started loading (`performance.now()`), or 0 where there is no clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map(|performance| performance.now())
        .unwrap_or(0.0)
}
