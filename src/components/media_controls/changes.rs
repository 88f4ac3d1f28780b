//! The changes that wait for the browser: another camera or microphone, another size, a shared screen. Each runs
//! through [`Controls::run`]; after every `.await` the controls may be gone, so signals are only touched with
//! the `try_` forms.

use leptos::prelude::*;

use crate::{
    model::media::{size_text, what},
    webrtc::{Error, MediaHandle, Swap},
};

use super::controls::Controls;

impl Controls {
    /// Captures the device `id` and puts it in place of the running one of its kind, everywhere.
    pub(super) async fn switch_device(self, handle: MediaHandle, video: bool, id: String) {
        let what = what(video);
        let name = self
            .found
            .try_with_untracked(|found| found.quoted_name(video, &id))
            .unwrap_or_default();
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
                self.changed.notify();
                return;
            }
        };
        self.lost.try_update(|lost| lost.set(video, false));
        self.choice
            .try_update(|choice| choice.set_device(video, id));
        self.changed.notify();
        let label = swap.label();
        self.send(swap).await;
        self.log.info(format!("Switched the {what} to {label}"));
    }

    /// Changes the running camera's size (`applyConstraints`); if it cannot, it goes on as it was.
    pub(super) async fn resize(self, handle: MediaHandle, size: (u32, u32)) {
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
        self.changed.notify();
    }

    /// Asks which screen to share, then sends and shows it in place of the camera, which keeps running.
    pub(super) async fn share(self, handle: MediaHandle) {
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
        self.changed.notify();
        let label = swap.label();
        self.send(swap).await;
        self.log.info(format!("Sharing the screen: {label}"));
    }

    /// Sends and shows the camera again, and stops the screen share. `ended`: the person stopped it from the
    /// browser's own bar.
    pub(super) async fn stop_sharing(self, handle: MediaHandle, ended: bool) {
        let Some(swap) = handle.stop_sharing() else {
            return;
        };
        self.changed.notify();
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
