//! What a report is made of, once typed: RTP streams and a candidate pair.

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
