//! [`Controls`]: the parts of the media controls together, and what a press or a pick does at once.

use std::rc::Rc;

use leptos::prelude::*;

use super::{changes::Changes, device_list::DeviceList, tracks::Tracks};
use crate::{
    log::{use_logger, Logger},
    model::media::{parse_size, what, Lost, MediaChoice},
    webrtc::{Ended, Listener, LocalMedia, MediaHandle, PeerConnection},
};

/// What the view and its handlers work on; every field is a `Copy` handle.
#[derive(Clone, Copy)]
pub(super) struct Controls {
    /// The running tracks.
    pub(super) tracks: Tracks,
    /// The cameras and microphones the browser lists.
    pub(super) devices: DeviceList,
    /// The changes that wait for the browser.
    pub(super) changes: Changes,
    /// The choice that the next capture uses; the pickers show it.
    pub(super) choice: RwSignal<MediaChoice>,
    /// The camera or microphone that stopped by itself: the person must pick one.
    pub(super) lost: RwSignal<Lost>,
    log: Logger,
}

impl Controls {
    pub(super) fn new(
        media: ReadSignal<Option<LocalMedia>, LocalStorage>,
        choice: RwSignal<MediaChoice>,
        connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
    ) -> Self {
        let log = use_logger();
        let tracks = Tracks::new(media);
        let devices = DeviceList::new(choice, log);
        let lost = RwSignal::new(Lost::default());
        Controls {
            tracks,
            devices,
            changes: Changes::new(tracks, devices, choice, lost, connections, log),
            choice,
            lost,
            log,
        }
    }

    /// A new capture (or none): the pickers show what it really uses, and nothing is lost any more.
    pub(super) fn adopt_capture(self) {
        let in_use = self.tracks.in_use();
        self.lost.set(Lost::default());
        if let Some(in_use) = in_use {
            self.choice.maybe_update(|choice| choice.adopt(in_use));
        }
        self.devices.refresh();
    }

    /// Listens for the running tracks' `ended`: a device that went away, or a share stopped from the
    /// browser's bar.
    pub(super) fn watch(self) -> Vec<Listener> {
        self.tracks
            .watch(move |handle, ended| self.ended(handle, ended))
    }

    fn ended(self, handle: &MediaHandle, ended: Ended) {
        match ended {
            Ended::Device { video, label } => self.device_ended(video, &label),
            Ended::Screen => self.changes.stop_sharing(handle.clone(), true),
        }
    }

    /// The camera or microphone stopped without being asked to: say so, and let the person pick one.
    fn device_ended(self, video: bool, label: &str) {
        let what = what(video);
        self.lost.try_update(|lost| lost.set(video, true));
        self.log.problem(format!(
            "The {what} \u{201c}{label}\u{201d} stopped: it was unplugged, or another program took it. \
             Choose a {what} to go on."
        ));
    }

    /// **Mute** / **Camera off** and back: the track stays, it sends silence or black frames (`enabled`).
    pub(super) fn toggle(self, video: bool) {
        let Some(on) = self.tracks.toggle(video) else {
            return;
        };
        self.log.info(match (video, on) {
            (false, false) => "Microphone muted",
            (false, true) => "Microphone unmuted",
            (true, false) => "Camera off",
            (true, true) => "Camera on",
        });
    }

    /// A camera or microphone was picked: the next capture uses it, or it replaces the running one.
    pub(super) fn pick_device(self, video: bool, id: String) {
        match self.tracks.handle() {
            Some(handle) => self.changes.switch_device(handle, video, id),
            None => self.choice.update(|choice| choice.set_device(video, id)),
        }
    }

    /// A size was picked: the next capture uses it, or the running camera changes to it.
    pub(super) fn pick_size(self, text: &str) {
        let Some(size) = parse_size(text) else {
            return;
        };
        match self.tracks.handle() {
            Some(handle) => self.changes.resize(handle, size),
            None => self.choice.update(|choice| choice.resolution = Some(size)),
        }
    }

    /// **Share screen** or **Stop sharing**.
    pub(super) fn toggle_share(self) {
        match self.tracks.share_state() {
            Some((handle, true)) => self.changes.stop_sharing(handle, false),
            Some((handle, false)) => self.changes.share(handle),
            None => {}
        }
    }

    /// True while a change is under way, or there is nothing to pick from. Tracked.
    pub(super) fn cannot_pick(self, options: Signal<Vec<(String, String)>>) -> Signal<bool> {
        Signal::derive(move || self.changes.is_busy() || options.with(Vec::len) < 2)
    }
}
