//! WebRTC in Rust: the classic peer-connection demo, and calls between browsers through a signaling server.
//!
//! - [`webrtc`]: the thin, typed layer over the browser's media, WebRTC, WebSocket and timer APIs.
//! - [`call`]: the loopback demo's protocol, step by step (start, call, offer, answer, ICE, hang up).
//! - [`room`]: a call between people in a room: join, dial, signal, perfect negotiation, leave.
//! - [`stats`] and [`stats_panel`]: live call statistics and their chart.
//! - [`media_controls`]: devices, resolution, mute, camera off, screen share.
//! - [`chat`] and [`transfer`]: chat and file transfer over the data channel.
//! - [`app`]: the pages: [`demo`] at `/` and the room at `/room/<id>`; [`ui`] holds their shared pieces.

pub mod app;
pub mod call;
pub mod chat;
pub mod demo;
pub mod log;
pub mod media_controls;
pub mod phase;
pub mod room;
pub mod stats;
pub mod stats_panel;
pub mod transfer;
pub mod ui;
pub mod webrtc;

pub use app::App;
pub use demo::LoopbackDemo;
