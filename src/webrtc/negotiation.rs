//! The negotiation steps of a [`PeerConnection`]: offers, answers and ICE candidates, as plain Rust values.
//!
//! `RTCSessionDescriptionInit` and `RTCIceCandidateInit` are built here and nowhere else; the layers above pass
//! [`Description`]s and [`Candidate`]s, which are what travels between peers.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    RtcIceCandidate, RtcIceCandidateInit, RtcPeerConnectionIceEvent, RtcSdpType,
    RtcSessionDescription, RtcSessionDescriptionInit,
};

use super::{Error, PeerConnection};

/// An offer or an answer, with its SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Description {
    /// An offer.
    Offer(String),
    /// An answer.
    Answer(String),
}

impl Description {
    fn to_js(&self) -> RtcSessionDescriptionInit {
        let (kind, sdp) = match self {
            Description::Offer(sdp) => (RtcSdpType::Offer, sdp),
            Description::Answer(sdp) => (RtcSdpType::Answer, sdp),
        };
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(sdp);
        init
    }

    fn from_js(description: &RtcSessionDescription) -> Result<Self, Error> {
        match description.type_() {
            RtcSdpType::Offer => Ok(Description::Offer(description.sdp())),
            RtcSdpType::Answer => Ok(Description::Answer(description.sdp())),
            // A provisional answer or a rollback: never made by this app's negotiation.
            _ => Err(Error::Browser {
                name: "InvalidStateError".into(),
                message: "unexpected description (neither an offer nor an answer)".into(),
            }),
        }
    }
}

/// An ICE candidate: the fields of `RTCIceCandidateInit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The `candidate:` line.
    pub candidate: String,
    /// The media section it belongs to, by `mid`.
    pub sdp_mid: Option<String>,
    /// The media section it belongs to, by index.
    pub sdp_m_line_index: Option<u16>,
    /// The ICE username fragment of the generation it belongs to (tells an old candidate from a restart's).
    pub username_fragment: Option<String>,
}

impl Candidate {
    fn from_js(candidate: &RtcIceCandidate) -> Self {
        let fragment = js_sys::Reflect::get(candidate, &JsValue::from_str("usernameFragment"))
            .ok()
            .and_then(|value| value.as_string());
        Candidate {
            candidate: candidate.candidate(),
            sdp_mid: candidate.sdp_mid(),
            sdp_m_line_index: candidate.sdp_m_line_index(),
            username_fragment: fragment,
        }
    }

    fn to_js(&self) -> Result<RtcIceCandidate, Error> {
        let init = RtcIceCandidateInit::new(&self.candidate);
        init.set_sdp_mid(self.sdp_mid.as_deref());
        init.set_sdp_m_line_index(self.sdp_m_line_index);
        if let Some(fragment) = &self.username_fragment {
            js_sys::Reflect::set(
                &init,
                &JsValue::from_str("usernameFragment"),
                &JsValue::from_str(fragment),
            )?;
        }
        Ok(RtcIceCandidate::new(&init)?)
    }
}

impl PeerConnection {
    /// `icecandidate`: each local candidate, then `None` once gathering is complete (end-of-candidates).
    pub fn on_ice_candidate(
        &self,
        mut handler: impl FnMut(Option<Candidate>) + 'static,
    ) -> Result<(), Error> {
        self.listeners
            .add("icecandidate", move |event: RtcPeerConnectionIceEvent| {
                handler(event.candidate().as_ref().map(Candidate::from_js))
            });
        Ok(())
    }

    /// `createOffer()`.
    pub async fn create_offer(&self) -> Result<Description, Error> {
        let offer = JsFuture::from(self.pc.create_offer()).await?;
        Description::from_js(offer.unchecked_ref())
    }

    /// `createAnswer()`.
    pub async fn create_answer(&self) -> Result<Description, Error> {
        let answer = JsFuture::from(self.pc.create_answer()).await?;
        Description::from_js(answer.unchecked_ref())
    }

    /// `setLocalDescription(description)`.
    pub async fn set_local_description(&self, description: &Description) -> Result<(), Error> {
        JsFuture::from(self.pc.set_local_description(&description.to_js())).await?;
        Ok(())
    }

    /// `setLocalDescription()` with no argument: the browser creates the offer or answer that the signaling
    /// state calls for. Returns it, ready to send.
    pub async fn set_local_description_auto(&self) -> Result<Description, Error> {
        // An empty RTCLocalSessionDescriptionInit means "create what is needed" (implicit offer or answer).
        let empty: RtcSessionDescriptionInit = js_sys::Object::new().unchecked_into();
        JsFuture::from(self.pc.set_local_description(&empty)).await?;
        let description = self.pc.local_description().ok_or_else(|| Error::Browser {
            name: "InvalidStateError".into(),
            message: "no local description after setLocalDescription".into(),
        })?;
        Description::from_js(&description)
    }

    /// `setLocalDescription({type: "rollback"})`: withdraws an offer we made that was never answered.
    pub async fn rollback(&self) -> Result<(), Error> {
        let rollback = RtcSessionDescriptionInit::new(RtcSdpType::Rollback);
        JsFuture::from(self.pc.set_local_description(&rollback)).await?;
        Ok(())
    }

    /// `setRemoteDescription(description)`.
    pub async fn set_remote_description(&self, description: &Description) -> Result<(), Error> {
        JsFuture::from(self.pc.set_remote_description(&description.to_js())).await?;
        Ok(())
    }

    /// `addIceCandidate(candidate)`; `None` is end-of-candidates, exactly as the `icecandidate` event reports it.
    pub async fn add_ice_candidate(&self, candidate: Option<&Candidate>) -> Result<(), Error> {
        let candidate = candidate.map(Candidate::to_js).transpose()?;
        JsFuture::from(
            self.pc
                .add_ice_candidate_with_opt_rtc_ice_candidate(candidate.as_ref()),
        )
        .await?;
        Ok(())
    }
}
