//! Which pages may open the WebSocket: the Origin header against the Host header and the allow list.

use axum::http::{header, HeaderMap};

/// Whether a WebSocket request with these headers may proceed. No Origin header: not a browser, allowed.
/// Otherwise the origin must be the page's own (its host[:port] equals Host), be listed in `allowed`, or
/// `allowed` must contain `*`.
pub fn allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim().trim_end_matches('/');
    if allowed
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    match origin.split_once("://") {
        Some((scheme, authority)) => {
            let authority = authority.to_ascii_lowercase();
            let host = host.trim().to_ascii_lowercase();
            let default_port = match scheme.to_ascii_lowercase().as_str() {
                "http" => ":80",
                "https" => ":443",
                _ => return false,
            };
            authority == host
                || authority.strip_suffix(default_port) == Some(&host)
                || host.strip_suffix(default_port) == Some(&authority)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn same_origin_only_by_default() {
        assert!(allowed(&headers(None, "a.example:8080"), &[]));
        assert!(allowed(
            &headers(Some("http://a.example:8080"), "a.example:8080"),
            &[]
        ));
        assert!(allowed(
            &headers(Some("https://A.example"), "a.example"),
            &[]
        ));
        assert!(allowed(
            &headers(Some("https://a.example"), "a.example:443"),
            &[]
        ));
        assert!(!allowed(
            &headers(Some("http://a.example:8081"), "a.example:8080"),
            &[]
        ));
        assert!(!allowed(
            &headers(Some("http://evil.example"), "a.example"),
            &[]
        ));
        assert!(!allowed(&headers(Some("null"), "a.example"), &[]));
        assert!(!allowed(
            &headers(Some("file://a.example"), "a.example"),
            &[]
        ));
    }

    #[test]
    fn listed_origins_and_star() {
        let list = vec!["https://app.example/".to_string()];
        assert!(allowed(
            &headers(Some("https://app.example"), "api.example"),
            &list
        ));
        assert!(!allowed(
            &headers(Some("https://other.example"), "api.example"),
            &list
        ));
        let star = vec!["*".to_string()];
        assert!(allowed(&headers(Some("null"), "api.example"), &star));
    }
}
