//! What a person reads of a call: the rates between two snapshots, per direction, and the chart's sample.

use super::{Media, RtpStream, Sample, Snapshot};

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
