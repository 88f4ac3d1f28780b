//! Call statistics: `getStats()` reports parsed into typed structs, and the rates computed from two of them.
//!
//! Pure Rust, tested natively. The browser glue ([`crate::webrtc::stats`]) reads each stats object of a report
//! into a [`RawStats`]: its `type`, `id`, `timestamp` and the fields that [`fields_of`] lists for its type.
//! Everything else happens here, in one place:
//!
//! - [`Snapshot::parse`] turns one connection's report into typed [`RtpStream`]s (sent and received, each with
//!   its codec and, for a sent stream, the loss and jitter the far end reported) and the selected
//!   [`CandidatePair`]; [`Snapshot::merge`] joins the snapshots of several connections (the demo's pc1 and pc2);
//! - [`Figures::between`] computes what a person reads (bitrates, frame rates, ...) from two snapshots a second
//!   apart, with [`rate`] for every counter;
//! - [`History`] keeps the last 60 seconds of bitrate and round-trip time, and draws them as a [`Chart`].
//!
//! Numbers are formatted by hand ([`kbps`], [`super::log::millis`]): float formatting costs 16 KB of wasm.

use std::collections::VecDeque;

use super::log::millis;

/// One field of a stats object, as the browser gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (every counter, size and time).
    Number(f64),
    /// A string (ids, kinds, states, MIME types).
    Text(String),
    /// A boolean (`nominated`, `selected`).
    Bool(bool),
}

/// One stats object of a report (`RTCStats`), reduced to plain values.
#[derive(Debug, Clone, PartialEq)]
pub struct RawStats {
    /// Its `type`: `"outbound-rtp"`, `"candidate-pair"`, ...
    pub kind: String,
    /// Its `id`, unique within the report; other objects refer to it by this.
    pub id: String,
    /// Its `timestamp`, in milliseconds.
    pub timestamp: f64,
    /// The fields [`fields_of`] asks for that the object has.
    pub fields: Vec<(&'static str, Value)>,
}

impl RawStats {
    fn get(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find_map(|(name, value)| (*name == key).then_some(value))
    }

    fn number(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Value::Number(n)) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key) == Some(&Value::Bool(true))
    }
}

/// The fields worth reading from a stats object of type `kind` (besides `type`, `id` and `timestamp`).
/// Objects of any other type are not needed: an empty list means "skip it".
pub fn fields_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "outbound-rtp" => &[
            "kind",
            "codecId",
            "bytesSent",
            "framesEncoded",
            "frameWidth",
            "frameHeight",
        ],
        "inbound-rtp" => &[
            "kind",
            "codecId",
            "bytesReceived",
            "framesDecoded",
            "frameWidth",
            "frameHeight",
            "packetsLost",
            "jitter",
        ],
        // The far end's RTCP receiver report about one of our sent streams (`localId`).
        "remote-inbound-rtp" => &["localId", "packetsLost", "jitter"],
        "codec" => &["mimeType"],
        "transport" => &["selectedCandidatePairId"],
        "candidate-pair" => &[
            "state",
            "nominated",
            "selected",
            "currentRoundTripTime",
            "localCandidateId",
            "remoteCandidateId",
        ],
        "local-candidate" | "remote-candidate" => &["candidateType"],
        _ => &[],
    }
}

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A microphone's track.
    Audio,
    /// A camera's (or screen's) track.
    Video,
}

/// One RTP stream, sent or received, at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct RtpStream {
    /// Which connection of the panel it belongs to (stats ids are only unique within one connection).
    pub connection: usize,
    /// Its stats id, the same in every report of its connection.
    pub id: String,
    /// Audio or video.
    pub media: Media,
    /// When it was measured, in milliseconds.
    pub timestamp: f64,
    /// Payload bytes sent or received so far.
    pub bytes: f64,
    /// Video frames encoded (sent) or decoded (received) so far.
    pub frames: Option<f64>,
    /// The video's current width and height.
    pub size: Option<(u32, u32)>,
    /// Packets lost so far (for a sent stream, as the far end reports it).
    pub packets_lost: Option<f64>,
    /// Interarrival jitter, in seconds (for a sent stream, as the far end reports it).
    pub jitter: Option<f64>,
    /// The codec, as its MIME subtype: `"VP8"`, `"opus"`.
    pub codec: Option<String>,
}

