//! `RTCPeerConnection`, with `async` methods and event handlers that it owns. The offer/answer and ICE steps are
//! in [`super::negotiation`].

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Event, RtcConfiguration, RtcDataChannelInit, RtcIceServer, RtcPeerConnection,
    RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcTrackEvent,
};

use super::{channel::ChannelHandle, Error, Listener, LocalMedia, Stream};

/// One `RTCPeerConnection` and every event handler registered on it.
///
/// [`PeerConnection::close`] (also run on drop) closes the connection and drops the handlers, so no callback
/// of a closed connection can ever run again.
pub struct PeerConnection {
    pub(super) pc: RtcPeerConnection,
    listeners: RefCell<Vec<Listener>>,
}

impl PeerConnection {
    /// A new connection with no ICE servers: host candidates only, which is all two peers in one page need.
    pub fn new() -> Result<Self, Error> {
        Self::with_ice_servers(&[])
    }

    /// A new connection that gathers candidates through `ice_servers` (STUN for a public address, TURN for a
    /// relay) as well as its own host candidates.
    pub fn with_ice_servers(ice_servers: &[protocol::IceServer]) -> Result<Self, Error> {
        let config = RtcConfiguration::new();
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
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        Ok(PeerConnection {
            pc,
            listeners: RefCell::new(Vec::new()),
        })
    }

    /// `iceconnectionstatechange`, with the new `iceConnectionState` ("checking", "connected", ...).
    pub fn on_ice_connection_state_change(
        &self,
        mut handler: impl FnMut(String) + 'static,
    ) -> Result<(), Error> {
        let pc = self.pc.clone();
        self.listen("iceconnectionstatechange", move |_: Event| {
            handler(state(&pc, "iceConnectionState"))
        })
    }

    /// `connectionstatechange`, with the new `connectionState` ("connecting", "connected", ...).
    pub fn on_connection_state_change(
        &self,
        mut handler: impl FnMut(String) + 'static,
    ) -> Result<(), Error> {
        let pc = self.pc.clone();
        self.listen("connectionstatechange", move |_: Event| {
            handler(state(&pc, "connectionState"))
        })
    }

    /// `negotiationneeded`: something changed (a track, a transceiver, an ICE restart) that needs an offer.
    pub fn on_negotiation_needed(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("negotiationneeded", move |_: Event| handler())
    }

    /// `track`, once per new stream: the stream that the far side's tracks arrive in (its audio and video share
    /// one), each time a different one starts.
    pub fn on_remote_stream(&self, mut handler: impl FnMut(Stream) + 'static) -> Result<(), Error> {
        let mut shown: Option<String> = None;
        self.listen("track", move |event: RtcTrackEvent| {
            let Ok(stream) = event.streams().get(0).dyn_into::<web_sys::MediaStream>() else {
                return;
            };
            if shown.as_deref() != Some(stream.id().as_str()) {
                shown = Some(stream.id());
                handler(Stream::new(stream));
            }
        })
    }

    /// Sends every track of `media` (`addTrack`), tagged with its stream so the far side groups them.
    pub fn add_tracks(&self, media: &LocalMedia) {
        self.add_stream(media.stream());
    }

    /// Sends every track of `stream` (`addTrack`), tagged with the stream.
    pub fn add_stream(&self, stream: &Stream) {
        let stream = stream.raw();
        for track in stream.get_tracks() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                self.pc.add_track_0(&track, stream);
            }
        }
    }

    /// Receives audio and video without sending any (`addTransceiver(kind, {direction: "recvonly"})`), for a
    /// person who has no camera or refused it.
    pub fn add_receive_only(&self) {
        let init = RtcRtpTransceiverInit::new();
        init.set_direction(RtcRtpTransceiverDirection::Recvonly);
        for kind in ["audio", "video"] {
            self.pc.add_transceiver_with_str_and_init(kind, &init);
        }
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

    /// The data channel both sides create with the same `id` (`negotiated: true`, ordered and reliable): it
    /// needs no `datachannel` event and no extra round of negotiation, and it opens with the connection. Create
    /// it before the first offer.
    pub fn negotiated_channel(&self, label: &str, id: u16) -> ChannelHandle {
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(id);
        init.set_ordered(true);
        ChannelHandle::new(
            self.pc
                .create_data_channel_with_data_channel_dict(label, &init),
        )
    }

    /// Sends `track` in place of the sender's current track of the same kind (`RTCRtpSender.replaceTrack`):
    /// no renegotiation, the call goes on. Returns false when this connection sends nothing of that kind.
    pub async fn replace_track(&self, track: &web_sys::MediaStreamTrack) -> Result<bool, Error> {
        let kind = track.kind();
        for sender in self.pc.get_senders() {
            let Ok(sender) = sender.dyn_into::<web_sys::RtcRtpSender>() else {
                continue;
            };
            if sender.track().is_some_and(|current| current.kind() == kind) {
                JsFuture::from(sender.replace_track(Some(track))).await?;
                return Ok(true);
            }
        }
        Ok(false)
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

    /// `signalingState` ("stable", "have-local-offer", ...).
    pub fn signaling_state(&self) -> String {
        state(&self.pc, "signalingState")
    }

    /// `connectionState` ("new", "connecting", "connected", "disconnected", "failed", "closed").
    pub fn connection_state(&self) -> String {
        state(&self.pc, "connectionState")
    }

    /// Closes the connection and drops every handler registered on it. Safe to call more than once.
    pub fn close(&self) {
        self.pc.close();
        self.listeners.borrow_mut().clear();
    }

    pub(super) fn listen<E: JsCast>(
        &self,
        kind: &'static str,
        handler: impl FnMut(E) + 'static,
    ) -> Result<(), Error> {
        let listener = Listener::new(&self.pc, kind, handler)?;
        self.listeners.borrow_mut().push(listener);
        Ok(())
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

/// Reads a state attribute as the browser spells it; "unknown" if a browser lacks it.
fn state(pc: &RtcPeerConnection, attribute: &str) -> String {
    js_sys::Reflect::get(pc, &JsValue::from_str(attribute))
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
