//! The built app from the dist directory, as a single-page app: any path that is not a file gets index.html.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Files whose name carries a content hash never change: cache them for a year.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Anything else may be cached but must be revalidated (Last-Modified / If-Modified-Since) before use.
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// A router serving `dist`, with precompressed `.br` / `.gz` siblings when the client accepts them.
pub fn router(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = has_content_hash(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED) {
        return response;
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let value = if hashed && !html { IMMUTABLE } else { NO_CACHE };
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    response
}

/// Whether the file name has a build hash, as Trunk writes them: `name-0123456789abcdef.js`,
/// `name-0123456789abcdef_bg.wasm`.
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split(['-', '.', '_'])
        .any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(has_content_hash("/webrtc-demo-3f9b1c2d4e5f6a7b.js"));
        assert!(has_content_hash("/webrtc-demo-3f9b1c2d4e5f6a7b_bg.wasm"));
        assert!(has_content_hash("/webrtc-demo-3f9b1c2d4e5f6a7b_bg.wasm.br"));
        assert!(!has_content_hash("/index.html"));
        assert!(!has_content_hash("/favicon.ico"));
        assert!(!has_content_hash("/room/abc123"));
    }
}
