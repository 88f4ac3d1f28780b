//! The polling task: one reading of every connection a second, and the reader of each stats object.

use std::rc::Rc;

use leptos::prelude::*;

use super::shown::Shown;
use crate::{
    log::Logger,
    model::stats::{fields_of, Figures, RawStats, Snapshot, Value},
    webrtc::{sleep, stats::StatsObject, PeerConnection},
};

/// Reads the stats of `connections` once a second, forever (the caller aborts it): the figures from the
/// difference with the previous reading, and a sample for the chart. A failure is shown while it lasts, and logged
/// only the first time.
pub(super) async fn poll(
    connections: Vec<Rc<PeerConnection>>,
    set_shown: WriteSignal<Shown>,
    log: Logger,
) {
    let mut before: Option<Snapshot> = None;
    let mut reported = false;
    loop {
        let mut parts = Vec::with_capacity(connections.len());
        let mut failure = None;
        for (number, pc) in connections.iter().enumerate() {
            match pc.stats(raw_stats).await {
                Ok(raw) => parts.push(Snapshot::parse(number, &raw)),
                Err(error) => {
                    failure = Some(format!("Could not read the call statistics: {error}"))
                }
            }
        }
        if let (Some(text), false) = (&failure, reported) {
            reported = true;
            log.error(text.clone());
        }
        let now = (!parts.is_empty()).then(|| Snapshot::merge(parts));
        set_shown.try_update(|shown| {
            shown.failure = failure;
            if let Some(now) = &now {
                let figures = Figures::between(before.as_ref(), now);
                shown.history.push(figures.sample());
                shown.figures = Some(figures);
            }
        });
        if now.is_some() {
            before = now;
        }
        sleep(1000).await;
    }
}

/// The fields of one stats object that [`fields_of`] asks for, as plain values; `None` for an object of a type
/// the panel does not use.
fn raw_stats(object: &StatsObject) -> Option<RawStats> {
    let kind = object.text("type")?;
    let fields = fields_of(&kind);
    if fields.is_empty() {
        return None;
    }
    let value = |key: &str| {
        object
            .number(key)
            .map(Value::Number)
            .or_else(|| object.text(key).map(Value::Text))
            .or_else(|| object.flag(key).map(Value::Bool))
    };
    Some(RawStats {
        id: object.text("id").unwrap_or_default(),
        timestamp: object.number("timestamp").unwrap_or(0.0),
        fields: fields
            .iter()
            .filter_map(|&key| Some((key, value(key)?)))
            .collect(),
        kind,
    })
}
