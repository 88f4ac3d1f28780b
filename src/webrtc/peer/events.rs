//! The connection's events: its states, renegotiation, and the streams that arrive.

use wasm_bindgen::JsCast;
use web_sys::{Event, RtcIceConnectionState, RtcPeerConnectionState, RtcTrackEvent};

use super::{
    super::{Error, Stream},
    PeerConnection,
};

/// An `icecandidateerror`: an ICE server (STUN or TURN) that did not give us a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateError {
    /// The STUN error code: 401 (credentials refused), 701 (server unreachable), ...
    pub code: u16,
    /// The ICE server's URL, as configured.
    pub url: String,
    /// The browser's or server's reason phrase (may be empty).
    pub text: String,
}

impl PeerConnection {
    /// `icecandidateerror`: an ICE server refused us or could not be reached.
    pub fn on_ice_candidate_error(
        &self,
        mut handler: impl FnMut(CandidateError) + 'static,
    ) -> Result<(), Error> {
        self.listeners
            .add("icecandidateerror", move |event: Event| {
                let field = |key: &str| js_sys::Reflect::get(&event, &key.into()).ok();
                handler(CandidateError {
                    code: field("errorCode")
                        .and_then(|code| code.as_f64())
                        .map_or(0, |code| code as u16),
                    url: field("url")
                        .and_then(|url| url.as_string())
                        .unwrap_or_default(),
                    text: field("errorText")
                        .and_then(|text| text.as_string())
                        .unwrap_or_default(),
                })
            });
        Ok(())
    }

    /// `iceconnectionstatechange`, with the new `iceConnectionState` (checking, connected, ...).
    pub fn on_ice_connection_state_change(
        &self,
        mut handler: impl FnMut(RtcIceConnectionState) + 'static,
    ) -> Result<(), Error> {
        let pc = self.pc.clone();
        self.listeners
            .add("iceconnectionstatechange", move |_: Event| {
                handler(pc.ice_connection_state())
            });
        Ok(())
    }

    /// `connectionstatechange`, with the new `connectionState` (connecting, connected, ...).
    pub fn on_connection_state_change(
        &self,
        mut handler: impl FnMut(RtcPeerConnectionState) + 'static,
    ) -> Result<(), Error> {
        let pc = self.pc.clone();
        self.listeners
            .add("connectionstatechange", move |_: Event| {
                handler(pc.connection_state())
            });
        Ok(())
    }

    /// `negotiationneeded`: something changed (a track, a transceiver, an ICE restart) that needs an offer.
    pub fn on_negotiation_needed(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listeners
            .add("negotiationneeded", move |_: Event| handler());
        Ok(())
    }

    /// `track`, once per new stream: the stream that the far side's tracks arrive in (its audio and video share
    /// one), each time a different one starts.
    pub fn on_remote_stream(&self, mut handler: impl FnMut(Stream) + 'static) -> Result<(), Error> {
        let mut shown: Option<String> = None;
        self.listeners.add("track", move |event: RtcTrackEvent| {
            let Ok(stream) = event.streams().get(0).dyn_into::<web_sys::MediaStream>() else {
                return;
            };
            if shown.as_deref() != Some(stream.id().as_str()) {
                shown = Some(stream.id());
                handler(Stream::new(stream));
            }
        });
        Ok(())
    }
}
