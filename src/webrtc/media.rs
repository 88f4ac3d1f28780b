//! Camera and microphone capture: `getUserMedia`, and an owner that releases the devices.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaDevices, MediaStream, MediaStreamConstraints, MediaStreamTrack};

use super::Error;

/// A captured camera/microphone stream, and the only owner of its devices.
///
/// Dropping it stops every track, which releases the devices (the camera light goes off).
pub struct LocalMedia {
    stream: MediaStream,
}

impl LocalMedia {
    /// Asks for the camera and the microphone: `navigator.mediaDevices.getUserMedia({audio: true, video: true})`.
    ///
    /// Fails with [`Error::NoMediaDevices`] on an insecure page (where `navigator.mediaDevices` does not exist),
    /// and with the mapped `DOMException` when the browser or the person refuses.
    pub async fn capture() -> Result<Self, Error> {
        let devices = media_devices()?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        constraints.set_video(&JsValue::TRUE);
        let promise = devices.get_user_media_with_constraints(&constraints)?;
        let stream = JsFuture::from(promise).await?;
        let stream = stream
            .dyn_into::<MediaStream>()
            .map_err(|_| Error::Browser {
                name: "TypeError".into(),
                message: "getUserMedia did not return a MediaStream".into(),
            })?;
        Ok(LocalMedia { stream })
    }

    /// The stream, for a video element's `srcObject` or for adding its tracks to a connection.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// Every audio and video track of the stream.
    pub fn tracks(&self) -> impl Iterator<Item = MediaStreamTrack> {
        self.stream
            .get_tracks()
            .into_iter()
            .filter_map(|track| track.dyn_into::<MediaStreamTrack>().ok())
    }

    /// The label of each track, for the log ("Using video device: fake_device_0").
    pub fn describe(&self) -> Vec<String> {
        self.tracks()
            .map(|track| format!("{} device: {}", track.kind(), track.label()))
            .collect()
    }
}

impl Drop for LocalMedia {
    fn drop(&mut self) {
        for track in self.tracks() {
            track.stop();
        }
    }
}

/// `navigator.mediaDevices`, or [`Error::NoMediaDevices`] where the browser hides it (insecure contexts).
fn media_devices() -> Result<MediaDevices, Error> {
    let navigator = web_sys::window().ok_or(Error::NoMediaDevices)?.navigator();
    // web-sys's getter would hand back `undefined` typed as MediaDevices; look first.
    let devices = js_sys::Reflect::get(&navigator, &JsValue::from_str("mediaDevices"))?;
    if devices.is_undefined() || devices.is_null() {
        return Err(Error::NoMediaDevices);
    }
    Ok(devices.unchecked_into())
}
