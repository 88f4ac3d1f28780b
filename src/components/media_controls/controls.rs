//! What the controls work on ([`Controls`]), and how it is kept current: the device lists, what a capture
//! really uses, the tracks that end by themselves, the changes under way.

use std::{future::Future, pin::Pin, rc::Rc};

use leptos::{prelude::*, task::spawn_local};

use crate::{
    log::{use_logger, Logger},
    model::media::{Devices, Lost, MediaChoice},
    webrtc::{devices, Ended, Error, Listener, LocalMedia, MediaHandle, PeerConnection},
};

/// What the handlers work on; every field is a `Copy` handle.
#[derive(Clone, Copy)]
pub(super) struct Controls {
    pub(super) media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    pub(super) choice: RwSignal<MediaChoice>,
    pub(super) connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
    pub(super) log: Logger,
    /// The cameras and microphones the browser lists.
    pub(super) found: RwSignal<Devices>,
    /// Notified when a track is swapped, enabled or disabled, or a change failed: whatever is read from the
    /// tracks is read again, and the pickers show what is in use.
    pub(super) changed: Trigger,
    /// How many changes (a capture, a share) are under way; the pickers and Share wait for them.
    pub(super) busy: RwSignal<u32>,
    /// The camera or microphone that stopped by itself: the person must pick one.
    pub(super) lost: RwSignal<Lost>,
}

impl Controls {
    pub(super) fn new(
        media: ReadSignal<Option<LocalMedia>, LocalStorage>,
        choice: RwSignal<MediaChoice>,
        connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
    ) -> Self {
        Controls {
            media,
            choice,
            connections,
            log: use_logger(),
            found: RwSignal::new(Devices::default()),
            changed: Trigger::new(),
            busy: RwSignal::new(0),
            lost: RwSignal::new(Lost::default()),
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

    /// A new capture (or none): the pickers show what it really uses, and nothing is lost any more.
    pub(super) fn adopt_capture(self) {
        let in_use = self.media.with(|media| {
            media.as_ref().map(|media| MediaChoice {
                camera: media.device(true),
                microphone: media.device(false),
                resolution: media.size(),
            })
        });
        self.lost.set(Lost::default());
        if let Some(in_use) = in_use {
            self.choice.maybe_update(|choice| choice.adopt(in_use));
        }
        self.refresh();
    }

    /// Listens for the running tracks' `ended`: a device that went away, or a share stopped from the
    /// browser's bar.
    pub(super) fn watch(self) -> Vec<Listener> {
        self.changed.track();
        self.media
            .with(|media| {
                media.as_ref().map(|media| {
                    let handle = media.handle();
                    media.watch_ended(move |ended| self.ended(&handle, ended))
                })
            })
            .unwrap_or_default()
    }

    fn ended(self, handle: &MediaHandle, ended: Ended) {
        match ended {
            Ended::Device { video, label } => self.device_ended(video, &label),
            Ended::Screen => self.run(Box::pin(self.stop_sharing(handle.clone(), true))),
        }
    }

    /// Runs a change, with the pickers and Share disabled until it is done.
    pub(super) fn run(self, change: Pin<Box<dyn Future<Output = ()>>>) {
        self.log.clear_problem();
        self.busy.update(|busy| *busy += 1);
        spawn_local(async move {
            change.await;
            self.busy.try_update(|busy| *busy -= 1);
        });
    }

    /// A handle on the media for a change, if there is media.
    pub(super) fn handle(self) -> Option<MediaHandle> {
        self.media
            .with_untracked(|media| media.as_ref().map(LocalMedia::handle))
    }

    /// Whether the microphone (or the camera) is on; `None` without one. Tracked.
    pub(super) fn is_on(self, video: bool) -> Option<bool> {
        self.changed.track();
        self.media
            .with(|media| media.as_ref().and_then(|media| media.is_enabled(video)))
    }

    /// True while a change is under way, or there is nothing to pick from. Tracked.
    pub(super) fn cannot_pick(self, options: Signal<Vec<(String, String)>>) -> Signal<bool> {
        Signal::derive(move || self.busy.get() > 0 || options.with(Vec::len) < 2)
    }

    /// True while the screen is shared. Tracked.
    pub(super) fn is_sharing(self) -> bool {
        self.changed.track();
        self.media
            .with(|media| media.as_ref().is_some_and(LocalMedia::is_sharing))
    }
}
