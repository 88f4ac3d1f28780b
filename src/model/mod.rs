//! Plain Rust: the app's state and logic with no browser and no Leptos, tested natively with `cargo test`.
//!
//! - [`bytes`]: sizes and throughputs in words, and hex.
//! - [`call`]: which call a signal belongs to, so that both sides agree on it after an outage.
//! - [`chat`]: the chat panel's state: lines, channels, and file transfers by id, each in one state.
//! - [`ice`]: what an ICE server's refusal means, and a candidate, in words.
//! - [`phase`]: the demo's buttons (the page contract).
//! - [`recovery`]: when to restart ICE on a connection that lost contact.
//! - [`roster`]: the people of a room by id.
//! - [`route`]: which page an address shows.
//! - [`log`]: the log's lines and time formatting.
//! - [`media`]: the camera and microphone pickers: devices, the choice, sizes.
//! - [`stats`]: call statistics parsed from `getStats()` reports, rates, the chart.
//! - [`frames`]: what travels on the data channel: its messages, the chunk size, hashing and reassembly of files.

pub mod bytes;
pub mod call;
pub mod chat;
pub mod frames;
pub mod ice;
pub mod log;
pub mod media;
pub mod phase;
pub mod recovery;
pub mod roster;
pub mod route;
pub mod stats;
