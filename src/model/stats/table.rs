//! The sent / received table: its rows, and each cell's text, formatted by hand.

use super::Direction;
use crate::model::log::millis;

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
