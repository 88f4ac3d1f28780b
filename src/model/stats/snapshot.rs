//! One connection's report at one moment, typed: its RTP streams and the selected candidate pair.

use super::{CandidatePair, Media, RawStats, RtpStream};

/// What one or more connections' reports say at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The streams we send (`outbound-rtp`).
    pub sent: Vec<RtpStream>,
    /// The streams we receive (`inbound-rtp`).
    pub received: Vec<RtpStream>,
    /// The selected candidate pair (of the first connection that has one).
    pub pair: Option<CandidatePair>,
}

impl Snapshot {
    /// Parses the report of connection number `connection`.
    ///
    /// Streams without a kind or a byte counter are left out; a missing codec, size or candidate is `None`.
    pub fn parse(connection: usize, report: &[RawStats]) -> Snapshot {
        let by_id = |id: &str| report.iter().find(|stats| stats.id == id);
        let linked = |stats: &RawStats, key: &str, field: &str| {
            stats
                .text(key)
                .and_then(by_id)
                .and_then(|linked| linked.text(field))
                .map(str::to_owned)
        };
        let mut snapshot = Snapshot::default();
        for stats in report {
            let sent = match stats.kind.as_str() {
                "outbound-rtp" => true,
                "inbound-rtp" => false,
                _ => continue,
            };
            let media = match stats.text("kind") {
                Some("video") => Media::Video,
                Some("audio") => Media::Audio,
                _ => continue,
            };
            let Some(bytes) = stats.number(if sent { "bytesSent" } else { "bytesReceived" }) else {
                continue;
            };
            // Loss and jitter of what we send are measured by the far end, and reported back over RTCP.
            let quality = if sent {
                report.iter().find(|remote| {
                    remote.kind == "remote-inbound-rtp" && remote.text("localId") == Some(&stats.id)
                })
            } else {
                Some(stats)
            };
            let size = match (stats.number("frameWidth"), stats.number("frameHeight")) {
                (Some(width), Some(height)) => Some((width as u32, height as u32)),
                _ => None,
            };
            let stream = RtpStream {
                connection,
                id: stats.id.clone(),
                media,
                timestamp: stats.timestamp,
                bytes,
                frames: stats.number(if sent {
                    "framesEncoded"
                } else {
                    "framesDecoded"
                }),
                size,
                packets_lost: quality.and_then(|q| q.number("packetsLost")),
                jitter: quality.and_then(|q| q.number("jitter")),
                codec: linked(stats, "codecId", "mimeType")
                    .map(|mime| codec_name(&mime).to_owned()),
            };
            if sent {
                snapshot.sent.push(stream);
            } else {
                snapshot.received.push(stream);
            }
        }
        // The transport names its selected pair; where it does not (older browsers, Firefox), the pair that is
        // `selected`, or else nominated and succeeded.
        let pair = report
            .iter()
            .filter(|stats| stats.kind == "transport")
            .find_map(|transport| transport.text("selectedCandidatePairId"))
            .and_then(by_id)
            .or_else(|| {
                report.iter().find(|stats| {
                    stats.kind == "candidate-pair"
                        && (stats.flag("selected")
                            || (stats.flag("nominated")
                                && stats.text("state") == Some("succeeded")))
                })
            });
        snapshot.pair = pair.map(|pair| CandidatePair {
            round_trip: pair.number("currentRoundTripTime"),
            local: linked(pair, "localCandidateId", "candidateType"),
            remote: linked(pair, "remoteCandidateId", "candidateType"),
        });
        snapshot
    }

    /// Joins the snapshots of several connections: every stream of each, and the first candidate pair.
    pub fn merge(parts: impl IntoIterator<Item = Snapshot>) -> Snapshot {
        let mut merged = Snapshot::default();
        for part in parts {
            merged.sent.extend(part.sent);
            merged.received.extend(part.received);
            if merged.pair.is_none() {
                merged.pair = part.pair;
            }
        }
        merged
    }
}

/// `"video/VP8"` → `"VP8"`.
fn codec_name(mime: &str) -> &str {
    mime.rsplit('/').next().unwrap_or(mime)
}
