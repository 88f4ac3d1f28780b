//! The WebRTC peer-connection demo in Rust: Start, Call, Hang Up, with two `RTCPeerConnection`s in one page.
//!
//! - [`webrtc`]: the thin, typed layer over the browser's media and WebRTC APIs.
//! - [`call`]: the protocol, step by step (start, call, offer, answer, ICE, hang up).
//! - [`app`]: the Leptos page.

pub mod app;
pub mod call;
pub mod log;
pub mod phase;
pub mod webrtc;

pub use app::App;
