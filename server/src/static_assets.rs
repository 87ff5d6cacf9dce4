//! The built bundle under `/pkg/`: served from disk with the compressed copies `scripts/build --release` wrote
//! beside each file (brotli or gzip, whichever the browser accepts), so no CPU is spent compressing per request.
//!
//! Hashed file names (see `app::ssr::assets`) change whenever their contents do, so browsers may keep them for
//! a year without asking again; plain names are revalidated on each use instead.

use axum::Router;
use http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// A year, and never revalidated: the name changes with the contents.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cached, but checked (by its modification time) before each use.
const REVALIDATE: &str = "public, no-cache";

/// The `/pkg` router.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let folder =
        std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = ServeDir::new(folder)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    let caching = HeaderValue::from_static(if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    // Only found files are cacheable: a 404 must not be kept for a year.
    let cache_found =
        move |response: &http::Response<_>| response.status().is_success().then(|| caching.clone());
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_found,
        ))
}
