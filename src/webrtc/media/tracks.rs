//! The tracks of a captured stream: which one is the microphone, the camera or a shared screen, and swapping
//! one for another in the same stream.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::MediaStreamTrack;

use super::Stream;

// Beware: on a `MediaStream` or a `MediaStreamTrack`, `x.clone()` is web-sys's binding of the JS `clone()`,
// which makes a new track on the same device that nothing stops (the camera stays on). `Clone::clone(&x)` copies
// the handle.

/// The captured stream, and the camera set aside while the screen is shared in its place: what
/// [`super::LocalMedia`] owns.
pub(super) struct Tracks {
    pub(super) stream: Stream,
    /// The camera while the screen is shared in its place: still running, to come back when sharing stops.
    camera_aside: RefCell<Option<MediaStreamTrack>>,
}

impl Tracks {
    pub(super) fn new(stream: Stream) -> Self {
        Tracks {
            stream,
            camera_aside: RefCell::new(None),
        }
    }

    /// Every audio and video track of the stream (the shared screen rather than the camera while sharing).
    pub(super) fn in_stream(&self) -> impl Iterator<Item = MediaStreamTrack> {
        self.stream
            .raw()
            .get_tracks()
            .into_iter()
            .filter_map(|track| track.dyn_into::<MediaStreamTrack>().ok())
    }

    /// The microphone's track.
    pub(super) fn audio(&self) -> Option<MediaStreamTrack> {
        self.sent("audio")
    }

    /// The camera's track, whether it is sent or set aside during a screen share.
    pub(super) fn camera(&self) -> Option<MediaStreamTrack> {
        match &*self.camera_aside.borrow() {
            Some(camera) => Some(Clone::clone(camera)),
            None => self.sent("video"),
        }
    }

    /// The camera's track (`video`) or the microphone's.
    pub(super) fn device(&self, video: bool) -> Option<MediaStreamTrack> {
        if video {
            self.camera()
        } else {
            self.audio()
        }
    }

    /// The shared screen's track, while the screen is shared.
    pub(super) fn screen(&self) -> Option<MediaStreamTrack> {
        self.camera_aside
            .borrow()
            .as_ref()
            .and_then(|_| self.sent("video"))
    }

    /// Puts a new microphone or camera track (by its kind) in place of the old one, which it returns, still
    /// running: stop it once every connection sends the new one. The new track is enabled as the old one was,
    /// so a muted microphone stays muted. During a screen share a new camera is set aside, not shown; the flag
    /// says whether `track` is now in the stream (and so must be sent).
    pub(super) fn swap(&self, track: &MediaStreamTrack) -> (Option<MediaStreamTrack>, bool) {
        let is_video = track.kind() == "video";
        let old = self.device(is_video);
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
    pub(super) fn share(&self, screen: &MediaStreamTrack) {
        let camera = self.sent("video");
        self.put(screen, camera.as_ref());
        if let Some(camera) = camera {
            self.camera_aside.replace(Some(camera));
        }
    }

    /// Puts the camera back in place of the shared screen, and returns the screen's track (still running:
    /// stop it once every connection sends the camera again). `None` when nothing was shared.
    pub(super) fn unshare(&self) -> Option<MediaStreamTrack> {
        let camera = self.camera_aside.take()?;
        let screen = self.sent("video");
        self.put(&camera, screen.as_ref());
        screen
    }

    /// Stops every track, the camera set aside during a screen share included: the devices are released.
    pub(super) fn stop(&self) {
        for track in self.in_stream().chain(self.camera_aside.take()) {
            track.stop();
        }
    }

    /// Adds `new` to the stream, then removes `old`: a video showing the stream goes on with the new track.
    fn put(&self, new: &MediaStreamTrack, old: Option<&MediaStreamTrack>) {
        self.stream.raw().add_track(new);
        if let Some(old) = old {
            self.stream.raw().remove_track(old);
        }
    }

    fn sent(&self, kind: &str) -> Option<MediaStreamTrack> {
        self.in_stream().find(|track| track.kind() == kind)
    }
}
