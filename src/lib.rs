//! WebRTC in Rust: the classic peer-connection demo, and calls between browsers through a signaling server.
//!
//! The layers, from the browser up (each may use the ones before it):
//! - [`webrtc`]: the thin, typed layer over the browser's media, WebRTC, WebSocket and timer APIs. It imports
//!   nothing else of the app.
//! - [`model`]: plain Rust state and logic (buttons, log lines, statistics, chat and file transfer, the data
//!   channel's frames), tested natively.
//! - [`log`]: the page's log and alert banner, a handle shared through Leptos context.
//! - [`signaling`]: the loopback call (start, call, offer, answer, ICE, hang up) and rooms through the server
//!   (join, dial, signal, perfect negotiation, leave), free of views.
//! - [`wire`]: the data-channel wire protocol at work: chat lines and files over a chat's data channels (handlers,
//!   paced sending, received chunks, download links), free of views.
//! - [`components`]: the pages and their panels.
//! - [`app`]: picks the page from the address: the demo at `/`, a room at `/room/<id>`.

pub mod app;
pub mod components;
pub mod log;
pub mod model;
pub mod signaling;
pub mod webrtc;
pub mod wire;

pub use app::App;
pub use components::demo::LoopbackDemo;
