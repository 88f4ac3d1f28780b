//! Signaling and negotiation, free of views: how connections are set up and kept up.
//!
//! - [`call`]: the loopback demo's call between pc1 and pc2 in one page.
//! - [`session`]: being in a room through the server: join, dial, signal, leave, reconnect.
//! - [`peer`]: one connection per other person in a room, with perfect negotiation.

pub mod call;
pub mod peer;
pub mod session;

/// The label of the data channel that carries chat and files, in the demo and in rooms.
pub const DATA_CHANNEL_LABEL: &str = "chat";
/// Its stream id: both ends create it with this id (`negotiated: true`).
pub const DATA_CHANNEL_ID: u16 = 0;

/// `n` random bytes from the browser's cryptographic generator, as lowercase hex (`2n` characters): room ids,
/// this page's secret, transfer ids.
pub fn random_hex(n: usize) -> Result<String, crate::webrtc::Error> {
    Ok(crate::model::bytes::hex(&crate::webrtc::random_bytes(n)?))
}
