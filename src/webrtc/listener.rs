//! Event handlers with one owner: dropping the [`Listener`] detaches it and frees its closure.

use std::cell::RefCell;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

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
    pub fn new<E, F>(target: &EventTarget, kind: &'static str, mut handler: F) -> Self
    where
        E: JsCast,
        F: FnMut(E) + 'static,
    {
        let registration = EventListener::new(target, kind, move |event| {
            if let Ok(event) = Clone::clone(event).dyn_into::<E>() {
                handler(event);
            }
        });
        Listener {
            _registration: registration,
        }
    }
}

/// Every handler registered on one event target, removed together when this is cleared or dropped: what a
/// connection, a channel or a socket keeps of its handlers.
pub(super) struct Listeners {
    target: EventTarget,
    registered: RefCell<Vec<Listener>>,
}

impl Listeners {
    /// None yet, on `target`.
    pub(super) fn on(target: &EventTarget) -> Self {
        Listeners {
            target: Clone::clone(target),
            registered: RefCell::new(Vec::new()),
        }
    }

    /// Calls `handler` with every `kind` event, cast to `E`, until [`Listeners::clear`] or drop.
    pub(super) fn add<E: JsCast>(&self, kind: &'static str, handler: impl FnMut(E) + 'static) {
        let listener = Listener::new(&self.target, kind, handler);
        self.registered.borrow_mut().push(listener);
    }

    /// Removes every handler.
    pub(super) fn clear(&self) {
        self.registered.borrow_mut().clear();
    }
}
