//! What an ICE server's refusal means for a person (`icecandidateerror`), in words; and the connection check
//! ([`check`]).

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
}
