//! Camera, microphone and resolution choice, mute, camera off and screen share. (To be written: issue 5,
//! part 2.)

use leptos::prelude::*;
use web_sys::RtcPeerConnection;

use crate::{log::Logger, webrtc::LocalMedia};

/// Which devices and resolution to capture with; `None` is the browser's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaChoice {
    /// `deviceId` of the camera.
    pub camera: Option<String>,
    /// `deviceId` of the microphone.
    pub microphone: Option<String>,
    /// Width and height of the video.
    pub resolution: Option<(u32, u32)>,
}

/// The device and resolution pickers, Mute, Camera off and Share screen.
#[component]
pub fn MediaControls(
    /// The captured camera and microphone, if any. The controls change its tracks in place.
    media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    /// The choice that the next capture (Start, or joining a room) uses; the pickers write it.
    choice: RwSignal<MediaChoice>,
    /// Every connection now sending our media: a new track replaces the old one on each (`replaceTrack`).
    connections: Signal<Vec<RtcPeerConnection>, LocalStorage>,
    /// Where steps and problems are logged.
    log: Logger,
) -> impl IntoView {
    let _ = (media, choice, connections, log);
}
