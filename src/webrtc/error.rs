//! One error type for everything the browser can refuse, with a message a person can act on.

use std::fmt;

use wasm_bindgen::{JsCast, JsValue};

/// Why a browser call failed, in terms a person can act on.
///
/// Built from the `DOMException` (or other JS value) that a rejected promise or a throwing call hands back; see
/// [`Error::from_js`]. `Display` gives the human message shown in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `navigator.mediaDevices` is missing: the page is not in a secure context (or the browser is too old).
    NoMediaDevices,
    /// `NotAllowedError`: the person, or a browser policy, refused access to the camera or microphone.
    PermissionDenied,
    /// `NotFoundError`: there is no camera or no microphone.
    NoDevice,
    /// `NotReadableError`: the device exists but cannot be opened, usually because another program holds it.
    DeviceBusy,
    /// `OverconstrainedError`: no device can satisfy the named constraint.
    Overconstrained {
        /// The constraint that could not be met, as the browser names it (may be empty).
        constraint: String,
    },
    /// `AbortError`: the browser gave up for a reason of its own, for example a device that went away.
    Aborted,
    /// `SecurityError`: the browser's security rules forbid what was asked (a WebSocket to a blocked port or
    /// from a secure page to `ws://`, a camera disabled by policy). Says nothing about the camera by itself:
    /// [`Error::in_device_request`] makes it the camera's refusal where it came from getUserMedia.
    Blocked {
        /// The browser's own words.
        message: String,
    },
    /// There is no `RTCPeerConnection` (for example WebKitGTK without WebRTC): no call can be made.
    NoPeerConnection,
    /// Anything else, kept with the browser's own name and message.
    Browser {
        /// The exception's `name`, for example `InvalidStateError` (or `Error` for a non-DOM value).
        name: String,
        /// The exception's `message`, as the browser wrote it.
        message: String,
    },
}

impl Error {
    /// Classifies an exception by its `name`, keeping its message and (for `OverconstrainedError`) the
    /// constraint. Pure, so the mapping is tested natively.
    pub fn from_parts(name: &str, message: &str, constraint: Option<&str>) -> Self {
        match name {
            "NotAllowedError" | "PermissionDeniedError" => Error::PermissionDenied,
            "SecurityError" => Error::Blocked {
                message: message.to_owned(),
            },
            "NotFoundError" | "DevicesNotFoundError" => Error::NoDevice,
            "NotReadableError" | "TrackStartError" => Error::DeviceBusy,
            "OverconstrainedError" | "ConstraintNotSatisfiedError" => Error::Overconstrained {
                constraint: constraint.unwrap_or_default().to_owned(),
            },
            "AbortError" => Error::Aborted,
            _ => Error::Browser {
                name: name.to_owned(),
                message: message.to_owned(),
            },
        }
    }

    /// The same error, as the answer to a request for the camera or microphone: there, a security refusal is
    /// the camera being refused.
    pub fn in_device_request(self) -> Self {
        match self {
            Error::Blocked { .. } => Error::PermissionDenied,
            other => other,
        }
    }

