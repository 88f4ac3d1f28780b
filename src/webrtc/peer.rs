//! `RTCPeerConnection`, with `async` methods and event handlers that it owns.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Event, RtcConfiguration, RtcIceCandidate, RtcPeerConnection, RtcPeerConnectionIceEvent,
    RtcSessionDescriptionInit, RtcTrackEvent,
};

use super::{Error, Listener, LocalMedia};

/// One `RTCPeerConnection` and every event handler registered on it.
///
/// [`PeerConnection::close`] (also run on drop) closes the connection and drops the handlers, so no callback
/// of a closed connection can ever run again.
pub struct PeerConnection {
    pc: RtcPeerConnection,
    listeners: RefCell<Vec<Listener>>,
}

impl PeerConnection {
    /// A new connection with no ICE servers: host candidates only, which is all two peers in one page need.
    pub fn new() -> Result<Self, Error> {
        let config = RtcConfiguration::new();
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        Ok(PeerConnection {
            pc,
            listeners: RefCell::new(Vec::new()),
        })
    }

    /// `icecandidate`: each local candidate, then `None` once gathering is complete (end-of-candidates).
    pub fn on_ice_candidate(
        &self,
        mut handler: impl FnMut(Option<RtcIceCandidate>) + 'static,
    ) -> Result<(), Error> {
        self.listen("icecandidate", move |event: RtcPeerConnectionIceEvent| {
            handler(event.candidate())
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

    /// `track`: a remote track arrived, with the streams it belongs to.
    pub fn on_track(&self, handler: impl FnMut(RtcTrackEvent) + 'static) -> Result<(), Error> {
        self.listen("track", handler)
    }

    /// Sends every track of `media` (`addTrack`), tagged with its stream so the far side groups them.
    pub fn add_tracks(&self, media: &LocalMedia) {
        for track in media.tracks() {
            self.pc.add_track_0(&track, media.stream());
        }
    }

    /// `createOffer()`.
    pub async fn create_offer(&self) -> Result<RtcSessionDescriptionInit, Error> {
        let offer = JsFuture::from(self.pc.create_offer()).await?;
        Ok(offer.unchecked_into())
    }

    /// `createAnswer()`.
    pub async fn create_answer(&self) -> Result<RtcSessionDescriptionInit, Error> {
        let answer = JsFuture::from(self.pc.create_answer()).await?;
        Ok(answer.unchecked_into())
    }

    /// `setLocalDescription(description)`.
    pub async fn set_local_description(
        &self,
        description: &RtcSessionDescriptionInit,
    ) -> Result<(), Error> {
        JsFuture::from(self.pc.set_local_description(description)).await?;
        Ok(())
    }

    /// `setRemoteDescription(description)`.
    pub async fn set_remote_description(
        &self,
        description: &RtcSessionDescriptionInit,
    ) -> Result<(), Error> {
        JsFuture::from(self.pc.set_remote_description(description)).await?;
        Ok(())
    }

    /// `addIceCandidate(candidate)`; `None` is end-of-candidates, exactly as the `icecandidate` event reports it.
    pub async fn add_ice_candidate(
        &self,
        candidate: Option<&RtcIceCandidate>,
    ) -> Result<(), Error> {
        JsFuture::from(
            self.pc
                .add_ice_candidate_with_opt_rtc_ice_candidate(candidate),
        )
        .await?;
        Ok(())
    }

    /// Closes the connection and drops every handler registered on it. Safe to call more than once.
    pub fn close(&self) {
        self.pc.close();
        self.listeners.borrow_mut().clear();
    }

    fn listen<E: JsCast>(
        &self,
        kind: &'static str,
        handler: impl FnMut(E) + 'static,
    ) -> Result<(), Error> {
        let listener = Listener::new(&self.pc, kind, handler)?;
        self.listeners.borrow_mut().push(listener);
        Ok(())
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
