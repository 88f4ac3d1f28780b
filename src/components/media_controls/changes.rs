//! [`Changes`]: the changes that wait for the browser: another camera or microphone, another size, a shared
//! screen. Each runs in a task of its own, with the pickers and Share disabled until it is done; after every
//! `.await` the controls may be gone, so signals are only touched with the `try_` forms.

use std::{future::Future, pin::Pin, rc::Rc};

use leptos::{prelude::*, task::spawn_local};

use super::{device_list::DeviceList, tracks::Tracks};
use crate::{
    log::Logger,
    model::media::{size_text, what, Lost, MediaChoice},
    webrtc::{Error, MediaHandle, PeerConnection, Swap},
};

/// What the changes work on, and how many are under way.
#[derive(Clone, Copy)]
pub(super) struct Changes {
    /// How many changes (a capture, a share) are under way; the pickers and Share wait for them.
    busy: RwSignal<u32>,
    tracks: Tracks,
    devices: DeviceList,
    choice: RwSignal<MediaChoice>,
    lost: RwSignal<Lost>,
    connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
    log: Logger,
}

impl Changes {
    /// None under way.
    pub(super) fn new(
        tracks: Tracks,
        devices: DeviceList,
        choice: RwSignal<MediaChoice>,
        lost: RwSignal<Lost>,
        connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
        log: Logger,
    ) -> Self {
        Changes {
            busy: RwSignal::new(0),
            tracks,
            devices,
            choice,
            lost,
            connections,
            log,
        }
    }

    /// True while a change is under way. Tracked.
    pub(super) fn is_busy(self) -> bool {
        self.busy.get() > 0
    }

    /// Runs `change`, with the pickers and Share disabled until it is done. Boxed: one task type for every
    /// change, instead of one copy of the spawning code per change in the wasm.
    fn run(self, change: Pin<Box<dyn Future<Output = ()>>>) {
        self.log.clear_problem();
        self.busy.update(|busy| *busy += 1);
        spawn_local(async move {
            change.await;
            self.busy.try_update(|busy| *busy -= 1);
        });
    }

    /// Puts the device `id` in place of the running camera (`video`) or microphone.
    pub(super) fn switch_device(self, handle: MediaHandle, video: bool, id: String) {
        self.run(Box::pin(self.switching(handle, video, id)));
    }

    /// Changes the running camera to `size`.
    pub(super) fn resize(self, handle: MediaHandle, size: (u32, u32)) {
        self.run(Box::pin(self.resizing(handle, size)));
    }

    /// Shares a screen in place of the camera.
    pub(super) fn share(self, handle: MediaHandle) {
        self.run(Box::pin(self.sharing(handle)));
    }

    /// Back to the camera. `ended`: the person stopped the share from the browser's own bar.
    pub(super) fn stop_sharing(self, handle: MediaHandle, ended: bool) {
        self.run(Box::pin(self.unsharing(handle, ended)));
    }

    /// Captures the device `id` and puts it in place of the running one of its kind, everywhere.
    async fn switching(self, handle: MediaHandle, video: bool, id: String) {
        let what = what(video);
        let name = self.devices.quoted_name(video, &id);
        let size = video
            .then(|| self.choice.try_with_untracked(|choice| choice.resolution))
            .flatten()
            .flatten();
        // The camera was closed to open the new one (see `replace_track`): until a camera runs, it is lost.
        let closed = move || {
            self.lost.try_update(|lost| lost.set(true, true));
        };
        let swap = match handle.replace_track(video, &id, size, closed).await {
            Ok(Some(swap)) => swap,
            Ok(None) => return, // Stopped meanwhile: nothing to put it in.
            Err(error) => {
                let closed = video
                    && self
                        .lost
                        .try_get_untracked()
                        .is_some_and(|lost| lost.camera);
                self.log
                    .problem(switch_problem(error, size, what, &name, closed));
                self.tracks.notify();
                return;
            }
        };
        self.lost.try_update(|lost| lost.set(video, false));
        self.choice
            .try_update(|choice| choice.set_device(video, id));
        self.tracks.notify();
        let label = swap.label();
        self.send(swap).await;
        self.log.info(format!("Switched the {what} to {label}"));
    }

    /// Changes the running camera's size (`applyConstraints`); if it cannot, it goes on as it was.
    async fn resizing(self, handle: MediaHandle, size: (u32, u32)) {
        let Some(resized) = handle.resize(size).await else {
            return;
        };
        match resized {
            Ok(swap) => {
                self.choice
                    .try_update(|choice| choice.resolution = Some(size));
                // A camera that could not change in place was opened anew at the size: send that one.
                let reopened = swap.is_some();
                if let Some(swap) = swap {
                    self.send(swap).await;
                }
                self.log.info(format!(
                    "Camera size: {}{}",
                    size_text(size),
                    if reopened {
                        " (the camera was reopened)"
                    } else {
                        ""
                    }
                ));
            }
            Err(Error::Overconstrained { .. }) => self.log.problem(format!(
                "The camera cannot do {}. It goes on as before.",
                size_text(size)
            )),
            Err(error) => self.log.problem(format!(
                "Could not change the camera to {}: {error}",
                size_text(size)
            )),
        }
        self.tracks.notify();
    }

