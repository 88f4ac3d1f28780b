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
        let mut scratch = Vec::new();
        let mut queued = 0;
        for (start, end) in ranges(file.size(), read) {
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
            for (a, b) in ranges(len, chunk) {
                self.room_for(b - a).await?;
                self.channel
                    .send_with_array_buffer_view(&bytes.subarray(a as u32, b as u32))?;
                queued += b - a;
                on_sent(queued - u64::from(self.channel.buffered_amount()).min(queued));
            }
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

/// The byte ranges `(start, end)` that cover `size` bytes in steps of `step`; the last one may be shorter, and a
/// size of 0 has none. (`step` 0 is taken as 1.)
fn ranges(size: u64, step: u64) -> impl Iterator<Item = (u64, u64)> {
    let step = step.max(1);
    (0..size.div_ceil(step)).map(move |i| (i * step, (i * step + step).min(size)))
}

#[cfg(test)]
mod tests {
    use super::ranges;

    const CHUNK: u64 = 16 * 1024;
    const READ: u64 = 16 * CHUNK;

    /// Checks that the ranges are contiguous, in order, no longer than `step`, and cover exactly `size`.
    fn assert_covers(size: u64, step: u64) -> usize {
        let mut next = 0;
        let mut count = 0;
        for (start, end) in ranges(size, step) {
            assert_eq!(start, next, "size {size}, step {step}: gap or overlap");
            assert!(end > start, "size {size}, step {step}: empty range");
            assert!(
                end - start <= step,
                "size {size}, step {step}: range too long"
            );
            next = end;
            count += 1;
        }
        assert_eq!(next, size, "size {size}, step {step}: not covered exactly");
        count
    }

    #[test]
    fn chunks_cover_the_file_exactly() {
        assert_eq!(assert_covers(0, CHUNK), 0, "an empty file has no chunks");
        assert_eq!(assert_covers(1, CHUNK), 1);
        assert_eq!(ranges(1, CHUNK).collect::<Vec<_>>(), [(0, 1)]);
        assert_eq!(assert_covers(3 * CHUNK, CHUNK), 3, "exact multiple");
        assert_eq!(
            ranges(2 * CHUNK + 5, CHUNK).last(),
            Some((2 * CHUNK, 2 * CHUNK + 5)),
            "the remainder is the last, short chunk"
        );
        assert_eq!(assert_covers(2 * CHUNK + 5, CHUNK), 3);
        assert_eq!(assert_covers(CHUNK - 1, CHUNK), 1);
        // Reads, and chunks within a read, as send_file does them.
        for size in [0, 1, READ - 1, READ, 5 * READ + 17, 5_000_000] {
            let mut total = 0;
            for (start, end) in ranges(size, READ) {
                for (a, b) in ranges(end - start, CHUNK) {
                    assert!(b - a <= CHUNK);
                    total += b - a;
                }
            }
            assert_eq!(total, size);
        }
        assert_eq!(
            ranges(3, 0).count(),
            3,
            "a zero step is taken as 1, not an endless loop"
        );
    }
}
