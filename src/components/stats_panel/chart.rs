//! The chart of the last minute: video bitrate and round-trip time, each on its own scale.

use leptos::prelude::*;

use super::shown::{text, Field, Shown};
use crate::model::stats::{CHART_HEIGHT, CHART_WIDTH};

/// The chart, as an SVG of two polylines with the top of each scale above it and a caption below.
///
/// A plain function, not a component: its view stays inside the panel's one erased type.
pub(super) fn chart(shown: ReadSignal<Shown>) -> impl IntoView {
    view! {
        <figure class="stats-chart">
            <div class="stats-scale">
                <span class="stats-kbps">{text(shown, Field::KbpsTop)}</span>
                <span class="stats-rtt">{text(shown, Field::RttTop)}</span>
            </div>
            <svg
                viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                preserveAspectRatio="none"
                role="img"
                aria-label="Video bitrate and round-trip time over the last minute"
            >
                <polyline class="stats-kbps" points=text(shown, Field::KbpsLine) />
                <polyline class="stats-rtt" points=text(shown, Field::RttLine) />
            </svg>
            <figcaption>
                <span class="stats-kbps">{text(shown, Field::KbpsLabel)}</span>
                <span class="stats-rtt">"Round-trip time"</span>
                <span>"last 60 s"</span>
            </figcaption>
        </figure>
    }
}
