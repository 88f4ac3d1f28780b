//! [`DeviceList`]: the cameras and microphones the browser lists, listed again on `devicechange` and after each
//! capture (names appear once the person allowed them).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    log::Logger,
    model::media::{device_options, Devices, MediaChoice},
    webrtc::{devices, Error, Listener},
};

/// The devices found, and the choice that must forget those that went.
#[derive(Clone, Copy)]
pub(super) struct DeviceList {
    found: RwSignal<Devices>,
    choice: RwSignal<MediaChoice>,
    log: Logger,
}

impl DeviceList {
    /// None listed yet; a device that goes is dropped from `choice`.
    pub(super) fn new(choice: RwSignal<MediaChoice>, log: Logger) -> Self {
        DeviceList {
            found: RwSignal::new(Devices::default()),
            choice,
            log,
        }
    }

    /// Lists the devices again (names appear once allowed; a device may have come or gone).
    pub(super) fn refresh(self) {
        spawn_local(async move {
            match devices::list().await {
                Ok((cameras, microphones)) => {
                    let list = Devices::listed(cameras, microphones);
                    self.choice
                        .try_maybe_update(|choice| (choice.forget_missing(&list), ()));
                    self.found.try_set(list);
                }
                // The page says so when it asks for the camera.
                Err(Error::NoMediaDevices) => {}
                Err(error) => self.log.error(format!(
                    "Could not list the cameras and microphones: {error}"
                )),
            }
        });
    }

    /// Lists the devices again on every `devicechange`, as long as the listener is kept; `None` where the
    /// browser has no devices to watch.
    pub(super) fn watch(self) -> Option<Listener> {
        devices::on_change(move || self.refresh()).ok()
    }

    /// The options of the camera (`video`) or microphone picker; `lost`: the one in use stopped. Tracked.
    pub(super) fn options(self, video: bool, lost: bool) -> Vec<(String, String)> {
        self.found
            .with(|found| device_options(found.of(video), video, lost))
    }

    /// True while the browser hides the devices' names (nothing allowed yet). Tracked.
    pub(super) fn names_hidden(self) -> bool {
        self.found.with(Devices::names_hidden)
    }

    /// The name of device `id`, quoted, for messages.
    pub(super) fn quoted_name(self, video: bool, id: &str) -> String {
        self.found
            .try_with_untracked(|found| found.quoted_name(video, id))
            .unwrap_or_default()
    }
}
