//! What goes out on a data channel: text, JSON, and files, paced so that the channel's queue stays in bounds.

use futures::channel::oneshot;

use super::{
    super::{file::read_slice, Error, FileHandle},
    DataChannel,
};

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

impl DataChannel {
    /// Sends a text frame.
    pub fn send_text(&self, text: &str) -> Result<(), Error> {
        Ok(self.channel.send_with_str(text)?)
    }

    /// Sends `message` as a JSON text frame.
    pub fn send_json<T: serde::Serialize>(&self, message: &T) -> Result<(), Error> {
        self.send_text(&super::super::json::to_json(message)?)
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
}