/// The candidate pair the connection uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidatePair {
    /// The latest round-trip time (STUN consent checks), in seconds.
    pub round_trip: Option<f64>,
    /// Our end's candidate type: `host`, `srflx`, `prflx` or `relay`.
    pub local: Option<String>,
    /// The far end's candidate type.
    pub remote: Option<String>,
}

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

/// How fast a counter grew between two readings `(timestamp in ms, count)`, per second.
///
/// `None` when there is no rate to tell: the clock did not advance, or the counter went backwards (it was reset,
/// for example by a new stream with the same id).
pub fn rate(before: (f64, f64), after: (f64, f64)) -> Option<f64> {
    let elapsed = after.0 - before.0;
    let grown = after.1 - before.1;
    (elapsed > 0.0 && grown >= 0.0 && grown.is_finite()).then(|| grown * 1000.0 / elapsed)
}

/// One direction of a call (sent or received) as a person reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Direction {
    /// Video bitrate, kbit/s, every video stream together.
    pub video_kbps: Option<f64>,
    /// Audio bitrate, kbit/s, every audio stream together.
    pub audio_kbps: Option<f64>,
    /// Frames per second of the main (largest) video stream.
    pub fps: Option<f64>,
    /// Width and height of the main video stream.
    pub size: Option<(u32, u32)>,
    /// Video packets lost so far.
    pub packets_lost: Option<f64>,
    /// Jitter of the main video stream, in milliseconds.
    pub jitter_ms: Option<f64>,
    /// The video codec (`"VP8"`).
    pub video_codec: Option<String>,
    /// The audio codec (`"opus"`).
    pub audio_codec: Option<String>,
}

impl Direction {
    /// The figures of `now`'s streams, with rates against the same streams in `before`. `None` when there are
    /// no streams in this direction.
    fn between(before: &[RtpStream], now: &[RtpStream]) -> Option<Direction> {
        if now.is_empty() {
            return None;
        }
        let previous = |stream: &RtpStream| {
            before
                .iter()
                .find(|old| old.connection == stream.connection && old.id == stream.id)
        };
        let bitrate = |media: Media| {
            let rates = now
                .iter()
                .filter(|s| s.media == media)
                .filter_map(|stream| {
                    let old = previous(stream)?;
                    rate((old.timestamp, old.bytes), (stream.timestamp, stream.bytes))
                });
            // Bytes per second to kilobits per second.
            rates.fold(None, |sum: Option<f64>, r| {
                Some(sum.unwrap_or(0.0) + r * 8.0 / 1000.0)
            })
        };
        let codec = |media: Media| {
            now.iter()
                .filter(|s| s.media == media)
                .find_map(|s| s.codec.clone())
        };
        let video = || now.iter().filter(|s| s.media == Media::Video);
        let area = |s: &RtpStream| s.size.map_or(0, |(w, h)| u64::from(w) * u64::from(h));
        // With several video streams (simulcast), the largest one is what a person pictures.
        let main = video().fold(None, |best: Option<&RtpStream>, s| match best {
            Some(best) if area(best) >= area(s) => Some(best),
            _ => Some(s),
        });
        let lost = video()
            .filter_map(|s| s.packets_lost)
            .fold(None, |sum: Option<f64>, n| Some(sum.unwrap_or(0.0) + n));
        Some(Direction {
            video_kbps: bitrate(Media::Video),
            audio_kbps: bitrate(Media::Audio),
            fps: main.and_then(|stream| {
                let old = previous(stream)?;
                rate(
                    (old.timestamp, old.frames?),
                    (stream.timestamp, stream.frames?),
                )
            }),
            size: main.and_then(|s| s.size).filter(|&(w, h)| w > 0 && h > 0),
            packets_lost: lost,
            jitter_ms: main.and_then(|s| s.jitter).map(|seconds| seconds * 1000.0),
            video_codec: codec(Media::Video),
            audio_codec: codec(Media::Audio),
        })
    }
}

/// Everything the statistics panel shows for one moment of a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// What we send, if we send anything.
    pub sent: Option<Direction>,
    /// What we receive, if we receive anything.
    pub received: Option<Direction>,
    /// Round-trip time of the selected candidate pair, in milliseconds.
    pub rtt_ms: Option<f64>,
    /// Our candidate type (`host`, `srflx`, `prflx`, `relay`).
    pub local_candidate: Option<String>,
    /// The far end's candidate type.
    pub remote_candidate: Option<String>,
}

