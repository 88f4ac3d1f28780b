//! What an ICE server's refusal means for a person (`icecandidateerror`), and a candidate, in words; and the
//! connection check ([`check`]).

pub mod check;

/// What the page says when the TURN server refuses the credentials it was given (a wrong `--turn-secret`, or
/// credentials past their expiry).
pub const TURN_REFUSED: &str = "The TURN server refused our credentials";

/// The words for an `icecandidateerror` with STUN error `code` from the server at `url`: `Some` for a failure a
/// person should see (the TURN server said no), `None` for one that is only worth a log line (a server that
/// did not answer on one of several addresses).
pub fn candidate_error_problem(code: u16, url: &str) -> Option<String> {
    match code {
        // 401 Unauthorized: a wrong or expired password. 431 Integrity Check Failure: the same, seen differently.
        401 | 431 => Some(format!(
            "{TURN_REFUSED} ({url}, error {code}). Reload the page for new ones; if it happens again, the \
             server's --turn-secret does not match the TURN server's static-auth-secret."
        )),
        // 403 Forbidden, 486 Allocation Quota Reached, 508 Insufficient Capacity: the relay said no.
        403 | 486 | 508 => Some(format!(
            "The TURN server would not give us a relay ({url}, error {code}): it is refusing or full."
        )),
        _ => None,
    }
}

/// Shortens an ICE candidate line to what a person reads: type, transport and address, for example
/// `host udp 192.0.2.2:50943`. Anything unexpected is shown whole.
pub fn describe_candidate(line: &str) -> String {
    let fields: Vec<&str> = line.split_whitespace().collect();
    match fields.as_slice() {
        [_foundation, _component, transport, _priority, address, port, "typ", kind, ..] => {
            let transport = transport.to_ascii_lowercase();
            if address.contains(':') {
                format!("{kind} {transport} [{address}]:{port}")
            } else {
                format!("{kind} {transport} {address}:{port}")
            }
        }
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_credentials_are_said_in_words() {
        let text = candidate_error_problem(401, "turn:127.0.0.1:3478?transport=udp").unwrap();
        assert!(text.starts_with(TURN_REFUSED), "{text}");
        assert!(text.contains("turn:127.0.0.1:3478"), "{text}");
        assert!(text.contains("--turn-secret"), "{text}");
        assert!(candidate_error_problem(486, "turn:x")
            .unwrap()
            .contains("full"));
    }

    #[test]
    fn an_unreachable_server_is_only_a_log_line() {
        assert_eq!(candidate_error_problem(701, "stun:x"), None);
        assert_eq!(candidate_error_problem(0, ""), None);
    }

    #[test]
    fn candidates_are_shown_briefly() {
        assert_eq!(
            describe_candidate(
                "candidate:3913708843 1 udp 2122194687 192.0.2.2 59217 typ host generation 0 ufrag CKwc"
            ),
            "host udp 192.0.2.2:59217"
        );
        assert_eq!(
            describe_candidate(
                "candidate:1 1 UDP 1686052607 fd00::2 40527 typ srflx raddr 0.0.0.0 rport 0"
            ),
            "srflx udp [fd00::2]:40527"
        );
        assert_eq!(describe_candidate("garbage"), "garbage");
        assert_eq!(describe_candidate(""), "");
    }
}
