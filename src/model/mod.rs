//! Plain Rust: the app's state and logic with no browser and no Leptos, tested natively with `cargo test`.
//!
//! - [`chat`]: the chat panel's state: lines, channels, and file transfers by id, each in one state.
//! - [`ice`]: what an ICE server's refusal means, in words.
//! - [`phase`]: the demo's buttons (the page contract).
//! - [`roster`]: the people of a room by id.
//! - [`route`]: which page an address shows.
//! - [`log`]: the log's lines and time formatting.
//! - [`media`]: the camera and microphone pickers: devices, the choice, sizes.
//! - [`stats`]: call statistics parsed from `getStats()` reports, rates, the chart.
//! - [`transfer`]: the data channel's messages, chunking, hashing and reassembly of files.

pub mod chat;
pub mod ice;
pub mod log;
pub mod media;
pub mod phase;
pub mod roster;
pub mod route;
pub mod stats;
pub mod transfer;