impl Figures {
    /// The figures of `now`, with every rate computed against `before` (the report a second earlier). Without
    /// `before` (the first report) there are no rates yet; everything else is shown.
    pub fn between(before: Option<&Snapshot>, now: &Snapshot) -> Figures {
        let (sent, received) =
            before.map_or((&[][..], &[][..]), |b| (&b.sent[..], &b.received[..]));
        let pair = now.pair.clone().unwrap_or_default();
        Figures {
            sent: Direction::between(sent, &now.sent),
            received: Direction::between(received, &now.received),
            rtt_ms: pair.round_trip.map(|seconds| seconds * 1000.0),
            local_candidate: pair.local,
            remote_candidate: pair.remote,
        }
    }

    /// What the chart plots for this second: the received video bitrate (or the sent one, when no video is
    /// received), and the round-trip time.
    pub fn sample(&self) -> Sample {
        let received = self.received.as_ref().and_then(|d| d.video_kbps);
        Sample {
            kbps: received.or_else(|| self.sent.as_ref().and_then(|d| d.video_kbps)),
            received: received.is_some(),
            rtt_ms: self.rtt_ms,
        }
    }
}

/// The rows of the sent / received table: a key (for `data-stat`) and the label a person reads.
pub const ROWS: [(&str, &str); 7] = [
    ("video-bitrate", "Video bitrate"),
    ("audio-bitrate", "Audio bitrate"),
    ("frame-rate", "Frame rate"),
    ("resolution", "Resolution"),
    ("packets-lost", "Packets lost"),
    ("jitter", "Jitter (video)"),
    ("codec", "Codec"),
];

