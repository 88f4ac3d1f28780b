//! `RTCPeerConnection.getStats()`, read into plain Rust values.
//!
//! The one place that reads JS stats objects. Which fields matter, and what they mean, is decided in
//! [`crate::stats`], where the values are parsed and tested natively.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

use super::Error;
use crate::stats::{fields_of, RawStats, Value};

/// `getStats()`: every stats object of `pc`'s report that [`fields_of`] has fields for, with those fields.
pub async fn report(pc: &RtcPeerConnection) -> Result<Vec<RawStats>, Error> {
    let report = JsFuture::from(pc.get_stats()).await?;
    // The report is a maplike: iterating it gives `[id, stats]` entries.
    let entries = js_sys::try_iter(&report)?.ok_or_else(|| Error::Browser {
        name: "TypeError".into(),
        message: "getStats() did not give a report".into(),
    })?;
    let mut objects = Vec::new();
    for entry in entries {
        let stats = Reflect::get_u32(&entry?, 1)?;
        let Some(kind) = read(&stats, "type").as_string() else {
            continue;
        };
        let fields = fields_of(&kind);
        if fields.is_empty() {
            continue;
        }
        objects.push(RawStats {
            id: read(&stats, "id").as_string().unwrap_or_default(),
            timestamp: read(&stats, "timestamp").as_f64().unwrap_or(0.0),
            fields: fields
                .iter()
                .filter_map(|&key| Some((key, value(read(&stats, key))?)))
                .collect(),
            kind,
        });
    }
    Ok(objects)
}

/// A property, or `undefined` where there is none.
fn read(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn value(value: JsValue) -> Option<Value> {
    if let Some(number) = value.as_f64() {
        Some(Value::Number(number))
    } else if let Some(text) = value.as_string() {
        Some(Value::Text(text))
    } else {
        value.as_bool().map(Value::Bool)
    }
}
