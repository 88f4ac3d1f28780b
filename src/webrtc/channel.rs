//! `RTCDataChannel`, with owned handlers, and a chunked file send that keeps the channel's queue in bounds.

use std::{cell::RefCell, rc::Rc};

use futures::channel::oneshot;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, MessageEvent, RtcDataChannel, RtcDataChannelState, RtcDataChannelType};

use super::{file::read_slice, Error, FileHandle, Listener};

/// What arrived on the channel: a text frame, or a binary one.
pub enum Payload<'a> {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Chunk<'a>),
}

/// A binary frame as it arrived: its bytes, copied into wasm memory (to hash them), and the JS buffer itself, which
/// a [`FileParts`](super::FileParts) keeps without another copy.
pub struct Chunk<'a> {
    bytes: &'a [u8],
    pub(super) buffer: Uint8Array,
}

impl Chunk<'_> {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }
}

/// How [`DataChannel::send_file`] paces a file: read `read` bytes at a time, send them in frames of `chunk`, and
/// wait while more than `high_water` bytes are queued on the channel, until the queue drains to `low_water`.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    /// Bytes per binary frame.
    pub chunk: u64,
    /// Bytes read from the file at a time (`Blob.slice(a, b).arrayBuffer()`).
    pub read: u64,
    /// The sender waits while more than this is queued (`bufferedAmount`).
    pub high_water: u32,
    /// ... until the queue drains to this (`bufferedAmountLowThreshold`).
    pub low_water: u32,
}

/// One end of a data channel, as a handle to pass around: cheap to clone, equal when it is the same channel.
///
/// It carries no handlers; wrap it in a [`DataChannel`] to listen and send.
#[derive(Clone, PartialEq)]
pub struct ChannelHandle(RtcDataChannel);

impl ChannelHandle {
    pub(super) fn new(channel: RtcDataChannel) -> Self {
        ChannelHandle(channel)
    }

    /// The JS object, for tests that inspect the channel from JS.
    #[doc(hidden)]
    pub fn js(&self) -> &JsValue {
        &self.0
    }
}

/// One end of a data channel and the handlers registered on it.
///
/// The connection owns the channel; this wrapper only listens and sends. Dropping it removes every handler (it
/// does not close the channel), and a [`DataChannel::send_file`] still waiting for the queue to drain ends with
/// [`Error::Aborted`].
pub struct DataChannel {
    channel: RtcDataChannel,
    pacing: Pacing,
    listeners: RefCell<Vec<Listener>>,
    /// Wakes the file being sent when the queue has drained (`bufferedamountlow`).
    drained: Rc<RefCell<Option<oneshot::Sender<()>>>>,
}

impl DataChannel {
    /// Listens on `handle`'s channel, asks for binary frames as `ArrayBuffer`s (not `Blob`s), and sends files
    /// paced by `pacing` (this registers the `bufferedamountlow` handler).
    pub fn new(handle: &ChannelHandle, pacing: Pacing) -> Result<Self, Error> {
        let channel = handle.0.clone();
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        channel.set_buffered_amount_low_threshold(pacing.low_water);
        let drained = Rc::new(RefCell::new(None::<oneshot::Sender<()>>));
        let waiting = drained.clone();
        let listener = Listener::new(&channel, "bufferedamountlow", move |_: Event| {
            if let Some(wake) = waiting.borrow_mut().take() {
                let _ = wake.send(());
            }
        })?;
        Ok(DataChannel {
            channel,
            pacing,
            listeners: RefCell::new(vec![listener]),
            drained,
        })
    }

    /// True when this listens on `handle`'s channel.
    pub fn is(&self, handle: &ChannelHandle) -> bool {
        self.channel == handle.0
    }

    /// True when the channel can send.
    pub fn is_open(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Open
    }

    /// True while the channel is still being set up.
    pub fn is_connecting(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Connecting
    }

    /// `open`.
    pub fn on_open(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("open", move |_: Event| handler())
    }

