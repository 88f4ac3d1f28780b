//! What instances tell each other, on each instance's own pub/sub channel (`sig:bus:<instance>`). Only the
//! Lua scripts publish, in the same atomic step as the change they report, so an instance learns of changes in
//! the order Redis made them. One text line per field:
//!
//! - `J room id`: `id` joined: tell our members of `room` but `id` `peer-joined`;
//! - `L room id reason`: `id` left: tell our members of `room` `peer-left`;
//! - `S room to sent-at frame`: a `signal` frame for our member `to` (sent-at: µs since the epoch, for the
//!   relay-latency histogram);
//! - `X room id conn`: `id` joined again elsewhere: close our connection `conn` with REPLACED, tell nobody.

use crate::rooms::local::LocalRooms;
use crate::rooms::room::Targets;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::time::{SystemTime, UNIX_EPOCH};
use tungstenite::Utf8Bytes;

/// One message from the bus.
#[derive(Debug, PartialEq)]
pub(super) enum Event<'a> {
    Joined {
        room: &'a str,
        id: PeerId,
    },
    Left {
        room: &'a str,
        id: PeerId,
        reason: LeaveReason,
    },
    Signal {
        room: &'a str,
        to: PeerId,
        sent_at_us: u64,
        frame: &'a str,
    },
    Replaced {
        room: &'a str,
        id: PeerId,
        conn: u64,
    },
}

impl<'a> Event<'a> {
    /// Reads one bus message; `None` for anything this version does not know.
    pub(super) fn parse(text: &'a str) -> Option<Event<'a>> {
        let mut fields = text.splitn(5, '\n');
        let kind = fields.next()?;
        let room = fields.next()?;
        let id = PeerId(fields.next()?.to_owned());
        match kind {
            "J" => Some(Event::Joined { room, id }),
            "L" => {
                let reason = match fields.next()? {
                    "left" => LeaveReason::Left,
                    "timed-out" => LeaveReason::TimedOut,
                    "removed" => LeaveReason::Removed,
                    _ => LeaveReason::Disconnected,
                };
                Some(Event::Left { room, id, reason })
            }
            "S" => Some(Event::Signal {
                room,
                to: id,
                sent_at_us: fields.next()?.parse().ok()?,
                frame: fields.next()?,
            }),
            "X" => Some(Event::Replaced {
                room,
                id,
                conn: fields.next()?.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// The word a bus message uses for `reason` (as on the wire to the pages).
pub(super) fn reason_word(reason: LeaveReason) -> &'static str {
    match reason {
        LeaveReason::Left => "left",
        LeaveReason::Disconnected => "disconnected",
        LeaveReason::TimedOut => "timed-out",
        LeaveReason::Removed => "removed",
    }
}

/// Microseconds since the epoch, for a signal's sent-at.
pub(super) fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

fn frame(message: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(message.encode())
}

/// Hands one event to this instance's members. Returns how long a signal took from its sender's instance,
/// in seconds, if it was one.
pub(super) fn apply(rooms: &LocalRooms, event: Event<'_>) -> Option<f64> {
    match event {
        Event::Joined { room, id } => {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            rooms.deliver_frame(room, Targets::AllBut(&id.0), joined);
            None
        }
        Event::Left { room, id, reason } => {
            let left = frame(&ServerMessage::PeerLeft {
                id: id.clone(),
                reason,
            });
            rooms.deliver_frame(room, Targets::AllBut(&id.0), left);
            None
        }
        Event::Signal {
            room,
            to,
            sent_at_us,
            frame,
        } => {
            rooms.deliver_frame(room, Targets::One(&to.0), Utf8Bytes::from(frame));
            Some(now_us().saturating_sub(sent_at_us) as f64 / 1e6)
        }
        Event::Replaced { room, id, conn } => {
            if rooms.drop_replaced(room, &id, conn) {
                tracing::info!(conn, room, peer = %id, "replaced by a connection on another instance");
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_scripts_publish() {
        assert_eq!(
            Event::parse("J\nr\nabc"),
            Some(Event::Joined {
                room: "r",
                id: PeerId("abc".into())
            })
        );
        assert_eq!(
            Event::parse("L\nr\nabc\ntimed-out"),
            Some(Event::Left {
                room: "r",
                id: PeerId("abc".into()),
                reason: LeaveReason::TimedOut
            })
        );
        assert_eq!(
            Event::parse("S\nr\nabc\n12\n{\"x\":\"a\\nb\"}"),
            Some(Event::Signal {
                room: "r",
                to: PeerId("abc".into()),
                sent_at_us: 12,
                frame: "{\"x\":\"a\\nb\"}"
            })
        );
        assert_eq!(
            Event::parse("X\nr\nabc\n7"),
            Some(Event::Replaced {
                room: "r",
                id: PeerId("abc".into()),
                conn: 7
            })
        );
        assert_eq!(Event::parse("Q\nr\nabc"), None);
        assert_eq!(Event::parse("S\nr\nabc\nsoon\n{}"), None);
    }
}
