//! The three servers' protocols, as far as the benchmark needs them: connect and get an id, address a signal to
//! a peer, and find the timestamp in a relayed signal.
//!
//! - **ours**: `join` with a random secret; the id is in `welcome`; `signal {to, signal: {kind: offer, sdp}}`.
//! - **peerjs-server** (npm `peer`): `/peerjs?key=peerjs&id=ID&token=T`, answered `OPEN`; `{type: OFFER, dst,
//!   payload}`, relayed with `src` added.
//! - **matchbox_server**: `/<room>`, answered `{"IdAssigned": id}`; `{"Signal": {"receiver", "data"}}`, relayed
//!   as `{"Signal": {"sender", "data"}}`.

use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMessage, PeerId, ServerMessage, Signal, VERSION};
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Which server is under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Ours,
    Peerjs,
    Matchbox,
}

/// One connected, registered client.
pub struct Client {
    pub ws: Ws,
    pub id: String,
}

/// A failure while setting up, in words.
pub type Error = String;

impl Kind {
    /// Connects to `base` (`ws://host:port`) as a member of `room` and waits until the server gave an id.
    pub async fn connect(self, base: &str, room: &str, n: usize) -> Result<Client, Error> {
        let url = match self {
            Kind::Ours => format!("{base}/ws"),
            Kind::Peerjs => format!("{base}/peerjs?key=peerjs&id=b{room}x{n}&token=t{n}"),
            Kind::Matchbox => format!("{base}/{room}"),
        };
        let (mut ws, _) = tokio_tungstenite::connect_async(&url)
            .await
            .map_err(|e| format!("connecting to {url}: {e}"))?;
        if let MaybeTlsStream::Plain(tcp) = ws.get_ref() {
            let _ = tcp.set_nodelay(true);
        }
        let id = match self {
            Kind::Ours => {
                let secret = format!("{:0>64}", format!("{room}x{n}"));
                let join = ClientMessage::Join {
                    version: VERSION,
                    room: room.to_owned(),
                    secret,
                };
                send(&mut ws, join.encode()).await?;
                loop {
                    match ServerMessage::decode(&next_text(&mut ws).await?) {
                        Ok(ServerMessage::Welcome { id, .. }) => break id.0,
                        Ok(ServerMessage::Error { message, .. }) => {
                            return Err(format!("join refused: {message}"))
                        }
                        _ => {}
                    }
                }
            }
            Kind::Peerjs => {
                let text = next_text(&mut ws).await?;
                if !text.contains("\"OPEN\"") {
                    return Err(format!("peerjs said {text} instead of OPEN"));
                }
                format!("b{room}x{n}")
            }
            Kind::Matchbox => loop {
                let text = next_text(&mut ws).await?;
                let value: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| format!("matchbox sent {text}: {e}"))?;
                if let Some(id) = value.get("IdAssigned").and_then(|id| id.as_str()) {
                    break id.to_owned();
                }
            },
        };
        Ok(Client { ws, id })
    }

    /// A signal to `to` whose SDP (or payload) is `body`.
    pub fn signal(self, to: &str, body: &str) -> String {
        match self {
            Kind::Ours => ClientMessage::Signal {
                to: PeerId(to.to_owned()),
                call: None,
                signal: Signal::Offer {
                    sdp: body.to_owned(),
                },
            }
            .encode(),
            Kind::Peerjs => {
                serde_json::json!({"type": "OFFER", "dst": to, "payload": {"sdp": body}})
                    .to_string()
            }
            Kind::Matchbox => {
                serde_json::json!({"Signal": {"receiver": to, "data": {"Offer": body}}}).to_string()
            }
        }
    }
}

/// The body of a benchmark signal: its send time, then filler up to `size` bytes in all.
pub fn body(sent_micros: u64, size: usize) -> String {
    let mut body = format!("v=0 ts={sent_micros} ");
    let fill = size.saturating_sub(body.len());
    body.extend(std::iter::repeat_n('x', fill));
    body
}

/// The send time in a relayed frame of any of the three servers (they all keep the body as is).
pub fn sent_micros(frame: &str) -> Option<u64> {
    let rest = &frame[frame.find("ts=")? + 3..];
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    rest[..end].parse().ok()
}

pub async fn send(ws: &mut Ws, text: String) -> Result<(), Error> {
    ws.send(Message::text(text))
        .await
        .map_err(|e| format!("sending: {e}"))
}

/// The next text frame (pings are answered by tungstenite).
pub async fn next_text(ws: &mut Ws) -> Result<String, Error> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
            Some(Ok(Message::Close(frame))) => {
                return Err(format!("closed by the server: {frame:?}"))
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("receiving: {e}")),
            None => return Err("the connection ended".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_send_time_survives_each_servers_framing() {
        let body = body(123_456, 1000);
        assert_eq!(body.len(), 1000);
        for kind in [Kind::Ours, Kind::Peerjs, Kind::Matchbox] {
            assert_eq!(
                sent_micros(&kind.signal("p", &body)),
                Some(123_456),
                "{kind:?}"
            );
        }
    }
}
