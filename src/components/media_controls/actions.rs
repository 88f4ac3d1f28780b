//! What a press or a pick does at once. The changes that wait for the browser are in `changes.rs`.

use leptos::prelude::*;

use super::controls::Controls;
use crate::model::media::{parse_size, what};

impl Controls {
    /// **Mute** / **Camera off** and back: the track stays, it sends silence or black frames (`enabled`).
    pub(super) fn toggle(self, video: bool) {
        let toggled = self.media.with_untracked(|media| {
            let media = media.as_ref()?;
            let on = !media.is_enabled(video)?;
            media.set_enabled(video, on);
            Some(on)
        });
        let Some(on) = toggled else {
            return;
        };
        self.changed.notify();
        self.log.info(match (video, on) {
            (false, false) => "Microphone muted",
            (false, true) => "Microphone unmuted",
            (true, false) => "Camera off",
            (true, true) => "Camera on",
        });
    }

    /// A camera or microphone was picked: the next capture uses it, or it replaces the running one.
    pub(super) fn pick_device(self, video: bool, id: String) {
        match self.handle() {
            Some(handle) => self.run(Box::pin(self.switch_device(handle, video, id))),
            None => self.choice.update(|choice| choice.set_device(video, id)),
        }
    }

    /// A size was picked: the next capture uses it, or the running camera changes to it.
    pub(super) fn pick_size(self, text: &str) {
        let Some(size) = parse_size(text) else {
            return;
        };
        match self.handle() {
            Some(handle) => self.run(Box::pin(self.resize(handle, size))),
            None => self.choice.update(|choice| choice.resolution = Some(size)),
        }
    }

    /// **Share screen** or **Stop sharing**.
    pub(super) fn toggle_share(self) {
        let Some((handle, sharing)) = self.media.with_untracked(|media| {
            media
                .as_ref()
                .map(|media| (media.handle(), media.is_sharing()))
        }) else {
            return;
        };
        if sharing {
            self.run(Box::pin(self.stop_sharing(handle, false)));
        } else {
            self.run(Box::pin(self.share(handle)));
        }
    }

    /// The camera or microphone stopped without being asked to: say so, and let the person pick one.
    pub(super) fn device_ended(self, video: bool, label: &str) {
        let what = what(video);
        self.lost.try_update(|lost| lost.set(video, true));
        self.log.problem(format!(
            "The {what} \u{201c}{label}\u{201d} stopped: it was unplugged, or another program took it. \
             Choose a {what} to go on."
        ));
    }
}
