//! [`Downloads`]: the download link of each received file, revoked when its row goes.

use crate::model::roster::Roster;
use crate::{
    model::chat::{ChatState, Key},
    webrtc::ObjectUrl,
};

/// Each verified file's object URL, by transfer.
#[derive(Default)]
pub(super) struct Downloads(Roster<Key, ObjectUrl>);

impl Downloads {
    /// Keeps `url` until row `key` goes.
    pub(super) fn keep(&mut self, key: Key, url: ObjectUrl) {
        self.0.insert(key, url);
    }

    /// Revokes the links of rows no longer listed.
    pub(super) fn keep_for(&mut self, state: &ChatState) {
        self.0.retain(|key, _| state.transfer(*key).is_some());
    }

    /// Revokes every link.
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}
