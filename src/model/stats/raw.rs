//! The stats objects as the browser glue hands them over: plain [`Value`]s, and which fields of each type are read.

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

    pub(super) fn number(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Value::Number(n)) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    pub(super) fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub(super) fn flag(&self, key: &str) -> bool {
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
