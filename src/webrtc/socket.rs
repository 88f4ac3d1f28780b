//! `WebSocket`, with handlers that it owns: text frames in, text frames out, and one close report.

use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{listener::Listeners, Error};

/// Why a socket closed: the WebSocket close code and reason (1006 with no reason when the network dropped it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close code, for example 1000 (normal), 1006 (abnormal: no close frame), or one of the server's own.
    pub code: u16,
    /// The server's reason, possibly empty.
    pub reason: String,
}

/// One WebSocket connection and its handlers.
///
/// Dropping it (or [`Socket::close`]) closes the connection and removes every handler, so no callback runs
/// after its owner is gone.
pub struct Socket {
    ws: WebSocket,
    listeners: Listeners,
}

impl Socket {
    /// Opens `url` (`ws://` or `wss://`). `on_open` runs once connected, `on_text` for every text frame, and
    /// `on_close` once, when the connection fails or closes (from either side).
    pub fn open(
        url: &str,
        mut on_open: impl FnMut() + 'static,
        mut on_text: impl FnMut(String) + 'static,
        on_close: impl FnOnce(Closed) + 'static,
    ) -> Result<Self, Error> {
        let ws = WebSocket::new(url)?;
        let socket = Socket {
            listeners: Listeners::on(&ws),
            ws,
        };
        socket.listeners.add("open", move |_: Event| on_open());
        socket.listeners.add("message", move |event: MessageEvent| {
            // Text frames only: the protocol is JSON. Binary frames are not part of it.
            if let Some(text) = event.data().as_string() {
                on_text(text);
            }
        });
        // `error` is always followed by `close`, which carries the code; report only that.
        let mut on_close = Some(on_close);
        socket.listeners.add("close", move |event: CloseEvent| {
            if let Some(on_close) = on_close.take() {
                on_close(Closed {
                    code: event.code(),
                    reason: event.reason(),
                });
            }
        });
        Ok(socket)
    }

    /// Whether the connection is open (frames can be sent).
    pub fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
    }

    /// Sends one text frame.
    pub fn send(&self, text: &str) -> Result<(), Error> {
        self.ws.send_with_str(text)?;
        Ok(())
    }

    /// Closes the connection (code 1000) and removes every handler: `on_close` will not run.
    pub fn close(&self) {
        self.listeners.clear();
        // Closing an already closed or closing socket is a no-op; 1000 with no reason cannot be refused.
        let _ = self.ws.close_with_code(1000);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}
