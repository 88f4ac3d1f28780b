//! Files: one a person picked or dropped ([`FileHandle`]), one being received ([`FileParts`]), and the object URL
//! of a download link, revoked on drop ([`ObjectUrl`]).

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, FileList, Url};

use super::{channel::Chunk, Error};

/// A file a person picked or dropped: its name, size and type, and its bytes for [`super::DataChannel::send_file`].
#[derive(Clone)]
pub struct FileHandle(File);

impl FileHandle {
    /// The files of a file input or a drop, in order.
    pub fn list(files: &FileList) -> Vec<FileHandle> {
        (0..files.length())
            .filter_map(|i| files.get(i))
            .map(FileHandle)
            .collect()
    }

    /// Its name, without a path.
    pub fn name(&self) -> String {
        self.0.name()
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.0.size() as u64
    }

    /// Its MIME type, as the browser guessed it (may be empty).
    pub fn mime(&self) -> String {
        self.0.type_()
    }
}

/// Reads bytes `start..end` of a file (`file.slice(start, end).arrayBuffer()`): only that slice is loaded.
pub(super) async fn read_slice(
    file: &FileHandle,
    start: u64,
    end: u64,
) -> Result<Uint8Array, Error> {
    let slice = file.0.slice_with_f64_and_f64(start as f64, end as f64)?;
    let buffer = JsFuture::from(slice.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer))
}

/// A file being received: its chunks kept as JS buffers, outside wasm memory, until it is complete.
#[derive(Default)]
pub struct FileParts(js_sys::Array);

impl FileParts {
    /// Keeps the next chunk.
    pub fn push(&mut self, chunk: &Chunk<'_>) {
        self.0.push(&chunk.buffer);
    }

    /// The file, of type `mime`: `new Blob(parts, {type})`.
    pub fn blob(&self, mime: &str) -> Result<Blob, Error> {
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        Ok(Blob::new_with_u8_array_sequence_and_options(
            &self.0, &options,
        )?)
    }
}

/// A `blob:` URL for a blob, for a download link; dropping it revokes the URL so the blob can be freed.
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// `URL.createObjectURL(blob)`.
    pub fn new(blob: &Blob) -> Result<Self, Error> {
        Ok(ObjectUrl(Url::create_object_url_with_blob(blob)?))
    }

    /// The URL, for an `href`.
    pub fn href(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        // Revoking an URL we made cannot fail; if it did, the blob would only live until the page goes.
        let _ = Url::revoke_object_url(&self.0);
    }
}