/// The text of row `row` of [`ROWS`] for one direction; `None` when unknown.
pub fn cell(direction: &Direction, row: usize) -> Option<String> {
    match row {
        0 => direction.video_kbps.map(kbps),
        1 => direction.audio_kbps.map(kbps),
        2 => direction.fps.map(|fps| whole(fps) + " fps"),
        3 => direction.size.map(|(w, h)| format!("{w}\u{d7}{h}")),
        4 => direction.packets_lost.map(whole),
        5 => direction.jitter_ms.map(|ms| millis(ms) + " ms"),
        6 => match (&direction.video_codec, &direction.audio_codec) {
            (Some(video), Some(audio)) => Some(format!("{video}, {audio}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        },
        _ => None,
    }
}

/// A count or rate rounded to a whole number, `"1234"` (negative counts, which some browsers report for
/// duplicated packets, show as 0).
pub fn whole(value: f64) -> String {
    (value.max(0.0).round() as u64).to_string()
}

/// A bitrate, `"1234 kbit/s"`.
pub fn kbps(value: f64) -> String {
    whole(value) + " kbit/s"
}

/// One second of the chart.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    /// Video bitrate, kbit/s.
    pub kbps: Option<f64>,
    /// True when `kbps` is the received video, false when it is the sent one.
    pub received: bool,
    /// Round-trip time, ms.
    pub rtt_ms: Option<f64>,
}

/// The last [`History::LIMIT`] samples, oldest first: a bounded ring, one sample a second.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    samples: VecDeque<Sample>,
}

/// The chart's width in SVG user units: one step of [`Chart::STEP`] per second.
pub const CHART_WIDTH: u32 = (History::LIMIT as u32 - 1) * Chart::STEP;
/// The chart's height in SVG user units.
pub const CHART_HEIGHT: u32 = 100;

impl History {
    /// How many samples are kept: a minute.
    pub const LIMIT: usize = 60;

    /// Adds the newest sample, dropping the oldest past the limit.
    pub fn push(&mut self, sample: Sample) {
        if self.samples.len() == Self::LIMIT {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// How many samples are kept.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True before the first sample.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The two lines of the chart, each on its own scale; the newest sample is at the right edge.
    pub fn chart(&self) -> Chart {
        let kbps_max = nice_ceiling(
            self.samples
                .iter()
                .filter_map(|s| s.kbps)
                .fold(0.0, f64::max),
            100.0,
        );
        let rtt_max = nice_ceiling(
            self.samples
                .iter()
                .filter_map(|s| s.rtt_ms)
                .fold(0.0, f64::max),
            1.0,
        );
        let first = History::LIMIT - self.samples.len();
        let points = |value: fn(&Sample) -> Option<f64>, max: f64| {
            let mut points = String::new();
            for (i, sample) in self.samples.iter().enumerate() {
                if let Some(v) = value(sample) {
                    let x = (first + i) as u32 * Chart::STEP;
                    let y = CHART_HEIGHT
                        - ((v / max).clamp(0.0, 1.0) * f64::from(CHART_HEIGHT)).round() as u32;
                    if !points.is_empty() {
                        points.push(' ');
                    }
                    points.push_str(&format!("{x},{y}"));
                }
            }
            points
        };
        Chart {
            kbps: points(|s| s.kbps, kbps_max),
            kbps_max,
            received: self.samples.back().is_none_or(|s| s.received),
            rtt: points(|s| s.rtt_ms, rtt_max),
            rtt_max,
        }
    }
}

/// The chart of the last minute, ready for an SVG of [`CHART_WIDTH`] by [`CHART_HEIGHT`] user units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    /// The bitrate polyline's `points` (`"x,y x,y ..."`, whole numbers).
    pub kbps: String,
    /// The bitrate at the top of the chart, kbit/s.
    pub kbps_max: f64,
    /// True when the bitrate is the received video, false when it is the sent one.
    pub received: bool,
    /// The round-trip time polyline's `points`.
    pub rtt: String,
    /// The round-trip time at the top of the chart, ms.
    pub rtt_max: f64,
}

impl Chart {
    /// The horizontal distance between two seconds, in SVG user units.
    pub const STEP: u32 = 10;
}

/// The smallest of `least` × 1, 2, 5, 10, 20, 50, ... that is at least `value`: a round top for a scale.
pub fn nice_ceiling(value: f64, least: f64) -> f64 {
    let mut decade = least;
    // 300 decades cover every finite f64; NaN or infinity ends on the last step.
    for _ in 0..300 {
        for factor in [1.0, 2.0, 5.0] {
            if value <= decade * factor {
                return decade * factor;
            }
        }
        decade *= 10.0;
    }
    least
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(kind: &str, id: &str, timestamp: f64, fields: &[(&'static str, Value)]) -> RawStats {
        RawStats {
            kind: kind.into(),
            id: id.into(),
            timestamp,
            fields: fields.to_vec(),
        }
    }

    fn n(value: f64) -> Value {
        Value::Number(value)
    }

    fn t(text: &str) -> Value {
        Value::Text(text.into())
    }

    /// A report as Chrome gives it for a connection that sends audio and video and receives video, at `time`
    /// ms, with `bytes` sent and received and `frames` encoded and decoded so far.
    fn report(time: f64, bytes: f64, frames: f64) -> Vec<RawStats> {
        vec![
            stats("codec", "COT01_96", time, &[("mimeType", t("video/VP8"))]),
            stats("codec", "COT01_111", time, &[("mimeType", t("audio/opus"))]),
            stats("codec", "CIT01_96", time, &[("mimeType", t("video/VP8"))]),
            stats(
                "outbound-rtp",
                "OT01V1",
                time,
                &[
                    ("kind", t("video")),
                    ("codecId", t("COT01_96")),
                    ("bytesSent", n(bytes)),
                    ("framesEncoded", n(frames)),
                    ("frameWidth", n(640.0)),
                    ("frameHeight", n(480.0)),
                ],
            ),
            stats(
                "outbound-rtp",
                "OT01A2",
                time,
                &[
                    ("kind", t("audio")),
                    ("codecId", t("COT01_111")),
                    ("bytesSent", n(bytes / 10.0)),
                ],
            ),
            stats(
                "remote-inbound-rtp",
                "RI1",
                time,
                &[
                    ("localId", t("OT01V1")),
                    ("packetsLost", n(3.0)),
                    ("jitter", n(0.002)),
                ],
            ),
            stats(
                "inbound-rtp",
                "IT01V3",
                time,
                &[
                    ("kind", t("video")),
                    ("codecId", t("CIT01_96")),
                    ("bytesReceived", n(bytes)),
                    ("framesDecoded", n(frames)),
                    ("frameWidth", n(320.0)),
                    ("frameHeight", n(240.0)),
                    ("packetsLost", n(1.0)),
                    ("jitter", n(0.004)),
                ],
            ),
            stats(
                "transport",
                "T01",
                time,
                &[("selectedCandidatePairId", t("CPb"))],
            ),
            stats(
                "candidate-pair",
                "CPa",
                time,
                &[
                    ("state", t("failed")),
                    ("localCandidateId", t("Ia")),
                    ("remoteCandidateId", t("Ib")),
                ],
            ),
            stats(
                "candidate-pair",
                "CPb",
                time,
                &[
                    ("state", t("succeeded")),
                    ("nominated", Value::Bool(true)),
                    ("currentRoundTripTime", n(0.0125)),
                    ("localCandidateId", t("Ic")),
                    ("remoteCandidateId", t("Id")),
                ],
            ),
            stats(
                "local-candidate",
                "Ia",
                time,
                &[("candidateType", t("relay"))],
            ),
            stats(
                "remote-candidate",
                "Ib",
                time,
                &[("candidateType", t("relay"))],
            ),
            stats(
                "local-candidate",
                "Ic",
                time,
                &[("candidateType", t("host"))],
            ),
            stats(
                "remote-candidate",
                "Id",
                time,
                &[("candidateType", t("srflx"))],
            ),
        ]
    }

    #[test]
    fn a_report_is_parsed_into_streams_codecs_and_the_selected_pair() {
        let snapshot = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
        assert_eq!(snapshot.sent.len(), 2);
        assert_eq!(snapshot.received.len(), 1);
        let video = &snapshot.sent[0];
        assert_eq!(video.media, Media::Video);
        assert_eq!(video.codec.as_deref(), Some("VP8"));
        assert_eq!(video.size, Some((640, 480)));
        assert_eq!(video.packets_lost, Some(3.0), "from the far end's report");
        assert_eq!(snapshot.sent[1].codec.as_deref(), Some("opus"));
        assert_eq!(snapshot.sent[1].packets_lost, None);
        assert_eq!(snapshot.received[0].jitter, Some(0.004));
        assert_eq!(
            snapshot.pair,
            Some(CandidatePair {
                round_trip: Some(0.0125),
                local: Some("host".into()),
                remote: Some("srflx".into()),
            })
        );
    }

    #[test]
    fn without_a_transport_the_nominated_succeeded_pair_is_used() {
        let mut raw = report(1000.0, 5000.0, 30.0);
        raw.retain(|s| s.kind != "transport");
        let pair = Snapshot::parse(0, &raw).pair.unwrap();
        assert_eq!(pair.local.as_deref(), Some("host"));
        // Firefox marks it `selected`.
        let raw = vec![
            stats(
                "candidate-pair",
                "p",
                0.0,
                &[
                    ("selected", Value::Bool(true)),
                    ("localCandidateId", t("l")),
                ],
            ),
            stats(
                "local-candidate",
                "l",
                0.0,
                &[("candidateType", t("prflx"))],
            ),
        ];
        assert_eq!(
            Snapshot::parse(0, &raw).pair.unwrap().local.as_deref(),
            Some("prflx")
        );
        assert_eq!(Snapshot::parse(0, &[]).pair, None);
    }

    #[test]
    fn odd_objects_are_left_out_without_panicking() {
        let raw = vec![
            stats("outbound-rtp", "no-kind", 0.0, &[("bytesSent", n(1.0))]),
            stats("inbound-rtp", "no-bytes", 0.0, &[("kind", t("video"))]),
            stats(
                "inbound-rtp",
                "nan",
                0.0,
                &[("kind", t("video")), ("bytesReceived", n(f64::NAN))],
            ),
            stats(
                "outbound-rtp",
                "bad-codec",
                0.0,
                &[
                    ("kind", t("audio")),
                    ("bytesSent", n(1.0)),
                    ("codecId", t("x")),
                ],
            ),
            stats("candidate-pair", "p", 0.0, &[("nominated", t("yes"))]),
        ];
        let snapshot = Snapshot::parse(0, &raw);
        assert_eq!(snapshot.sent.len(), 1);
        assert_eq!(snapshot.sent[0].codec, None);
        assert!(snapshot.received.is_empty());
        assert_eq!(snapshot.pair, None);
    }

    #[test]
    fn rate_needs_time_to_pass_and_counters_to_grow() {
        assert_eq!(rate((1000.0, 0.0), (2000.0, 125_000.0)), Some(125_000.0));
        assert_eq!(rate((1000.0, 10.0), (1500.0, 10.0)), Some(0.0));
        assert_eq!(
            rate((1000.0, 10.0), (1000.0, 20.0)),
            None,
            "clock did not move"
        );
        assert_eq!(
            rate((2000.0, 10.0), (1000.0, 20.0)),
            None,
            "clock went back"
        );
        assert_eq!(rate((1000.0, 50.0), (2000.0, 20.0)), None, "counter reset");
        assert_eq!(rate((1000.0, 0.0), (2000.0, f64::INFINITY)), None);
    }

    #[test]
    fn the_first_report_has_no_rates_but_everything_else() {
        let now = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
        let figures = Figures::between(None, &now);
        let sent = figures.sent.as_ref().unwrap();
        assert_eq!(
            (sent.video_kbps, sent.audio_kbps, sent.fps),
            (None, None, None)
        );
        assert_eq!(sent.size, Some((640, 480)));
        assert_eq!(sent.video_codec.as_deref(), Some("VP8"));
        assert_eq!(figures.rtt_ms, Some(12.5));
        assert_eq!(figures.local_candidate.as_deref(), Some("host"));
        assert_eq!(figures.remote_candidate.as_deref(), Some("srflx"));
        assert_eq!(figures.sample().kbps, None);
    }

    #[test]
    fn rates_come_from_the_deltas_between_two_reports() {
        let before = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
        let now = Snapshot::parse(0, &report(3000.0, 255_000.0, 90.0));
        let figures = Figures::between(Some(&before), &now);
        let sent = figures.sent.unwrap();
        // 250 000 bytes in 2 s: 1 000 kbit/s; audio a tenth of it.
        assert_eq!(sent.video_kbps, Some(1000.0));
        assert_eq!(sent.audio_kbps, Some(100.0));
        assert_eq!(sent.fps, Some(30.0));
        assert_eq!(sent.packets_lost, Some(3.0));
        assert_eq!(sent.jitter_ms, Some(2.0));
        let received = figures.received.unwrap();
        assert_eq!(received.video_kbps, Some(1000.0));
        assert_eq!(received.audio_kbps, None, "no audio received");
        assert_eq!(received.size, Some((320, 240)));
        assert_eq!(received.jitter_ms, Some(4.0));
    }

    #[test]
    fn a_reset_counter_or_a_stuck_clock_gives_no_rate() {
        let before = Snapshot::parse(0, &report(1000.0, 900_000.0, 300.0));
        let reset = Snapshot::parse(0, &report(2000.0, 1000.0, 30.0));
        let sent = Figures::between(Some(&before), &reset).sent.unwrap();
        assert_eq!((sent.video_kbps, sent.fps), (None, None));
        let stuck = Snapshot::parse(0, &report(1000.0, 950_000.0, 330.0));
        let sent = Figures::between(Some(&before), &stuck).sent.unwrap();
        assert_eq!((sent.video_kbps, sent.fps), (None, None));
    }

    #[test]
    fn several_streams_add_up_and_the_largest_is_the_main_one() {
        // Simulcast: three video streams, the largest second.
        let stream = |id: &str, bytes: f64, frames: f64, width: f64| {
            stats(
                "outbound-rtp",
                id,
                0.0,
                &[
                    ("kind", t("video")),
                    ("bytesSent", n(bytes)),
                    ("framesEncoded", n(frames)),
                    ("frameWidth", n(width)),
                    ("frameHeight", n(width / 2.0)),
                ],
            )
        };
        let at = |time: f64, scale: f64| {
            let mut raw = vec![
                stream("low", 1000.0 * scale, 10.0 * scale, 160.0),
                stream("high", 10_000.0 * scale, 30.0 * scale, 1280.0),
                stream("mid", 3000.0 * scale, 20.0 * scale, 640.0),
            ];
            for s in &mut raw {
                s.timestamp = time;
            }
            raw
        };
        let before = Snapshot::parse(0, &at(0.0, 1.0));
        let now = Snapshot::parse(0, &at(1000.0, 2.0));
        let sent = Figures::between(Some(&before), &now).sent.unwrap();
        assert_eq!(sent.video_kbps, Some(112.0));
        assert_eq!(sent.size, Some((1280, 640)));
        assert_eq!(sent.fps, Some(30.0));
    }

    #[test]
    fn merged_connections_keep_their_streams_apart() {
        // The demo: pc1 sends, pc2 receives, and both use the same stats ids.
        let sender = |time: f64, bytes: f64| {
            let mut raw = report(time, bytes, 0.0);
            raw.retain(|s| s.kind != "inbound-rtp");
            Snapshot::parse(0, &raw)
        };
        let receiver = |time: f64, bytes: f64| {
            let mut raw = report(time, bytes, 0.0);
            raw.retain(|s| {
                !s.kind.ends_with("bound-rtp")
                    && s.kind != "transport"
                    && s.kind != "candidate-pair"
            });
            raw.push(stats(
                "inbound-rtp",
                "OT01V1",
                time,
                &[("kind", t("video")), ("bytesReceived", n(bytes / 2.0))],
            ));
            Snapshot::parse(1, &raw)
        };
        let before = Snapshot::merge([sender(0.0, 1000.0), receiver(0.0, 1000.0)]);
        let now = Snapshot::merge([sender(1000.0, 2000.0), receiver(1000.0, 2000.0)]);
        assert!(now.pair.is_some(), "the pair comes from either");
        let figures = Figures::between(Some(&before), &now);
        assert_eq!(figures.sent.unwrap().video_kbps, Some(8.0));
        assert_eq!(figures.received.unwrap().video_kbps, Some(4.0));
    }

    #[test]
    fn cells_are_formatted_without_float_formatting() {
        let direction = Direction {
            video_kbps: Some(1234.6),
            audio_kbps: Some(31.2),
            fps: Some(29.97),
            size: Some((640, 480)),
            packets_lost: Some(-2.0),
            jitter_ms: Some(2.14),
            video_codec: Some("VP8".into()),
            audio_codec: Some("opus".into()),
        };
        let cells: Vec<_> = (0..ROWS.len()).map(|row| cell(&direction, row)).collect();
        let expected = [
            "1235 kbit/s",
            "31 kbit/s",
            "30 fps",
            "640\u{d7}480",
            "0",
            "2.1 ms",
            "VP8, opus",
        ];
        assert_eq!(cells, expected.map(|s| Some(s.to_owned())));
        assert_eq!(cell(&Direction::default(), 0), None);
        assert_eq!(cell(&Direction::default(), 6), None);
    }

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0, 100.0), 100.0);
        assert_eq!(nice_ceiling(130.0, 100.0), 200.0);
        assert_eq!(nice_ceiling(1234.0, 100.0), 2000.0);
        assert_eq!(nice_ceiling(2000.0, 100.0), 2000.0);
        assert_eq!(nice_ceiling(2001.0, 100.0), 5000.0);
        assert_eq!(nice_ceiling(0.4, 1.0), 1.0);
        assert_eq!(nice_ceiling(f64::NAN, 1.0), 1.0);
        assert_eq!(nice_ceiling(f64::INFINITY, 1.0), 1.0);
    }

    #[test]
    fn history_keeps_a_minute_and_draws_it_right_aligned() {
        let mut history = History::default();
        assert_eq!(history.chart().kbps, "");
        history.push(Sample {
            kbps: None,
            received: true,
            rtt_ms: Some(1.0),
        });
        history.push(Sample {
            kbps: Some(500.0),
            received: true,
            rtt_ms: Some(2.0),
        });
        history.push(Sample {
            kbps: Some(1000.0),
            received: true,
            rtt_ms: None,
        });
        let chart = history.chart();
        assert_eq!(chart.kbps_max, 1000.0);
        assert_eq!(chart.rtt_max, 2.0);
        assert_eq!(chart.kbps, "580,50 590,0", "a gap where there is no value");
        assert_eq!(chart.rtt, "570,50 580,0");
        assert!(chart.received);

        for i in 0..100 {
            history.push(Sample {
                kbps: Some(f64::from(i)),
                received: false,
                rtt_ms: None,
            });
        }
        assert_eq!(history.len(), History::LIMIT);
        let chart = history.chart();
        assert!(!chart.received);
        assert_eq!(chart.rtt, "", "older samples are gone");
        assert!(chart.kbps.starts_with("0,"));
        assert!(chart.kbps.ends_with(&format!("{CHART_WIDTH},1")));
        assert_eq!(chart.kbps.split(' ').count(), History::LIMIT);
    }
}
