//! Camera and microphone capture (`getUserMedia`), and the handle that owns the devices and changes them in
//! place: mute, camera off, another camera or microphone, another size, a shared screen, stop.
//!
//! - [`LocalMedia`] owns the captured stream; dropping it releases every device.
//! - [`MediaHandle`] makes the changes that wait for the browser, without keeping the devices.
//! - [`Stream`] is what a video shows: ours, or one a connection receives.

mod handle;
mod stream;
mod tracks;

use std::rc::Rc;

use self::tracks::Tracks;
use super::{devices, Error, Listener};

pub use self::{
    handle::{MediaHandle, Swap},
    stream::{show, Stream},
};

/// A track of the media that ended by itself (see [`LocalMedia::watch_ended`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The camera (`video`) or the microphone, with its label: it was unplugged, or another program took it.
    Device {
        /// True for the camera.
        video: bool,
        /// The device's label, for example "FaceTime HD Camera".
        label: String,
    },
    /// The shared screen: the person stopped sharing from the browser's own bar.
    Screen,
}

/// A captured camera/microphone stream, and the only owner of its devices.
///
/// Its tracks can be swapped in place (another camera, another microphone, a shared screen): the stream stays
/// the same object, so the videos that show it keep showing it. Dropping it (or [`LocalMedia::stop`]) stops
/// every track, the camera set aside during a screen share included, which releases the devices (the camera
/// light goes off). The changes that wait for the browser go through a [`MediaHandle`].
pub struct LocalMedia(Rc<Tracks>);

impl LocalMedia {
    /// Asks for the camera and the microphone: `navigator.mediaDevices.getUserMedia({audio: true, video: true})`.
    ///
    /// Fails with [`Error::NoMediaDevices`] on an insecure page (where `navigator.mediaDevices` does not exist),
    /// and with the mapped `DOMException` when the browser or the person refuses.
    pub async fn capture() -> Result<Self, Error> {
        Self::capture_with(None, None, None).await
    }

    /// Like [`LocalMedia::capture`], with the chosen camera and microphone (`deviceId`s) and size, each
    /// required exactly; `None` is the browser's choice.
    pub async fn capture_with(
        camera: Option<&str>,
        microphone: Option<&str>,
        size: Option<(u32, u32)>,
    ) -> Result<Self, Error> {
        let stream = devices::user_media(
            &devices::constraints(microphone, None),
            &devices::constraints(camera, size),
        )
        .await?;
        Ok(LocalMedia(Rc::new(Tracks::new(Stream::new(stream)))))
    }

    /// The stream, for a video element's `srcObject` or for adding its tracks to a connection.
    pub fn stream(&self) -> &Stream {
        &self.0.stream
    }

    /// The label of each track, for the log ("Using video device: fake_device_0").
    pub fn describe(&self) -> Vec<String> {
        self.0
            .in_stream()
            .map(|track| format!("{} device: {}", track.kind(), track.label()))
            .collect()
    }

    /// The `deviceId` the camera (`video`) or the microphone really uses.
    pub fn device(&self, video: bool) -> Option<String> {
        self.0
            .device(video)
            .and_then(|track| devices::settings(&track).0)
    }

    /// The camera's real size.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.0
            .camera()
            .and_then(|track| devices::settings(&track).1)
    }

    /// Whether the camera (`video`) or the microphone is on; `None` when there is no such track. Off means
    /// muted, or camera off: the track stays and sends silence or black frames.
    pub fn is_enabled(&self, video: bool) -> Option<bool> {
        self.0.device(video).map(|track| track.enabled())
    }

    /// **Mute** / **Camera off** (`on == false`) and back: the track's `enabled`. During a screen share this is
    /// the camera set aside. Returns false when there is no such track.
    pub fn set_enabled(&self, video: bool, on: bool) -> bool {
        self.0
            .device(video)
            .map(|track| track.set_enabled(on))
            .is_some()
    }

    /// True while the screen is shared in place of the camera.
    pub fn is_sharing(&self) -> bool {
        self.0.screen().is_some()
    }

    /// Calls `handler` when the microphone, the camera or a shared screen ends by itself (`stop()` from this
    /// page does not count), for the tracks there are now. The handlers live as long as the listeners.
    pub fn watch_ended(&self, handler: impl Fn(Ended) + 'static) -> Vec<Listener> {
        let handler: Rc<dyn Fn(Ended)> = Rc::new(handler);
        let devices = [(false, self.0.audio()), (true, self.0.camera())]
            .into_iter()
            .filter_map(|(video, track)| {
                let track = track?;
                let label = track.label();
                Some((track, Ended::Device { video, label }))
            });
        let screen = self.0.screen().map(|track| (track, Ended::Screen));
        devices
            .chain(screen)
            .map(|(track, ended)| {
                let handler = handler.clone();
                devices::on_ended(&track, move || handler(ended.clone()))
            })
            .collect()
    }

    /// A handle for changes that wait for the browser. It does not keep the devices: once this media is
    /// dropped, the handle's changes do nothing.
    pub fn handle(&self) -> MediaHandle {
        MediaHandle::new(&self.0)
    }

    /// Stops every track now, which releases the devices; the same as dropping it.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for LocalMedia {
    fn drop(&mut self) {
        self.0.stop();
    }
}
