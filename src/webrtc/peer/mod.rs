//! `RTCPeerConnection`, with `async` methods and event handlers that it owns. The offer/answer and ICE steps are
//! in [`super::negotiation`].
//!
//! In `peer/`: the connection, its state and its lifetime (here), its events (`events.rs`), its three states as
//! words (`states.rs`), and what it sends and receives: tracks, transceivers and the data channel (`tracks.rs`).

mod events;
mod states;
mod tracks;

pub use events::CandidateError;
pub use states::StateText;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    RtcConfiguration, RtcIceServer, RtcPeerConnection, RtcPeerConnectionState, RtcSignalingState,
};

use super::{listener::Listeners, Error};

/// One `RTCPeerConnection` and every event handler registered on it.
///
/// [`PeerConnection::close`] (also run on drop) closes the connection and drops the handlers, so no callback
/// of a closed connection can ever run again.
pub struct PeerConnection {
    pub(super) pc: RtcPeerConnection,
    pub(in crate::webrtc) listeners: Listeners,
}

impl PeerConnection {
    /// A new connection with no ICE servers: host candidates only, which is all two peers in one page need.
    pub fn new() -> Result<Self, Error> {
        Self::with_ice_servers(&[], protocol::IceTransportPolicy::All)
    }

    /// A new connection that gathers candidates through `ice_servers` (STUN for a public address, TURN for a
    /// relay) as well as its own host candidates; with [`protocol::IceTransportPolicy::Relay`], relayed
    /// candidates only.
    pub fn with_ice_servers(
        ice_servers: &[protocol::IceServer],
        policy: protocol::IceTransportPolicy,
    ) -> Result<Self, Error> {
        if !super::can_make_calls() {
            return Err(Error::NoPeerConnection);
        }
        let config = configuration(ice_servers, policy)?;
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        Ok(PeerConnection {
            listeners: Listeners::on(&pc),
            pc,
        })
    }

    /// `setConfiguration()`: new ICE servers (fresh TURN credentials) for the connection's next gathering, an ICE
    /// restart; what is connected now stays as it is.
    pub fn set_ice_servers(
        &self,
        ice_servers: &[protocol::IceServer],
        policy: protocol::IceTransportPolicy,
    ) -> Result<(), Error> {
        self.pc
            .set_configuration_with_configuration(&configuration(ice_servers, policy)?)?;
        Ok(())
    }

    /// `restartIce()`: gather new candidates and renegotiate (fires `negotiationneeded`).
    pub fn restart_ice(&self) -> Result<(), Error> {
        let restart = js_sys::Reflect::get(&self.pc, &JsValue::from_str("restartIce"))?;
        let restart: js_sys::Function = restart.dyn_into().map_err(|_| Error::Browser {
            name: "NotSupportedError".into(),
            message: "this browser cannot restart ICE".into(),
        })?;
        restart.call0(&self.pc)?;
        Ok(())
    }

    /// The promise of `getStats()` (read by [`super::stats`]).
    pub(super) fn raw_stats(&self) -> js_sys::Promise {
        self.pc.get_stats()
    }

    /// The JS object, for tests that inspect the connection from JS (its senders, its state). The app itself
    /// goes through this handle's methods.
    #[doc(hidden)]
    pub fn js(&self) -> &JsValue {
        &self.pc
    }

    /// `signalingState` (stable, have-local-offer, ...).
    pub fn signaling_state(&self) -> RtcSignalingState {
        self.pc.signaling_state()
    }

    /// `connectionState` (new, connecting, connected, disconnected, failed, closed).
    pub fn connection_state(&self) -> RtcPeerConnectionState {
        self.pc.connection_state()
    }

    /// The arrival time of the newest audio or video packet from the peer, from each receiver's
    /// `getSynchronizationSources()`; `None` before the first packet, or where the browser cannot tell. Only
    /// compare it with itself: browsers disagree on its clock. Cheap enough to ask every second, unlike
    /// `getStats()`.
    pub fn newest_packet_time(&self) -> Option<f64> {
        let call = |target: &JsValue, method: &str| -> Option<js_sys::Array> {
            let function: js_sys::Function =
                js_sys::Reflect::get(target, &JsValue::from_str(method))
                    .ok()?
                    .dyn_into()
                    .ok()?;
            function.call0(target).ok()?.dyn_into().ok()
        };
        call(&self.pc, "getReceivers")?
            .iter()
            .filter_map(|receiver| call(&receiver, "getSynchronizationSources"))
            .flat_map(|sources| sources.to_vec())
            .filter_map(|source| {
                js_sys::Reflect::get(&source, &JsValue::from_str("timestamp"))
                    .ok()?
                    .as_f64()
            })
            .reduce(f64::max)
    }

    /// Closes the connection and drops every handler registered on it. Safe to call more than once.
    pub fn close(&self) {
        self.pc.close();
        self.listeners.clear();
    }
}

/// The same connection (JS identity), whatever handle it is reached through.
impl PartialEq for PeerConnection {
    fn eq(&self, other: &Self) -> bool {
        self.pc == other.pc
    }
}

impl Drop for PeerConnection {
    fn drop(&mut self) {
        self.close();
    }
}

/// An RTCConfiguration with `ice_servers` and, unless it is `all`, the transport `policy`.
fn configuration(
    ice_servers: &[protocol::IceServer],
    policy: protocol::IceTransportPolicy,
) -> Result<RtcConfiguration, Error> {
    let config = RtcConfiguration::new();
    if policy != protocol::IceTransportPolicy::All {
        js_sys::Reflect::set(
            &config,
            &JsValue::from_str("iceTransportPolicy"),
            &JsValue::from_str(policy.as_str()),
        )?;
    }
    if !ice_servers.is_empty() {
        let list = js_sys::Array::new();
        for server in ice_servers {
            let entry = RtcIceServer::new();
            let urls: js_sys::Array = server
                .urls
                .iter()
                .map(|url| JsValue::from_str(url))
                .collect();
            entry.set_urls(&urls);
            if let Some(username) = &server.username {
                entry.set_username(username);
            }
            if let Some(credential) = &server.credential {
                entry.set_credential(credential);
            }
            list.push(&entry);
        }
        config.set_ice_servers(&list);
    }
    Ok(config)
}
