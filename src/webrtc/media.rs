//! Camera and microphone capture: `getUserMedia`, and an owner that releases the devices.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::{HtmlMediaElement, MediaStream, MediaStreamTrack};

use super::{devices, Error};

// Beware: on a `MediaStream` or a `MediaStreamTrack`, `x.clone()` is web-sys's binding of the JS `clone()`,
// which makes a new track on the same device that nothing stops (the camera stays on). `Clone::clone(&x)` copies
// the handle.

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

/// A media stream to show in a video: ours, or one a connection receives. A handle: cheap to clone (the same
/// stream, not a copy), and equal when it is the same stream.
#[derive(Clone, PartialEq)]
pub struct Stream(MediaStream);

impl Stream {
    pub(super) fn new(stream: MediaStream) -> Self {
        Stream(stream)
    }

    pub(super) fn raw(&self) -> &MediaStream {
        &self.0
    }

    /// The stream's `id`.
    pub fn id(&self) -> String {
        self.0.id()
    }

    /// The JS object, for tests that inspect it from JS.
    #[doc(hidden)]
    pub fn js(&self) -> &wasm_bindgen::JsValue {
        &self.0
    }
}

/// Plays `stream` in `video` (its `srcObject`), or empties the video with `None`.
pub fn show(video: &HtmlMediaElement, stream: Option<&Stream>) {
    video.set_src_object(stream.map(Stream::raw));
}

/// A captured camera/microphone stream, and the only owner of its devices.
///
/// Its tracks can be swapped in place (another camera, another microphone, a shared screen): the stream stays
/// the same object, so the videos that show it keep showing it. Dropping it stops every track, the camera set
/// aside during a screen share included, which releases the devices (the camera light goes off).
pub struct LocalMedia {
    stream: Stream,
    /// The camera while the screen is shared in its place: still running, to come back when sharing stops.
    camera_aside: RefCell<Option<MediaStreamTrack>>,
}

impl LocalMedia {
    /// Asks for the camera and the microphone: `navigator.mediaDevices.getUserMedia({audio: true, video: true})`.
    ///
    /// Fails with [`Error::NoMediaDevices`] on an insecure page (where `navigator.mediaDevices` does not exist),
    /// and with the mapped `DOMException` when the browser or the person refuses.
    pub async fn capture() -> Result<Self, Error> {
        Self::capture_with(&MediaChoice::default()).await
    }

    /// Like [`LocalMedia::capture`], with the chosen camera, microphone and size, each required exactly.
    pub async fn capture_with(choice: &MediaChoice) -> Result<Self, Error> {
        let stream = devices::user_media(
            &devices::constraints(choice.microphone.as_deref(), None),
            &devices::constraints(choice.camera.as_deref(), choice.resolution),
        )
        .await?;
        Ok(LocalMedia {
            stream: Stream::new(stream),
            camera_aside: RefCell::new(None),
        })
    }

    /// The stream, for a video element's `srcObject` or for adding its tracks to a connection.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Every audio and video track of the stream (the shared screen rather than the camera while sharing).
    pub fn tracks(&self) -> impl Iterator<Item = MediaStreamTrack> {
        self.stream
            .0
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

    /// The microphone's track.
    pub fn audio(&self) -> Option<MediaStreamTrack> {
        self.sent("audio")
    }

    /// The camera's track, whether it is sent or set aside during a screen share.
    pub fn camera(&self) -> Option<MediaStreamTrack> {
        match &*self.camera_aside.borrow() {
            Some(camera) => Some(Clone::clone(camera)),
            None => self.sent("video"),
        }
    }

    /// The shared screen's track, while the screen is shared.
    pub fn screen(&self) -> Option<MediaStreamTrack> {
        self.camera_aside
            .borrow()
            .as_ref()
            .and_then(|_| self.sent("video"))
    }

    /// What the tracks really use: the camera's and the microphone's device, and the camera's size.
    pub fn current(&self) -> MediaChoice {
        let (camera, resolution) = self
            .camera()
            .map(|track| devices::settings(&track))
            .unwrap_or_default();
        MediaChoice {
            camera,
            microphone: self.audio().and_then(|track| devices::settings(&track).0),
            resolution,
        }
    }

    /// Puts a new microphone or camera track (by its kind) in place of the old one, which it returns, still
    /// running: stop it once every connection sends the new one. The new track is enabled as the old one was,
    /// so a muted microphone stays muted. During a screen share a new camera is set aside, not shown; the flag
    /// says whether `track` is now in the stream (and so must be sent).
    pub fn swap(&self, track: &MediaStreamTrack) -> (Option<MediaStreamTrack>, bool) {
        let is_video = track.kind() == "video";
        let old = if is_video {
            self.camera()
        } else {
            self.audio()
        };
        if let Some(old) = &old {
            track.set_enabled(old.enabled());
        }
        if is_video && self.camera_aside.borrow().is_some() {
            self.camera_aside.replace(Some(Clone::clone(track)));
            return (old, false);
        }
        self.put(track, old.as_ref());
        (old, true)
    }

    /// Shows `screen` in place of the camera, which is set aside, still running.
    pub fn share(&self, screen: &MediaStreamTrack) {
        let camera = self.sent("video");
        self.put(screen, camera.as_ref());
        if let Some(camera) = camera {
            self.camera_aside.replace(Some(camera));
        }
    }

    /// Puts the camera back in place of the shared screen, and returns the screen's track (still running:
    /// stop it once every connection sends the camera again). `None` when nothing was shared.
    pub fn unshare(&self) -> Option<MediaStreamTrack> {
        let camera = self.camera_aside.take()?;
        let screen = self.sent("video");
        self.put(&camera, screen.as_ref());
        screen
    }

    /// Adds `new` to the stream, then removes `old`: a video showing the stream goes on with the new track.
    fn put(&self, new: &MediaStreamTrack, old: Option<&MediaStreamTrack>) {
        self.stream.0.add_track(new);
        if let Some(old) = old {
            self.stream.0.remove_track(old);
        }
    }

    fn sent(&self, kind: &str) -> Option<MediaStreamTrack> {
        self.tracks().find(|track| track.kind() == kind)
    }
}

impl Drop for LocalMedia {
    fn drop(&mut self) {
        for track in self.tracks().chain(self.camera_aside.take()) {
            track.stop();
        }
    }
}