    /// `close`.
    pub fn on_close(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("close", move |_: Event| handler())
    }

    /// `error` (an `RTCErrorEvent`), with the browser's error.
    pub fn on_error(&self, mut handler: impl FnMut(Error) + 'static) -> Result<(), Error> {
        self.listen("error", move |event: Event| {
            let error = js_sys::Reflect::get(&event, &JsValue::from_str("error"))
                .unwrap_or_else(|_| JsValue::from_str("unknown data channel error"));
            handler(Error::from_js(error))
        })
    }

    /// `message`: each text or binary frame. Anything else (a `Blob`, which `binaryType` rules out) is ignored.
    pub fn on_message(&self, mut handler: impl FnMut(Payload<'_>) + 'static) -> Result<(), Error> {
        // Each binary frame is copied here (one frame's worth of wasm memory, reused).
        let mut scratch = Vec::new();
        self.listen("message", move |event: MessageEvent| {
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
        })
    }

    /// Sends a text frame.
    pub fn send_text(&self, text: &str) -> Result<(), Error> {
        Ok(self.channel.send_with_str(text)?)
    }

    /// Sends `message` as a JSON text frame.
    pub fn send_json<T: serde::Serialize>(&self, message: &T) -> Result<(), Error> {
        self.send_text(&super::json::to_json(message)?)
    }

    /// Sends `file` as binary frames, paced as [`DataChannel::new`] was told: only one read's worth of the file is
    /// in memory at a time, and the channel's queue stays under the high-water mark.
    ///
    /// `on_read` gets the bytes of each read before they go (to hash them); `on_sent` gets, after each frame, how
    /// many bytes have left the queue so far. One file at a time per channel: a second call makes the first one
    /// fail with [`Error::Aborted`] the next time it waits.
    pub async fn send_file(
        &self,
        file: &FileHandle,
        on_read: &mut dyn FnMut(&[u8]),
        on_sent: &mut dyn FnMut(u64),
    ) -> Result<(), Error> {
        let Pacing { chunk, read, .. } = self.pacing;
        let (chunk, read) = (chunk.max(1), read.max(1));
        let size = file.size();
        let mut scratch = Vec::new();
        let mut queued = 0;
        let mut start = 0;
        while start < size {
            let end = (start + read).min(size);
            let bytes = read_slice(file, start, end).await?;
            let len = end - start;
            if u64::from(bytes.length()) != len {
                return Err(Error::Browser {
                    name: "NotReadableError".into(),
                    message: "the file changed while it was being sent".into(),
                });
            }
            scratch.resize(len as usize, 0);
            bytes.copy_to(&mut scratch);
            on_read(&scratch);
            let mut a = 0;
            while a < len {
                let b = (a + chunk).min(len);
                self.room_for(chunk).await?;
                self.channel
                    .send_with_array_buffer_view(&bytes.subarray(a as u32, b as u32))?;
                queued += b - a;
                on_sent(queued - u64::from(self.channel.buffered_amount()).min(queued));
                a = b;
            }
            start = end;
        }
        Ok(())
    }

    /// Waits until `bytes` more can be queued without going over the high-water mark.
    async fn room_for(&self, bytes: u64) -> Result<(), Error> {
        let high_water = u64::from(self.pacing.high_water);
        while u64::from(self.channel.buffered_amount()) + bytes > high_water {
            let (wake, woken) = oneshot::channel();
            *self.drained.borrow_mut() = Some(wake);
            // Dropped unsent: this wrapper went away, or another send took over.
            woken.await.map_err(|_| Error::Aborted)?;
        }
        Ok(())
    }

    fn listen<E: JsCast>(
        &self,
        kind: &'static str,
        handler: impl FnMut(E) + 'static,
    ) -> Result<(), Error> {
        let listener = Listener::new(&self.channel, kind, handler)?;
        self.listeners.borrow_mut().push(listener);
        Ok(())
    }
}