    /// Asks which screen to share, then sends and shows it in place of the camera, which keeps running.
    async fn sharing(self, handle: MediaHandle) {
        let swap = match handle.share_screen().await {
            Ok(Some(swap)) => swap,
            Ok(None) => return, // Stopped meanwhile.
            Err(Error::PermissionDenied | Error::Aborted) => {
                self.log
                    .problem("Screen sharing was cancelled or not allowed. Nothing changed.");
                return;
            }
            // Firefox without a screen to offer (headless, or nothing shareable): `NotFoundError`.
            Err(Error::NoDevice) => {
                self.log
                    .problem("This browser found no screen or window to share. Nothing changed.");
                return;
            }
            Err(error) => {
                self.log
                    .problem(format!("Could not share the screen: {error}"));
                return;
            }
        };
        self.tracks.notify();
        let label = swap.label();
        self.send(swap).await;
        self.log.info(format!("Sharing the screen: {label}"));
    }

    /// Sends and shows the camera again, and stops the screen share. `ended`: the person stopped it from the
    /// browser's own bar.
    async fn unsharing(self, handle: MediaHandle, ended: bool) {
        let Some(swap) = handle.stop_sharing() else {
            return;
        };
        self.tracks.notify();
        self.send(swap).await;
        self.log.info(if ended {
            "Screen sharing was stopped in the browser; back to the camera"
        } else {
            "Stopped sharing the screen; back to the camera"
        });
    }

    /// Sends the new track on every connection now sending our media (no renegotiation), then stops the old
    /// one; says which connections could not.
    async fn send(self, swap: Swap) {
        let kind = swap.kind();
        let connections = self.connections.try_get_untracked().unwrap_or_default();
        for error in swap.send(&connections).await {
            self.log.error(format!(
                "A connection could not send the new {kind} track: {error}"
            ));
        }
    }
}

/// What a failed switch to the camera or microphone `name` says. `closed`: the running camera was closed to
/// try again (or had stopped already), so none runs now.
fn switch_problem(
    error: Error,
    size: Option<(u32, u32)>,
    what: &str,
    name: &str,
    closed: bool,
) -> String {
    match (error, size) {
        (Error::Overconstrained { constraint }, Some(size))
            if constraint == "width" || constraint == "height" =>
        {
            format!("The camera {name} cannot do {}.", size_text(size))
        }
        (Error::Overconstrained { .. } | Error::NoDevice, _) => {
            format!("The {what} {name} is not available any more. Choose another.")
        }
        (Error::DeviceBusy, _) if closed => format!(
            "The camera {name} could not be opened, even with the previous one closed. \
             Another application may be using it. Choose a camera to go on."
        ),
        (Error::DeviceBusy, _) => {
            format!("The {what} {name} could not be opened; another application may be using it.")
        }
        (error, _) => format!("Could not switch to the {what} {name}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::switch_problem;
    use crate::webrtc::Error;

    const NAME: &str = "\u{201c}Cam 2\u{201d}";

    #[test]
    fn a_failed_switch_says_what_happened() {
        let overconstrained = |constraint: &str| Error::Overconstrained {
            constraint: constraint.into(),
        };
        let size = Some((1280, 720));
        assert_eq!(
            switch_problem(overconstrained("width"), size, "camera", NAME, false),
            format!("The camera {NAME} cannot do 1280x720.")
        );
        assert_eq!(
            switch_problem(overconstrained("deviceId"), size, "camera", NAME, false),
            format!("The camera {NAME} is not available any more. Choose another.")
        );
        assert_eq!(
            switch_problem(Error::NoDevice, None, "microphone", NAME, false),
            format!("The microphone {NAME} is not available any more. Choose another.")
        );
        assert!(
            switch_problem(Error::DeviceBusy, None, "camera", NAME, true)
                .contains("even with the previous one closed"),
            "the running camera was closed to try again"
        );
        assert_eq!(
            switch_problem(Error::DeviceBusy, None, "camera", NAME, false),
            format!("The camera {NAME} could not be opened; another application may be using it.")
        );
        assert!(
            switch_problem(Error::Aborted, None, "camera", NAME, false)
                .starts_with(&format!("Could not switch to the camera {NAME}: ")),
            "anything else keeps the browser's words"
        );
    }
}
