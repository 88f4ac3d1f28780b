//! What travels on the data channel, in frames: chat messages, and files cut into chunks and put back together.
//!
//! Pure Rust (no browser types), so everything here is tested natively.
//!
//! - **Control messages** are JSON text frames ([`Message`]): a chat line, a file offer, the end of a file with
//!   its SHA-256, a cancellation, and the receiver's verdict.
//! - **Chunks** are binary frames of at most [`CHUNK_SIZE`] bytes. The channel is ordered and reliable, so every
//!   binary frame between a file's `offer` and its `end` belongs to that file; a side sends one file at a time.
//!   How the sender paces them is the app's `wire` module's business. Both sides hash what passes, chunk by chunk
//!   ([`Hasher`]).
//! - The receiver's [`Reassembly`] expects exactly the announced size: it refuses more, reports a short file, and
//!   compares the hashes at the end.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::bytes::{bytes_text, hex};

/// The size of one binary frame: 16 KiB, which every browser's data channel carries without splitting.
pub const CHUNK_SIZE: u64 = 16 * 1024;
/// The largest file sent or accepted: the receiver holds every chunk until the file is complete.
pub const MAX_FILE_SIZE: u64 = 500 * 1000 * 1000;
/// The `reason` of a [`Message::Cancel`] when a person pressed Cancel (any other reason is a failure).
pub const CANCELLED: &str = "cancelled";

/// One control message on the channel: a JSON text frame, externally tagged (`{"chat":{"text":"hi"}}`), which
/// serde decodes without buffering (an internally tagged `{"type":"chat",...}` costs 15 KB more wasm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Message {
    /// A line of chat.
    Chat {
        /// What was written.
        text: String,
    },
    /// A file follows, in binary frames, until its `end`.
    Offer {
        /// The sender's id for this transfer.
        id: String,
        /// The file's name.
        name: String,
        /// Its exact size in bytes.
        size: u64,
        /// Its MIME type, as the browser guessed it (may be empty).
        mime: String,
    },
    /// Every chunk of the file has been sent; this is the SHA-256 of all of them.
    End {
        /// The transfer.
        id: String,
        /// SHA-256 of the whole file, lowercase hex.
        sha256: String,
    },
    /// The transfer stops, on either side's initiative: [`CANCELLED`] by a person, or why it failed.
    Cancel {
        /// The transfer.
        id: String,
        /// [`CANCELLED`], or what went wrong.
        reason: String,
    },
    /// The receiver's verdict once the file is complete: whether its hash matched the sender's.
    Received {
        /// The transfer.
        id: String,
        /// True when the SHA-256 matched.
        verified: bool,
    },
}

// The page writes and reads these frames with the browser's JSON (`webrtc::json`); the tests check the shape
// with serde_json, which gives the same text for these plain structs.
#[cfg(test)]
impl Message {
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(crate) fn decode(text: &str) -> Option<Message> {
        serde_json::from_str(text).ok()
    }
}

/// Why a transfer cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    /// The file is bigger than [`MAX_FILE_SIZE`] (or the limit given).
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More bytes arrived than were announced.
    Overflow {
        /// The announced size.
        size: u64,
    },
    /// The file ended before the announced size.
    Short {
        /// Bytes that arrived.
        received: u64,
        /// The announced size.
        size: u64,
    },
    /// All the bytes arrived but their SHA-256 is not the sender's.
    Mismatch,
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::TooLarge { size, limit } => {
                let (mut size_shown, mut limit_shown) = (bytes_text(*size), bytes_text(*limit));
                // "it is 1 kB, and files up to 1 kB" says nothing: then show the bytes.
                if size_shown == limit_shown {
                    (size_shown, limit_shown) = (format!("{size} B"), format!("{limit} B"));
                }
                write!(
                    f,
                    "it is {size_shown}, and files up to {limit_shown} can be sent"
                )
            }
            TransferError::Overflow { size } => write!(
                f,
                "more data arrived than the {} announced",
                bytes_text(*size)
            ),
            TransferError::Short { received, size } => {
                write!(f, "the file ended after {received} of its {size} bytes")
            }
            TransferError::Mismatch => f.write_str(
                "the SHA-256 of what arrived does not match the sender's: the copy is damaged",
            ),
        }
    }
}

impl std::error::Error for TransferError {}

/// Refuses a file over `limit` before anything is sent.
pub fn check_size(size: u64, limit: u64) -> Result<(), TransferError> {
    if size > limit {
        Err(TransferError::TooLarge { size, limit })
    } else {
        Ok(())
    }
}

/// SHA-256, fed piece by piece.
#[derive(Clone, Debug, Default)]
pub struct Hasher(Sha256);

impl Hasher {
    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The hash of everything added, lowercase hex.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// One incoming file being put back together: exactly `size` bytes, hashed as they arrive.
#[derive(Debug)]
pub struct Reassembly {
    size: u64,
    received: u64,
    hasher: Hasher,
}

impl Reassembly {
    /// Expects `size` bytes.
    pub fn new(size: u64) -> Self {
        Reassembly {
            size,
            received: 0,
            hasher: Hasher::default(),
        }
    }

