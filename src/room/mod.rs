//! A call between people in a room, through the signaling server.
//!
//! - [`session`]: join, dial, signal, leave, and reconnecting to the server.
//! - [`peer`]: one connection per other person, with perfect negotiation.
//! - [`page`]: the room page.

pub mod page;
pub mod peer;
pub mod session;

pub use page::{RoomPage, RoomRoute};