    /// Reads `name`, `message` and `constraint` off whatever a promise rejected with.
    ///
    /// DOM exceptions, plain JS errors (`TypeError` and friends), and thrown strings all give a useful message;
    /// nothing here can panic.
    pub fn from_js(value: JsValue) -> Self {
        let field = |key: &str| {
            js_sys::Reflect::get(&value, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        if value.is_object() {
            let name = field("name").unwrap_or_else(|| "Error".to_owned());
            let message = field("message").unwrap_or_default();
            let constraint = field("constraint");
            Error::from_parts(&name, &message, constraint.as_deref())
        } else {
            let message = value
                .as_string()
                .or_else(|| value.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
                .unwrap_or_else(|| format!("{value:?}"));
            Error::from_parts("Error", &message, None)
        }
    }
}

impl From<JsValue> for Error {
    fn from(value: JsValue) -> Self {
        Error::from_js(value)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoMediaDevices => f.write_str(
                "This page cannot reach a camera: the browser only allows it on a secure page. \
                 Open it over https://, or at http://localhost or http://127.0.0.1.",
            ),
            Error::PermissionDenied => f.write_str(
                "Camera and microphone access was refused. Allow it for this site \
                 (the camera icon in the address bar), then press Start again.",
            ),
            Error::NoDevice => f.write_str(
                "No camera or microphone was found. Plug one in, then press Start again.",
            ),
            Error::DeviceBusy => f.write_str(
                "The camera or microphone could not be opened; another application may be using it. \
                 Close it, then press Start again.",
            ),
            Error::Overconstrained { constraint } if constraint.is_empty() => f.write_str(
                "No camera or microphone can satisfy the requested settings.",
            ),
            Error::Overconstrained { constraint } => write!(
                f,
                "No camera or microphone can satisfy the requested \u{201c}{constraint}\u{201d} setting."
            ),
            Error::Aborted => f.write_str(
                "The browser stopped the request before it finished. Press Start to try again.",
            ),
            Error::Blocked { message } if message.is_empty() => {
                f.write_str("The browser blocked this for security reasons.")
            }
            Error::Blocked { message } => write!(
                f,
                "The browser blocked this for security reasons: {message}"
            ),
            Error::NoPeerConnection => f.write_str(
                "This browser cannot make WebRTC calls (it has no RTCPeerConnection). \
                 Open this page in a current Firefox, Chrome, Edge or Safari.",
            ),
            Error::Browser { name, message } if message.is_empty() => write!(f, "{name}"),
            Error::Browser { name, message } => write!(f, "{name}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getusermedia_failures_get_their_own_messages() {
        let cases = [
            ("NotAllowedError", Error::PermissionDenied, "refused"),
            ("NotFoundError", Error::NoDevice, "No camera"),
            ("NotReadableError", Error::DeviceBusy, "another application"),
            ("AbortError", Error::Aborted, "try again"),
        ];
        for (name, expected, words) in cases {
            let error = Error::from_parts(name, "whatever the browser said", None);
            assert_eq!(error, expected, "{name}");
            assert!(error.to_string().contains(words), "{name}: {error}");
        }
    }

    #[test]
    fn a_security_error_names_no_camera_unless_it_came_from_one() {
        let refused = Error::from_parts("SecurityError", "The operation is insecure.", None);
        assert_eq!(
            refused.to_string(),
            "The browser blocked this for security reasons: The operation is insecure."
        );
        assert!(!refused.to_string().contains("amera"));
        assert_eq!(refused.in_device_request(), Error::PermissionDenied);
        assert_eq!(Error::NoDevice.in_device_request(), Error::NoDevice);
        assert!(Error::NoPeerConnection
            .to_string()
            .starts_with("This browser cannot make WebRTC calls"));
    }

    #[test]
    fn overconstrained_names_the_constraint() {
        let error = Error::from_parts("OverconstrainedError", "", Some("width"));
        assert_eq!(
            error,
            Error::Overconstrained {
                constraint: "width".into()
            }
        );
        assert!(error.to_string().contains("\u{201c}width\u{201d}"));
        let bare = Error::from_parts("OverconstrainedError", "", None);
        assert!(!bare.to_string().contains('\u{201c}'));
    }

    #[test]
    fn insecure_context_says_how_to_fix_it() {
        let text = Error::NoMediaDevices.to_string();
        assert!(text.contains("https://"));
        assert!(text.contains("localhost"));
    }

    #[test]
    fn other_errors_keep_the_browsers_words() {
        let error = Error::from_parts(
            "InvalidStateError",
            "The RTCPeerConnection is closed.",
            None,
        );
        assert_eq!(
            error.to_string(),
            "InvalidStateError: The RTCPeerConnection is closed."
        );
        assert_eq!(
            Error::from_parts("TypeError", "", None).to_string(),
            "TypeError"
        );
    }
}