    /// Takes the next chunk, or refuses it if it would make the file longer than announced.
    pub fn accept(&mut self, chunk: &[u8]) -> Result<(), TransferError> {
        let len = chunk.len() as u64;
        if self.size - self.received < len {
            return Err(TransferError::Overflow { size: self.size });
        }
        self.received += len;
        self.hasher.update(chunk);
        Ok(())
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The announced size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// At the sender's `end`: the file is complete and its hash is `sha256` (hex, any case), or why not.
    pub fn finish(self, sha256: &str) -> Result<(), TransferError> {
        if self.received != self.size {
            return Err(TransferError::Short {
                received: self.received,
                size: self.size,
            });
        }
        if self.hasher.finish() != sha256.to_ascii_lowercase() {
            return Err(TransferError::Mismatch);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reassembly_verifies_a_complete_file() {
        let file: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut sent = Hasher::default();
        let mut received = Reassembly::new(file.len() as u64);
        for chunk in file.chunks(CHUNK_SIZE as usize) {
            sent.update(chunk);
            received.accept(chunk).unwrap();
        }
        assert_eq!(received.received(), 40_000);
        let hash = sent.finish();
        assert_eq!(hash.len(), 64);
        received.finish(&hash.to_ascii_uppercase()).unwrap();
    }

    #[test]
    fn an_empty_file_verifies() {
        let empty = Hasher::default().finish();
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        Reassembly::new(0).finish(&empty).unwrap();
    }

    #[test]
    fn reassembly_refuses_overflow() {
        let mut file = Reassembly::new(10);
        file.accept(&[0; 6]).unwrap();
        assert_eq!(
            file.accept(&[0; 5]),
            Err(TransferError::Overflow { size: 10 })
        );
        assert_eq!(file.received(), 6, "the refused chunk is not counted");
        file.accept(&[0; 4]).unwrap();
        assert!(file.accept(&[0]).is_err(), "not one byte more");
        assert!(Reassembly::new(0).accept(&[1]).is_err());
        assert!(TransferError::Overflow { size: 10 }
            .to_string()
            .contains("more data arrived than the 10 B announced"));
    }

    #[test]
    fn reassembly_detects_a_short_or_damaged_file() {
        let mut hasher = Hasher::default();
        hasher.update(b"hello");
        let hash = hasher.finish();

        let mut short = Reassembly::new(6);
        short.accept(b"hello").unwrap();
        let error = short.finish(&hash).unwrap_err();
        assert_eq!(
            error,
            TransferError::Short {
                received: 5,
                size: 6
            }
        );
        assert_eq!(error.to_string(), "the file ended after 5 of its 6 bytes");

        let mut damaged = Reassembly::new(5);
        damaged.accept(b"hellp").unwrap();
        assert_eq!(damaged.finish(&hash), Err(TransferError::Mismatch));
        assert!(TransferError::Mismatch.to_string().contains("damaged"));
    }

    #[test]
    fn size_limit_is_stated() {
        assert!(check_size(MAX_FILE_SIZE, MAX_FILE_SIZE).is_ok());
        let error = check_size(600_000_000, MAX_FILE_SIZE).unwrap_err();
        assert_eq!(
            error,
            TransferError::TooLarge {
                size: 600_000_000,
                limit: MAX_FILE_SIZE
            }
        );
        assert_eq!(
            error.to_string(),
            "it is 600 MB, and files up to 500 MB can be sent"
        );
        assert_eq!(
            check_size(1001, 1000).unwrap_err().to_string(),
            "it is 1001 B, and files up to 1000 B can be sent",
            "exact sizes when the rounded ones look alike"
        );
    }

    #[test]
    fn messages_encode_and_decode() {
        let messages = [
            Message::Chat {
                text: "hi \"there\" \u{1f44b}".into(),
            },
            Message::Offer {
                id: "a1".into(),
                name: "test.bin".into(),
                size: 5_000_000,
                mime: String::new(),
            },
            Message::End {
                id: "a1".into(),
                sha256: "00ff".into(),
            },
            Message::Cancel {
                id: "a1".into(),
                reason: CANCELLED.into(),
            },
            Message::Received {
                id: "a1".into(),
                verified: true,
            },
        ];
        for message in messages {
            assert_eq!(Message::decode(&message.encode()), Some(message));
        }
        assert_eq!(
            Message::Chat { text: "x".into() }.encode(),
            r#"{"chat":{"text":"x"}}"#
        );
        assert_eq!(
            Message::decode(r#"{"offer":{"id":"7","name":"a","size":3,"mime":"text/plain"}}"#),
            Some(Message::Offer {
                id: "7".into(),
                name: "a".into(),
                size: 3,
                mime: "text/plain".into()
            })
        );
        for garbage in [
            "",
            "hello",
            "{}",
            r#"{"type":"nope"}"#,
            r#"{"type":"offer","id":"1"}"#,
        ] {
            assert_eq!(Message::decode(garbage), None, "{garbage}");
        }
    }
}
