//! The connection check ("Check my connection"): what gathering candidates against each ICE server found,
//! said in words. The browser part gathers; this part only reads what it found.

/// How a page reaches a TURN server, from its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    /// `turns:` is TLS; `?transport=tcp` (at the end) is TCP; otherwise UDP.
    pub fn of(url: &str) -> Transport {
        if url.starts_with("turns:") {
            Transport::Tls
        } else if url.ends_with("transport=tcp") {
            Transport::Tcp
        } else {
            Transport::Udp
        }
    }

    fn name(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }
}

/// What gathering against one server (or none, for host candidates) found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Each candidate's SDP line, and when it came (ms after gathering started).
    pub candidates: Vec<(String, f64)>,
    /// The `icecandidateerror` codes.
    pub errors: Vec<u16>,
}

/// A candidate line's type (`host`, `srflx`, `relay`, `prflx`) and address.
pub fn type_and_address(line: &str) -> Option<(&str, &str)> {
    let mut words = line.split(' ');
    let address = words.clone().nth(4)?;
    words.find(|w| *w == "typ")?;
    Some((words.next()?, address))
}

fn first<'a>(found: &'a Found, kind: &str) -> Option<(&'a str, f64)> {
    found.candidates.iter().find_map(|(line, at)| {
        type_and_address(line).and_then(|(t, address)| (t == kind).then_some((address, *at)))
    })
}

/// One line of the report: whether it works, and the words.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub works: bool,
    pub text: String,
}

impl Verdict {
    /// The line as the page shows it: a tick or a cross, the words, a line break.
    pub fn line(&self) -> String {
        format!(
            "{} {}\n",
            if self.works { '\u{2713}' } else { '\u{2717}' },
            self.text
        )
    }
}

/// The words for the host candidates (gathered with no server; `_url` is empty).
pub fn host(_url: &str, found: &Found) -> Verdict {
    let n = found
        .candidates
        .iter()
        .filter(|(line, _)| type_and_address(line).is_some_and(|(t, _)| t == "host"))
        .count();
    Verdict {
        works: n > 0,
        text: if n > 0 {
            format!("Direct (host): {n} local address(es); enough on one network.")
        } else {
            "Direct (host): none; this browser offers no local address.".to_owned()
        },
    }
}

/// The words for one STUN or TURN `url`, from what gathering against it alone found.
pub fn server_verdict(url: &str, found: &Found) -> Verdict {
    let turn = url.starts_with("turn");
    let what = if turn {
        format!("TURN over {} ({url})", Transport::of(url).name())
    } else {
        format!("STUN ({url})")
    };
    let ok = |text: String| Verdict { works: true, text };
    if let Some((address, at)) = first(found, if turn { "relay" } else { "srflx" }) {
        return ok(if turn {
            // As Galène's relay test: the time from the start of gathering to the relay candidate. An
            // allocation is two round trips (the first request is challenged), so one is at most half.
            let ms = at.round() as u32;
            format!(
                "{what}: works; relay address {address}, allocated in {ms} ms (two round trips: at most {} ms each).",
                ms.div_ceil(2)
            )
        } else {
            format!("{what}: works; your public address is {address}.")
        });
    }
    let why = if found.errors.iter().any(|c| matches!(c, 401 | 431)) {
        "the server refused our credentials".to_owned()
    } else if let Some(code) = found.errors.iter().find(|c| **c != 701) {
        format!("the server answered with error {code}")
    } else {
        "no answer (blocked, or the server is down)".to_owned()
    };
    Verdict {
        works: false,
        text: format!("{what}: does not work: {why}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0";
    const SRFLX: &str =
        "candidate:2 1 udp 1686052607 203.0.113.5 50001 typ srflx raddr 192.0.2.10 rport 50000";
    const RELAY: &str =
        "candidate:3 1 udp 41885439 198.51.100.9 60000 typ relay raddr 203.0.113.5 rport 50001";

    fn found(lines: &[(&str, f64)], errors: &[u16]) -> Found {
        Found {
            candidates: lines.iter().map(|(l, at)| (l.to_string(), *at)).collect(),
            errors: errors.to_vec(),
        }
    }

    #[test]
    fn candidate_lines_are_read() {
        assert_eq!(type_and_address(RELAY), Some(("relay", "198.51.100.9")));
        assert_eq!(type_and_address(HOST), Some(("host", "192.0.2.10")));
        assert_eq!(type_and_address("candidate:1 1 udp"), None);
        assert_eq!(type_and_address(""), None);
    }

    #[test]
    fn transports_come_from_the_url() {
        assert_eq!(Transport::of("turn:t:3478?transport=udp"), Transport::Udp);
        assert_eq!(Transport::of("turn:t:3478"), Transport::Udp);
        assert_eq!(Transport::of("turn:t:3478?transport=tcp"), Transport::Tcp);
        assert_eq!(Transport::of("turns:t:5349?transport=tcp"), Transport::Tls);
    }

    #[test]
    fn what_works_is_said_with_its_figures() {
        let host_only = host("", &found(&[(HOST, 1.0), (HOST, 2.0)], &[]));
        assert!(host_only.works);
        assert!(
            host_only.text.contains("2 local address"),
            "{}",
            host_only.text
        );
        assert!(!host("", &Found::default()).works);

        let stun = server_verdict("stun:s:3478", &found(&[(HOST, 1.0), (SRFLX, 30.0)], &[]));
        assert!(stun.works);
        assert_eq!(
            stun.text,
            "STUN (stun:s:3478): works; your public address is 203.0.113.5."
        );

        let turn = server_verdict("turn:t:3478?transport=tcp", &found(&[(RELAY, 41.0)], &[]));
        assert!(turn.works);
        assert!(turn
            .text
            .starts_with("TURN over TCP (turn:t:3478?transport=tcp): works"));
        assert!(
            turn.text
                .contains("allocated in 41 ms (two round trips: at most 21 ms each)"),
            "{}",
            turn.text
        );
    }

    #[test]
    fn a_line_is_marked() {
        let line = |works| {
            Verdict {
                works,
                text: "x".into(),
            }
            .line()
        };
        assert_eq!(line(true), "\u{2713} x\n");
        assert_eq!(line(false), "\u{2717} x\n");
    }

    #[test]
    fn what_fails_says_why() {
        let refused = server_verdict("turn:t:3478", &found(&[(HOST, 1.0)], &[401]));
        assert!(!refused.works);
        assert_eq!(
            refused.text,
            "TURN over UDP (turn:t:3478): does not work: the server refused our credentials."
        );
        let silent = server_verdict("turns:t:5349", &found(&[(HOST, 1.0)], &[701]));
        assert!(silent.text.contains("TLS") && silent.text.contains("no answer"));
        // A STUN server's srflx does not count as a relay, nor a relay as STUN.
        assert!(!server_verdict("turn:t", &found(&[(SRFLX, 5.0)], &[])).works);
        assert!(!server_verdict("stun:s", &found(&[(RELAY, 5.0)], &[])).works);
    }
}
