//! Event handlers with one owner: dropping the [`Listener`] detaches it and frees its closure.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

use super::Error;

/// An `addEventListener` registration that lives exactly as long as this value (gloo-events' `EventListener`,
/// with the event cast to its type).
///
/// Dropping it calls `removeEventListener` and then frees the Rust closure, so the browser can never call into a
/// freed closure, and nothing is left behind when the thing it served is closed. Never `forget` it: keep it in the
/// struct that owns the event target.
#[must_use = "the handler is removed as soon as the Listener is dropped"]
pub struct Listener {
    _registration: EventListener,
}

impl Listener {
    /// Calls `handler` with every `kind` event fired at `target`, cast to the event type `E`.
    ///
    /// An event of another type (which a conforming browser never sends) is ignored rather than trusted.
    pub fn new<E, F>(
        target: &EventTarget,
        kind: &'static str,
        mut handler: F,
    ) -> Result<Self, Error>
    where
        E: JsCast,
        F: FnMut(E) + 'static,
    {
        let registration = EventListener::new(target, kind, move |event| {
            if let Ok(event) = Clone::clone(event).dyn_into::<E>() {
                handler(event);
            }
        });
        Ok(Listener {
            _registration: registration,
        })
    }
}
