//! The server's fast path for `signal`: check a client's message where it lies, and relay its `signal` object
//! as received, instead of decoding it into owned strings and encoding it again.
//!
//! [`SignalEnvelope::parse`] accepts only what [`ClientMessage::decode`] accepts as a
//! [`ClientMessage::Signal`], and [`SignalEnvelope::relayed`] writes a frame that
//! [`ServerMessage::decode`] reads as the [`ServerMessage::Signal`] the typed path would have sent
//! (`tests/properties.rs` checks both). What the fast path does not accept (another message type, a shape it
//! is unsure of) goes through the typed decoder as before, which says what is wrong.
//!
//! [`ClientMessage::decode`]: crate::ClientMessage::decode
//! [`ClientMessage::Signal`]: crate::ClientMessage::Signal
//! [`ServerMessage::decode`]: crate::ServerMessage::decode
//! [`ServerMessage::Signal`]: crate::ServerMessage::Signal

use crate::{CallRef, PeerId};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A client's `signal` message, checked, with its `signal` object still as the client wrote it.
#[derive(Debug)]
pub struct SignalEnvelope<'a> {
    /// The addressee.
    pub to: Cow<'a, str>,
    /// Which connections the signal belongs to.
    pub call: Option<CallRef>,
    signal: &'a RawValue,
}

/// The message's fields, read without copying the signal.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    to: Cow<'a, str>,
    #[serde(default)]
    call: Option<CallRef>,
    #[serde(borrow)]
    signal: &'a RawValue,
}

/// The shape of every [`crate::Signal`] at once: its `kind`, and each field it may have, checked for type only.
#[derive(Deserialize)]
// The candidate's optional fields are read to check their type, and not used.
#[allow(dead_code)]
struct Shape {
    kind: Kind,
    #[serde(default)]
    sdp: Option<Text>,
    #[serde(default)]
    candidate: Option<Text>,
    #[serde(default)]
    sdp_mid: Option<Text>,
    #[serde(default)]
    sdp_m_line_index: Option<u16>,
    #[serde(default)]
    username_fragment: Option<Text>,
}

/// [`crate::Signal`]'s kinds.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Offer,
    Answer,
    Candidate,
    EndOfCandidates,
    CallEnded,
    RestartIce,
}

/// A JSON string, checked and not kept (an escaped one is unescaped into the parser's scratch space only).
struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct Check;
        impl Visitor<'_> for Check {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
                Ok(Text)
            }
        }
        deserializer.deserialize_str(Check)
    }
}

impl Shape {
    /// The fields a kind needs are there. (Fields of other kinds are allowed, as the typed decoder ignores
    /// them; their types were checked anyway.)
    fn complete(&self) -> bool {
        match self.kind {
            Kind::Offer | Kind::Answer => self.sdp.is_some(),
            Kind::Candidate => self.candidate.is_some(),
            Kind::EndOfCandidates | Kind::CallEnded | Kind::RestartIce => true,
        }
    }
}

impl<'a> SignalEnvelope<'a> {
    /// Reads `text` as a `signal` message. `None` if it is not one, or not one this fast path is sure of:
    /// decode it with [`crate::ClientMessage::decode`] then.
    pub fn parse(text: &'a str) -> Option<SignalEnvelope<'a>> {
        let envelope: Envelope<'a> = serde_json::from_str(text).ok()?;
        if envelope.kind != "signal" {
            return None;
        }
        let shape: Shape = serde_json::from_str(envelope.signal.get()).ok()?;
        if !shape.complete() {
            return None;
        }
        Some(SignalEnvelope {
            to: envelope.to,
            call: envelope.call,
            signal: envelope.signal,
        })
    }

    /// The `signal` frame for the addressee: `from`, the call, and the signal object as the client wrote it.
    pub fn relayed(&self, from: &PeerId) -> String {
        let signal = self.signal.get();
        let mut frame = String::with_capacity(signal.len() + from.0.len() + 80);
        frame.push_str(r#"{"type":"signal","from":"#);
        push_json(&mut frame, &from.0);
        if let Some(call) = &self.call {
            frame.push_str(r#","call":"#);
            push_json(&mut frame, call);
        }
        frame.push_str(r#","signal":"#);
        frame.push_str(signal);
        frame.push('}');
        frame
    }
}

/// Appends `value` as JSON.
fn push_json(frame: &mut String, value: &impl serde::Serialize) {
    // Infallible for a string or a CallRef.
    if let Ok(json) = serde_json::to_string(value) {
        frame.push_str(&json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientMessage, ServerMessage, Signal};

    fn relay(text: &str) -> Option<ServerMessage> {
        let envelope = SignalEnvelope::parse(text)?;
        Some(
            ServerMessage::decode(&envelope.relayed(&PeerId("me".into())))
                .expect("a server message"),
        )
    }

    #[test]
    fn a_signal_is_relayed_as_written() {
        let text = r#"{"type":"signal","to":"you","call":{"from":7},"signal":{"kind":"offer","sdp":"v=0\r\n"}}"#;
        let envelope = SignalEnvelope::parse(text).expect("a signal");
        assert_eq!(envelope.to, "you");
        assert_eq!(
            envelope.relayed(&PeerId("me".into())),
            r#"{"type":"signal","from":"me","call":{"from":7},"signal":{"kind":"offer","sdp":"v=0\r\n"}}"#
        );
        let typed = ServerMessage::Signal {
            from: PeerId("me".into()),
            call: Some(CallRef { from: 7, to: None }),
            signal: Signal::Offer {
                sdp: "v=0\r\n".into(),
            },
        };
        assert_eq!(relay(text), Some(typed));
    }

    #[test]
    fn what_it_is_unsure_of_goes_to_the_typed_decoder() {
        for text in [
            r#"{"type":"ping"}"#,
            r#"{"type":"signal","to":"you","signal":{"kind":"offer"}}"#,
            r#"{"type":"signal","to":"you","signal":{"kind":"offer","sdp":1}}"#,
            r#"{"type":"signal","to":"you","signal":{"kind":"shout","sdp":"x"}}"#,
            r#"{"type":"signal","to":"you","signal":{"kind":"candidate","sdp":"x"}}"#,
            r#"{"type":"signal","to":"you","signal":"offer"}"#,
            r#"{"type":"signal","signal":{"kind":"restart-ice"}}"#,
            r#"{"type":"signal","to":"you","signal":{"kind":"restart-ice"},"#,
        ] {
            assert!(SignalEnvelope::parse(text).is_none(), "{text}");
        }
        // Fields in any order, and fields of another kind, are fine, as for the typed decoder.
        let text =
            r#"{"signal":{"candidate":"c","kind":"end-of-candidates"},"to":"you","type":"signal"}"#;
        assert!(ClientMessage::decode(text).is_ok());
        assert_eq!(
            relay(text),
            Some(ServerMessage::Signal {
                from: PeerId("me".into()),
                call: None,
                signal: Signal::EndOfCandidates
            })
        );
    }
}
