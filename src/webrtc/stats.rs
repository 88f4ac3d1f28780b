//! `RTCPeerConnection.getStats()`, one stats object at a time.
//!
//! The one place that reads JS stats objects. It knows nothing of which fields matter: the caller reads what it
//! wants through a [`StatsObject`], and the model ([`crate::model::stats`] in this app) decides what it means.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Error, PeerConnection};

/// One object of a stats report (an `RTCInboundRtpStreamStats`, a candidate pair, ...), read field by field.
pub struct StatsObject(JsValue);

impl StatsObject {
    /// A number field (`bytesReceived`, `timestamp`), if present.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.read(key).as_f64()
    }

    /// A text field (`type`, `id`, `kind`), if present.
    pub fn text(&self, key: &str) -> Option<String> {
        self.read(key).as_string()
    }

    /// A boolean field (`nominated`), if present.
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.read(key).as_bool()
    }

    /// A property, or `undefined` where there is none.
    fn read(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }
}

impl PeerConnection {
    /// `getStats()`: each object of the report passed to `read`, keeping what it returns.
    pub async fn stats<T>(
        &self,
        mut read: impl FnMut(&StatsObject) -> Option<T>,
    ) -> Result<Vec<T>, Error> {
        let report = JsFuture::from(self.raw_stats()).await?;
        // The report is a maplike: iterating it gives `[id, stats]` entries.
        let entries = js_sys::try_iter(&report)?.ok_or_else(|| Error::Browser {
            name: "TypeError".into(),
            message: "getStats() did not give a report".into(),
        })?;
        let mut objects = Vec::new();
        for entry in entries {
            let object = StatsObject(Reflect::get_u32(&entry?, 1)?);
            objects.extend(read(&object));
        }
        Ok(objects)
    }
}
