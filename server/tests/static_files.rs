//! The app from the dist directory: SPA fallback, assets, precompressed files, cache headers.

mod common;

use common::{header, http_get, start, start_with_dist, Client, APP_JS, APP_JS_GZ, INDEX};
use protocol::{ClientMessage, ServerMessage};

#[tokio::test]
async fn index_and_any_non_file_path_get_index_html_uncached() {
    let server = start(&[]).await;
    for path in [
        "/",
        "/index.html",
        "/room/xyz",
        "/room/abc123?x=1",
        "/no/such/file.js",
    ] {
        let (status, headers, body) = http_get(server.addr, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, INDEX.as_bytes(), "{path}");
        assert!(header(&headers, "content-type")
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(
            header(&headers, "cache-control"),
            Some("no-cache"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn assets_are_served_as_they_are_or_precompressed() {
    let server = start(&[]).await;
    let (status, headers, body) = http_get(server.addr, "/app.js", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, APP_JS.as_bytes());
    assert!(header(&headers, "content-type")
        .unwrap()
        .contains("javascript"));
    assert_eq!(header(&headers, "content-encoding"), None);

    let (status, headers, body) =
        http_get(server.addr, "/app.js", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(body, APP_JS_GZ);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert!(header(&headers, "content-type")
        .unwrap()
        .contains("javascript"));

    // No .br sibling: gzip it is, even when br is preferred.
    let (_, headers, _) =
        http_get(server.addr, "/app.js", &[("Accept-Encoding", "br, gzip")]).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));

    // A hashed build artifact never changes: cache it for good.
    let (status, headers, body) =
        http_get(server.addr, "/assets/app-0123456789abcdef_bg.wasm", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, b"\0asm");
    assert!(header(&headers, "cache-control")
        .unwrap()
        .contains("immutable"));
}

#[tokio::test]
async fn without_index_html_signaling_still_works() {
    let dist = common::make_dist();
    std::fs::remove_file(dist.join("index.html")).unwrap();
    let server = start_with_dist(dist, &[]).await;
    let (status, _, _) = http_get(server.addr, "/room/xyz", &[]).await;
    assert_eq!(status, 404);
    let mut a = Client::connect(&server).await;
    a.send(&ClientMessage::Ping).await;
    assert_eq!(a.recv().await, ServerMessage::Pong);
    let (status, _, body) = http_get(server.addr, "/healthz", &[]).await;
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
}
