//! The write loop: sends what the connection's [`Outbox`] queues, and a ping every heartbeat, until the outbox
//! is closed or the socket fails; then the close frame.

use super::{close_message, Sink, CLOSE_TIMEOUT};
use crate::outbox::{Closing, Outbox};
use axum::body::Bytes;
use futures_util::SinkExt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::debug;
use tungstenite::Message;

/// Bytes of frames the writer gathers before it writes them to the socket (the buffer grows only when used).
pub(super) const WRITE_BATCH: usize = 16 * 1024;

/// Sends what the outbox queues, and a ping every `heartbeat`, until the outbox is closed or the socket fails.
/// Then sends the queued messages (unless the client is too slow for them) and the close frame.
///
/// Everything queued is written at once: the frames go into tungstenite's write buffer (up to
/// [`WRITE_BATCH`] bytes) and out in one `send` call, so a busy connection costs fewer system calls than frames.
pub(super) async fn write_loop(mut sink: Sink, outbox: Arc<Outbox>, heartbeat: Duration) {
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while outbox.closing().is_none() {
        let mut batch = false;
        while let Some(frame) = outbox.pop() {
            batch = true;
            match unless_closing(&outbox, sink.feed(Message::Text(frame))).await {
                Some(Ok(())) => {}
                Some(Err(e)) => return send_failed(&outbox, e),
                None => break,
            }
        }
        if !batch {
            tokio::select! {
                biased;
                () = outbox.woken() => continue,
                _ = ping.tick() => if let Err(e) = sink.feed(Message::Ping(Bytes::new())).await {
                    return send_failed(&outbox, e);
                },
            }
        }
        match unless_closing(&outbox, sink.flush()).await {
            Some(Ok(())) => {}
            Some(Err(e)) => return send_failed(&outbox, e),
            None => break,
        }
    }
    let closing = outbox.closing().unwrap_or(Closing::NORMAL);
    let farewell = async {
        if closing.flush {
            while let Some(frame) = outbox.pop() {
                sink.feed(Message::Text(frame)).await?;
            }
        }
        sink.send(close_message(closing)).await
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, farewell).await;
    outbox.finish();
}

/// Runs `send` to its end, unless the connection is told to close meanwhile (a send to a slow consumer may wait
/// for ever): then `None`. A frame queued meanwhile waits its turn.
async fn unless_closing<F: Future<Output = Result<(), tungstenite::Error>>>(
    outbox: &Outbox,
    send: F,
) -> Option<Result<(), tungstenite::Error>> {
    tokio::pin!(send);
    loop {
        tokio::select! {
            biased;
            sent = &mut send => return Some(sent),
            () = outbox.woken() => if outbox.closing().is_some() {
                return None;
            },
        }
    }
}

fn send_failed(outbox: &Outbox, error: tungstenite::Error) {
    debug!(%error, "send failed");
    outbox.finish();
}
