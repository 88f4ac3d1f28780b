//! JSON through the browser's own `JSON.parse` and `JSON.stringify`, with serde types on the Rust side
//! (serde-wasm-bindgen). The wasm then carries no JSON parser or number formatter of its own: serde_json cost
//! about 36 KB of gzipped wasm.

use serde::{de::DeserializeOwned, Serialize};

use super::Error;

/// `JSON.stringify` of `value`. Numbers beyond 2^53 are not expected; maps become objects.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, Error> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let object = value.serialize(&serializer).map_err(type_error)?;
    js_sys::JSON::stringify(&object)?
        .as_string()
        .ok_or_else(|| type_error("JSON.stringify gave nothing"))
}

/// `JSON.parse` of `text`, read into a `T`: a syntax error or a value of the wrong shape is an [`Error`].
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let value = js_sys::JSON::parse(text)?;
    serde_wasm_bindgen::from_value(value).map_err(type_error)
}

fn type_error(error: impl ToString) -> Error {
    Error::Browser {
        name: "TypeError".into(),
        message: error.to_string(),
    }
}
