//! The pages and their parts, in Leptos. Components take handles from [`crate::webrtc`] and state from
//! [`crate::model`]; they bind the events of [`crate::signaling`] to signals and the log, and never touch web-sys
//! RTC or media types themselves.
//!
//! - [`demo`]: the loopback demo page (`/`).
//! - [`room_page`]: a room (`/room/<id>`).
//! - [`ui`]: the alert banner, a video tile, the log panel.
//! - [`local_media`]: the `use_local_media` hook, a page's camera and microphone.
//! - [`loopback_call`]: the demo's call, its events bound to the page's log and remote video.
//! - [`stats_panel`], [`media_controls`], [`chat`]: the panels both pages have.
//! - [`connection_check`]: "Check my connection" on the room page.

pub mod chat;
pub mod connection_check;
pub mod demo;
pub mod local_media;
pub mod loopback_call;
pub mod media_controls;
pub mod room_page;
pub mod stats_panel;
pub mod ui;
