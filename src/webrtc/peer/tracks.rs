//! What the connection sends and receives: tracks, receive-only transceivers, the negotiated data channel, and a
//! track replaced in a running call.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcDataChannelInit, RtcRtpTransceiverDirection, RtcRtpTransceiverInit};

use super::{
    super::{channel::ChannelHandle, Error, LocalMedia, Stream},
    PeerConnection,
};

impl PeerConnection {
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
}
