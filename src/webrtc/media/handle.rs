//! The changes to the captured media that wait for the browser: another camera or microphone, another size, a
//! shared screen. Each is made in place, so a call goes on without renegotiation: the new track is captured
//! first, put into the same stream, sent by every connection (`replaceTrack`), and only then is the old one
//! stopped.

use std::rc::{Rc, Weak};

use web_sys::MediaStreamTrack;

use super::super::PeerConnection;
use super::{devices, tracks::Tracks, Error};

/// A handle on a [`super::LocalMedia`] for the changes that wait for the browser.
///
/// It does not keep the devices: the media may be dropped while the browser is asked for something, and then
/// what arrives is stopped and the change does nothing.
#[derive(Clone)]
pub struct MediaHandle(Weak<Tracks>);

impl MediaHandle {
    pub(super) fn new(tracks: &Rc<Tracks>) -> Self {
        MediaHandle(Rc::downgrade(tracks))
    }

    /// Runs `f` on the tracks if the media is still there. Never held across an `.await`.
    fn with<T>(&self, f: impl FnOnce(&Tracks) -> T) -> Option<T> {
        self.0.upgrade().map(|tracks| f(&tracks))
    }

    /// **Replace-track**, its first half: captures the camera (`video`) or the microphone `device` (a camera
    /// at `size`), and puts it in the stream in place of the running one, enabled as that one was. During a
    /// screen share a new camera is set aside, to come back when sharing stops.
    ///
    /// Many phones cannot open a second camera while one runs: when the camera is busy, the running one is
    /// stopped (`on_close` is told) and the capture is tried once more.
    ///
    /// The old track keeps running until [`Swap::send`] has sent the new one. `Ok(None)`: the media was dropped
    /// meanwhile, and what was captured is stopped.
    pub async fn replace_track(
        &self,
        video: bool,
        device: &str,
        size: Option<(u32, u32)>,
        on_close: impl FnOnce(),
    ) -> Result<Option<Swap>, Error> {
        let mut captured = devices::track(video, Some(device), size).await;
        if video && matches!(captured, Err(Error::DeviceBusy)) {
            if let Some(old) = self.with(Tracks::camera).flatten() {
                old.stop();
                on_close();
                captured = devices::track(video, Some(device), size).await;
            }
        }
        let track = captured?;
        let Some((old, send)) = self.with(|tracks| tracks.swap(&track)) else {
            track.stop();
            return Ok(None);
        };
        Ok(Some(Swap {
            new: track,
            send,
            old,
        }))
    }

    /// Changes the running camera's size (`applyConstraints`, exactly): `Ok(None)` when it did so in place. Where
    /// the browser takes the constraints but the camera keeps its size (Firefox's fake camera), the camera is
    /// captured anew at that size: `Ok(Some(swap))`, to send like another camera. If it cannot
    /// (`OverconstrainedError`), it goes on as it was. `None` when there is no camera any more.
    pub async fn resize(&self, size: (u32, u32)) -> Option<Result<Option<Swap>, Error>> {
        let camera = self.with(Tracks::camera).flatten()?;
        Some(match devices::resize(&camera, size).await {
            Ok(true) => Ok(None),
            Ok(false) => {
                let device = devices::settings(&camera).0.unwrap_or_default();
                match self.replace_track(true, &device, Some(size), || {}).await {
                    // The media went away meanwhile: nothing to resize.
                    Ok(None) => return None,
                    other => other,
                }
            }
            Err(error) => Err(error),
        })
    }

    /// **Share screen**: asks which screen to share (`getDisplayMedia`), then puts it in the stream in place of
    /// the camera, which keeps running. Send it with [`Swap::send`]. `Ok(None)`: the media was dropped
    /// meanwhile, and the screen is stopped.
    pub async fn share_screen(&self) -> Result<Option<Swap>, Error> {
        let screen = devices::screen().await?;
        if self.with(|tracks| tracks.share(&screen)).is_none() {
            screen.stop();
            return Ok(None);
        }
        Ok(Some(Swap {
            new: screen,
            send: true,
            old: None,
        }))
    }

    /// **Stop sharing**: puts the camera back in place of the shared screen. [`Swap::send`] sends the camera
    /// again, then stops the screen. `None` when nothing is shared.
    pub fn stop_sharing(&self) -> Option<Swap> {
        self.with(|tracks| {
            let screen = tracks.unshare()?;
            let Some(camera) = tracks.camera() else {
                screen.stop();
                return None;
            };
            Some(Swap {
                new: camera,
                send: true,
                old: Some(screen),
            })
        })
        .flatten()
    }
}

/// A track just put into the stream, and the one it replaced. Dropping it stops the old track.
#[must_use = "send it, or the connections keep sending the old track, which is stopped"]
pub struct Swap {
    new: MediaStreamTrack,
    /// False for a camera set aside during a screen share: nothing sends it yet.
    send: bool,
    old: Option<MediaStreamTrack>,
}

impl Swap {
    /// The new track's label ("fake_device_1", "screen:0:0").
    pub fn label(&self) -> String {
        self.new.label()
    }

    /// The new track's kind: "audio" or "video".
    pub fn kind(&self) -> String {
        self.new.kind()
    }

    /// **Replace-track**, its second half: each connection sends the new track in place of the one of its
    /// kind (`RTCRtpSender.replaceTrack`: no renegotiation, the call goes on), then the old track is stopped.
    /// Returns why each connection that could not, could not.
    pub async fn send(mut self, connections: &[Rc<PeerConnection>]) -> Vec<Error> {
        let mut refused = Vec::new();
        if self.send {
            for pc in connections {
                if let Err(error) = pc.replace_track(&self.new).await {
                    refused.push(error);
                }
            }
        }
        self.stop_old();
        refused
    }

    fn stop_old(&mut self) {
        if let Some(old) = self.old.take() {
            old.stop();
        }
    }
}

impl Drop for Swap {
    fn drop(&mut self) {
        self.stop_old();
    }
}
