//! The WebSocket upgrade (HTTP/1.1, RFC 6455), done here instead of by axum's `WebSocketUpgrade` so that the
//! socket under tungstenite can be a [`ReadBatch`]: a read buffer that exists only while data is flowing.
//!
//! tungstenite reads at most its read buffer's size per system call, and allocates that buffer for every
//! connection up front. A small one keeps idle connections cheap but costs a system call per frame under load;
//! a large one is the other way round. [`ReadBatch`] gives both: tungstenite keeps a small buffer, and the
//! socket is read [`BATCH`] bytes at a time into a buffer that is freed as soon as it has been handed on.
//!
//! The server speaks HTTP/1.1 only (its TLS offers no h2), so there is no WebSocket over HTTP/2 to handle.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::{Buf, BytesMut};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tracing::debug;

/// A server-side WebSocket over an upgraded HTTP connection.
pub type WebSocket = WebSocketStream<ReadBatch<TokioIo<Upgraded>>>;

/// Bytes read from the socket at a time.
pub const BATCH: usize = 16 * 1024;

/// A valid WebSocket upgrade request, ready to be answered with [`Upgrade::on_upgrade`].
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

/// Why a request is not a WebSocket upgrade.
#[derive(Debug)]
pub struct NotWebSocket(&'static str);

impl IntoResponse for NotWebSocket {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, format!("{}\n", self.0)).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = NotWebSocket;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Upgrade, NotWebSocket> {
        let headers = &parts.headers;
        if parts.method != Method::GET {
            return Err(NotWebSocket("a WebSocket upgrade is a GET request"));
        }
        if !has_token(headers, header::CONNECTION, "upgrade") {
            return Err(NotWebSocket("`Connection: upgrade` is missing"));
        }
        if !is(headers, header::UPGRADE, "websocket") {
            return Err(NotWebSocket("`Upgrade: websocket` is missing"));
        }
        if !is(headers, header::SEC_WEBSOCKET_VERSION, "13") {
            return Err(NotWebSocket("`Sec-WebSocket-Version: 13` is missing"));
        }
        let key = headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or(NotWebSocket("`Sec-WebSocket-Key` is missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(NotWebSocket("this connection cannot be upgraded"))?;
        Ok(Upgrade { key, on_upgrade })
    }
}

fn is(headers: &HeaderMap, name: header::HeaderName, value: &str) -> bool {
    headers
        .get(name)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
}

/// The header is a comma-separated list that holds `token` (any case).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.as_bytes()
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455, section 4.2.2).
fn accept_key(key: &[u8]) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key);
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha1.finalize())
}

impl Upgrade {
    /// Answers `101 Switching Protocols`, and once the client has it, runs `callback` with the WebSocket (in a
    /// task of its own).
    pub fn on_upgrade<C, F>(self, config: WebSocketConfig, callback: C) -> Response
    where
        C: FnOnce(WebSocket) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let accept = accept_key(self.key.as_bytes());
        tokio::spawn(async move {
            let upgraded = match self.on_upgrade.await {
                Ok(upgraded) => upgraded,
                Err(error) => {
                    debug!(%error, "WebSocket upgrade failed");
                    return;
                }
            };
            let io = ReadBatch::new(TokioIo::new(upgraded));
            // Boxed, so that the task (which lives as long as the connection) does not keep room for it.
            let socket = Box::pin(WebSocketStream::from_raw_socket(
                io,
                Role::Server,
                Some(config),
            ))
            .await;
            callback(socket).await;
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::from_str(&accept) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        response
    }
}

/// A socket read [`BATCH`] bytes at a time, into a buffer that lives only while it holds unread bytes.
///
/// Writes go straight through.
pub struct ReadBatch<T> {
    inner: T,
    /// Read from the socket and not yet handed on; `None` (nothing allocated) when everything was.
    buffered: Option<BytesMut>,
}

impl<T> ReadBatch<T> {
    pub fn new(inner: T) -> ReadBatch<T> {
        ReadBatch {
            inner,
            buffered: None,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ReadBatch<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.buffered.is_none() {
            if out.remaining() >= BATCH {
                // A read as large as ours: no need to copy.
                return Pin::new(&mut this.inner).poll_read(cx, out);
            }
            let mut buffer = BytesMut::with_capacity(BATCH);
            let read = tokio_util::io::poll_read_buf(Pin::new(&mut this.inner), cx, &mut buffer);
            match read {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                // The end of the stream: nothing filled says so.
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(_)) => this.buffered = Some(buffer),
            }
        }
        if let Some(buffer) = &mut this.buffered {
            let n = buffer.len().min(out.remaining());
            out.put_slice(&buffer[..n]);
            buffer.advance(n);
            if buffer.is_empty() {
                this.buffered = None;
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ReadBatch<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn the_accept_key_of_the_rfc_example() {
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[tokio::test]
    async fn small_reads_come_from_one_large_read_and_the_buffer_goes_when_drained() {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        client.write_all(&data).await.unwrap();
        drop(client);
        let mut reader = ReadBatch::new(server);
        let mut got = Vec::new();
        let mut chunk = [0u8; 100];
        loop {
            let n = reader.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&chunk[..n]);
            if got.len() < data.len() {
                assert!(reader.buffered.is_some(), "held between small reads");
            }
        }
        assert_eq!(got, data);
        assert!(reader.buffered.is_none(), "freed once drained");
    }
}
