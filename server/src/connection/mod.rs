//! One WebSocket connection: one reader task and one writer task, as mini-redis gives each connection its own
//! handler. One file per job:
//! - [`admission`]: `GET /ws`: the origin check, the connection slots, and the refusal of those over a limit;
//! - [`reader`]: the read loop: frames in, the idle timeout, shutdown, and how the connection ends;
//! - [`rate_limit`]: what a client may send: the rate limit and the count of bad messages;
//! - [`dispatch`]: what each client message does: a signal relayed as written, or a typed message decoded;
//! - [`writer`]: the write loop: drains the connection's [`Outbox`](crate::outbox::Outbox) and sends pings.
//!
//! The reader owns the peer's [`Membership`](crate::rooms::Membership), so however the connection ends (close,
//! error, timeout, kick, even a panic) the peer leaves its room and the others are told.

mod admission;
mod dispatch;
mod rate_limit;
mod reader;
mod writer;

pub(crate) use admission::upgrade;
pub use admission::Admission;

use crate::config::Config;
use crate::outbox::Closing;
use crate::ws::WebSocket;
use futures_util::stream::SplitSink;
use protocol::LeaveReason;
use std::time::Duration;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, Utf8Bytes};

/// How long the last messages and the close frame may take to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The sending half of a connection's WebSocket.
type Sink = SplitSink<WebSocket, Message>;

/// What one connection may do and how long it may stay silent, from the flags.
#[derive(Debug, Clone)]
pub struct Limits {
    max_frame_bytes: u32,
    max_bad_messages: u32,
    rate_limit: f64,
    rate_burst: u32,
    max_rate_drops: u32,
    send_queue: usize,
    send_queue_bytes: usize,
    heartbeat: Duration,
    idle_timeout: Duration,
}

impl Limits {
    pub fn new(config: &Config) -> Limits {
        Limits {
            max_frame_bytes: config.max_frame_bytes,
            max_bad_messages: config.max_bad_messages,
            rate_limit: config.rate_limit,
            rate_burst: config.rate_burst,
            max_rate_drops: config.max_rate_drops,
            send_queue: config.send_queue as usize,
            send_queue_bytes: config.send_queue_bytes as usize,
            heartbeat: config.heartbeat_interval,
            idle_timeout: config.idle_timeout,
        }
    }
}

/// How the server ends a connection: the close frame, and what the others in the room are told.
struct End {
    closing: Closing,
    reason: LeaveReason,
}

impl End {
    fn removed(closing: Closing) -> End {
        End {
            closing,
            reason: LeaveReason::Removed,
        }
    }
}

fn close_message(closing: Closing) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(closing.code),
        reason: Utf8Bytes::from_static(closing.reason),
    }))
}
