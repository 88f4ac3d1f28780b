//! A media stream to show in a video, and showing it.

use web_sys::{HtmlMediaElement, MediaStream};

/// A media stream to show in a video: ours, or one a connection receives. A handle: cheap to clone (the same
/// stream, not a copy), and equal when it is the same stream.
#[derive(Clone, PartialEq)]
pub struct Stream(MediaStream);

impl Stream {
    pub(in crate::webrtc) fn new(stream: MediaStream) -> Self {
        Stream(stream)
    }

    pub(in crate::webrtc) fn raw(&self) -> &MediaStream {
        &self.0
    }

    /// The stream's `id`.
    pub fn id(&self) -> String {
        self.0.id()
    }
}

/// Plays `stream` in `video` (its `srcObject`), or empties the video with `None`.
pub fn show(video: &HtmlMediaElement, stream: Option<&Stream>) {
    video.set_src_object(stream.map(Stream::raw));
}
