//! The last minute of bitrate and round-trip time, and its chart.

use std::collections::VecDeque;

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
