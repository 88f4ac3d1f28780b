//! What arrives on a data channel: text frames, and binary ones as a [`Chunk`].

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use super::DataChannel;

/// What arrived on the channel: a text frame, or a binary one.
pub enum Payload<'a> {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Chunk<'a>),
}

/// A binary frame as it arrived: its bytes, copied into wasm memory (to hash them), and the JS buffer itself, which
/// a [`FileParts`](crate::webrtc::FileParts) keeps without another copy.
pub struct Chunk<'a> {
    bytes: &'a [u8],
    pub(in crate::webrtc) buffer: Uint8Array,
}

impl Chunk<'_> {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }
}

impl DataChannel {
    /// `message`: each text or binary frame. Anything else (a `Blob`, which `binaryType` rules out) is ignored.
    pub fn on_message(&self, mut handler: impl FnMut(Payload<'_>) + 'static) {
        // Each binary frame is copied here (one frame's worth of wasm memory, reused).
        let mut scratch = Vec::new();
        self.listeners.add("message", move |event: MessageEvent| {
            let data = event.data();
            if let Some(text) = data.as_string() {
                handler(Payload::Text(text));
            } else if let Ok(buffer) = data.dyn_into::<ArrayBuffer>() {
                let buffer = Uint8Array::new(&buffer);
                scratch.resize(buffer.length() as usize, 0);
                buffer.copy_to(&mut scratch);
                handler(Payload::Binary(Chunk {
                    bytes: &scratch,
                    buffer,
                }));
            }
        });
    }
}
