//! The read loop of one connection: takes frames from the socket and hands them to [`Session::handle`], until
//! the client closes, the socket fails, the client stays silent past the idle timeout, the writer ends, or the
//! server shuts down. Then it ends the session (leaving the room) and waits for the writer to send the close.

use super::admission::Pass;
use super::dispatch::Session;
use super::writer::write_loop;
use super::{End, Sink, CLOSE_TIMEOUT};
use crate::outbox::{Closing, Outbox};
use crate::state::AppState;
use crate::ws::WebSocket;
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use protocol::LeaveReason;
use std::sync::Arc;
use tokio::time::Instant;
use tracing::{info, Instrument, Span};
use tungstenite::Message;

/// Serves one admitted connection to its end; `pass` holds its places in the connection limits until then.
pub(super) async fn serve(
    sink: Sink,
    mut stream: SplitStream<WebSocket>,
    state: Arc<AppState>,
    conn_id: u64,
    pass: Pass,
) {
    let limits = state.limits();
    let (idle_timeout, heartbeat) = (limits.idle_timeout, limits.heartbeat);
    let outbox = Outbox::new(conn_id, limits.send_queue, limits.send_queue_bytes);
    let mut writer =
        tokio::spawn(write_loop(sink, outbox.clone(), heartbeat).instrument(Span::current()));
    let mut writer_done = false;
    let mut shutdown = state.subscribe_shutdown();
    let mut session = Session::new(state.clone(), outbox);
    // The idle timer is set again only when it fires, from the time the last frame came: a timer per frame
    // would cost more than the frame.
    let mut last_heard = Instant::now();
    let idle = tokio::time::sleep_until(last_heard + idle_timeout);
    tokio::pin!(idle);
    let end = loop {
        let next = tokio::select! {
            biased;
            _ = &mut writer => {
                // Closed by someone else (replaced, slow consumer), or the socket failed.
                writer_done = true;
                break None;
            }
            _ = shutdown.changed() => break Some(End { closing: Closing::GOING_AWAY, reason: LeaveReason::Disconnected }),
            () = &mut idle => {
                let deadline = last_heard + idle_timeout;
                if deadline > Instant::now() {
                    idle.as_mut().reset(deadline);
                    continue;
                }
                info!(timeout = ?idle_timeout, "no sign of life: closing");
                break Some(End {
                    closing: Closing::TIMED_OUT,
                    reason: LeaveReason::TimedOut,
                });
            }
            next = stream.next() => next,
        };
        last_heard = Instant::now();
        match next {
            None | Some(Ok(Message::Close(_))) => break None,
            Some(Err(e)) => break session.read_failed(e),
            Some(Ok(message)) => {
                if let Some(end) = session.handle(message, last_heard).await {
                    break Some(end);
                }
                // Frames come from a batch read with no system call between them, so the reader may go on for
                // long. When its replies fill its own queue, let its writer send them first.
                if session.outbox().is_filling() {
                    tokio::task::yield_now().await;
                }
            }
        }
    };
    let closing = end
        .as_ref()
        .map(|e| e.closing)
        .or(session.outbox().closing());
    let reason = closing.map_or("client", |c| c.metric_label());
    state.metrics().disconnected(reason);
    // Leaves the room (the others are told at once) and tells the writer to finish.
    session.end(end);
    if !writer_done
        && tokio::time::timeout(2 * CLOSE_TIMEOUT, &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
    drop(pass);
}
