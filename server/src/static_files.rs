//! Static files: the hydration bundle under `/pkg`, vendored scripts and embed assets.
//!
//! The release build (`cargo xtask build`, or `cargo leptos build --release --split
//! --precompress` with hash-files on) writes every `/pkg` file under a content-hashed name next
//! to its `.br` and `.gz` forms. We serve those as they are (no compression per request) and let
//! browsers keep them for a year: a new build means new names. Files whose names carry no hash
//! are revalidated: among them the split loader, which keeps its generated name with the hash
//! placeholder in it (it and the main JS import each other, so one of the two cannot be named
//! by its content; see xtask/src/hashing.rs).

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::Router;
use tower_http::services::ServeDir;

/// A name's hash before it is known: the split loader keeps it (revalidated, not immutable).
const HASH_PLACEHOLDER: &str = "______________________";
/// `Cache-Control` of content-hashed files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of vendored files whose names do not change with their content.
const ONE_HOUR: &str = "public, max-age=3600";

/// The hash file the release build writes beside the server binary when `hash-files` is on.
pub fn hash_file() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

fn dir(root: &Path, sub: &str) -> ServeDir {
    ServeDir::new(root.join(sub))
        .precompressed_br()
        .precompressed_gzip()
}

/// Routes for `/pkg`, `/vendor` and `/embed-assets` under `site_root`. `hashed` says whether the
/// `/pkg` names carry content hashes.
pub fn router(site_root: &Path, hashed: bool) -> Router {
    let pkg_cache = if hashed { IMMUTABLE } else { "no-cache" };
    // Only a file that was found may be kept; a 404 must not be cached for a year.
    let cached = |sub: &str, cache: &'static str| {
        Router::new()
            .fallback_service(dir(site_root, sub))
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| async move {
                    let cache = if req.uri().path().contains(HASH_PLACEHOLDER) {
                        "no-cache"
                    } else {
                        cache
                    };
                    let mut r = next.run(req).await;
                    if r.status().is_success() || r.status().as_u16() == 304 {
                        r.headers_mut()
                            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                    }
                    r
                },
            ))
    };
    Router::new()
        .nest("/pkg", cached("pkg", pkg_cache))
        .nest("/vendor", cached("vendor", ONE_HOUR))
        .nest("/embed-assets", cached("embed-assets", ONE_HOUR))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("app.abc123.wasm"), b"\0asm plain").unwrap();
        std::fs::write(pkg.join("app.abc123.wasm.br"), b"brotli bytes").unwrap();
        std::fs::write(pkg.join("app.abc123.wasm.gz"), b"gzip bytes").unwrap();
        dir
    }

    async fn get(root: &Path, hashed: bool, path: &str, accept: &str) -> axum::response::Response {
        router(root, hashed)
            .oneshot(
                Request::get(path)
                    .header(header::ACCEPT_ENCODING, accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn hashed_files_are_immutable_and_served_precompressed() {
        let dir = site();
        let r = get(dir.path(), true, "/pkg/app.abc123.wasm", "gzip, br").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::CACHE_CONTROL], IMMUTABLE);
        let r = get(dir.path(), true, "/pkg/app.abc123.wasm", "gzip").await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        let r = get(dir.path(), true, "/pkg/app.abc123.wasm", "identity").await;
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        assert_eq!(&body[..], b"\0asm plain");
    }

    #[tokio::test]
    async fn a_missing_file_is_not_cached_and_unhashed_names_are_revalidated() {
        let dir = site();
        let r = get(dir.path(), true, "/pkg/app.zzz.wasm", "br").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.headers().get(header::CACHE_CONTROL).is_none());
        let r = get(dir.path(), false, "/pkg/app.abc123.wasm", "br").await;
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
        // The split loader names the hashed files; its own name carries only the placeholder.
        let loader = format!("__wasm_split.{HASH_PLACEHOLDER}.js");
        std::fs::write(dir.path().join("pkg").join(&loader), b"export {}").unwrap();
        let r = get(dir.path(), true, &format!("/pkg/{loader}"), "br").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
    }
}
