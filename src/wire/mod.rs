//! The data-channel wire protocol at work: chat lines and files over the data channels of a chat, free of views.
//!
//! What travels, and the checks on it, are plain Rust in [`crate::model::frames`]; what the chat shows, and what
//! each event does to it, is the [`ChatState`] of [`crate::model::chat`]. This module is the JS side between the
//! two: it listens on each channel, sends chat lines and files, keeps what arrives, and makes download links.
//! A [`ChatChannels`] is given a [`Host`], where the state lives and the log is written; the chat component
//! binds that to a signal and the page's Logger.
//!
//! A file goes to every open channel, each with its own transfer: sent by the channel handle a slice at a time, in
//! chunks, paced by the channel's queue ([`PACING`]), hashed on both sides, and put back together on the receiving
//! side as JS buffers (outside wasm memory) until a `Blob` and a download link are made.
//!
//! - [`chat_channels`]: the [`ChatChannels`] handle: each event goes to the state, and the state's actions are
//!   carried out by the parts below;
//! - `links`: each link's channel with its handlers;
//! - `outbox`: each outgoing file's sending task, the pacing, and the steps of sending one file;
//! - `inbox`: each incoming file's chunks, and the file put together;
//! - `downloads`: each received file's download link.
//!
//! The four keep their values in a [`crate::model::roster::Roster`] keyed like the state.
//!
//! Ownership: each channel's handlers, its transfers' tasks and received chunks are dropped when the channel leaves
//! the list, the transfer ends, or [`ChatChannels::clear`]; each download link's object URL lives as long as its
//! row.

pub mod chat_channels;
mod downloads;
mod inbox;
mod links;
mod outbox;

use crate::model::{
    chat::{Actions, ChatState},
    log::Level,
};

pub use self::{
    chat_channels::ChatChannels,
    outbox::{HIGH_WATER, LOW_WATER, PACING, READ_SIZE},
};

/// Where a [`ChatChannels`] keeps its [`ChatState`], and how it tells the page what happened: the chat component
/// implements it over a signal and the page's Logger. Every method does nothing once the page is gone.
pub trait Host {
    /// Changes the state with `change` (the page redraws), and hands back the actions it returned.
    fn update(&self, change: &mut dyn FnMut(&mut ChatState) -> Actions) -> Option<Actions>;

    /// Changes the state with `change`; the page redraws only if it returns true.
    fn update_maybe(&self, change: &mut dyn FnMut(&mut ChatState) -> bool);

    /// Reads the state (without making the page watch it).
    fn read(&self, read: &mut dyn FnMut(&ChatState));

    /// This side's name (the state says "you" when it is empty).
    fn me(&self) -> String;

    /// A line for the page's log.
    fn log(&self, level: Level, text: String);
}
