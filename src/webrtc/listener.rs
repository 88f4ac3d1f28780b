//! Event handlers with one owner: dropping the [`Listener`] detaches it and frees its closure.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Event, EventTarget};

use super::Error;

/// An `addEventListener` registration that lives exactly as long as this value.
///
/// Dropping it calls `removeEventListener` and then frees the Rust closure, so the browser can never call into a
/// freed closure, and nothing is left behind when the thing it served is closed. Never `forget` it: keep it in the
/// struct that owns the event target.
#[must_use = "the handler is removed as soon as the Listener is dropped"]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
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
        let closure = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if let Ok(event) = event.dyn_into::<E>() {
                handler(event);
            }
        });
        target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())?;
        Ok(Listener {
            target: target.clone(),
            kind,
            closure,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Removing a listener cannot fail for a target we registered on; if a browser disagrees, there is
        // nothing better to do than free the closure anyway (a late call then throws in JS, not in Rust).
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}
