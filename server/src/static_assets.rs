//! The built bundle under `/pkg/`, with the compressed copies `scripts/build --release` wrote beside each file
//! (brotli or gzip, whichever the browser accepts), so no CPU is spent compressing per request.
//!
//! Hashed file names (see `app::ssr::assets`) change whenever their contents do, so browsers may keep them for
//! a year without asking again, and the server may keep them too: a hashed build's files are listed once when
//! the router is built and each copy is read from disk the first time it is asked for, then answered from
//! memory (at most the folder's size, about 7 MB, and only the copies browsers ask for). Answering from disk
//! cost several hand-offs to tokio's blocking threads per request (open, stat, read), which held the
//! stylesheet at a tenth of nginx's rate (BENCHMARKS.md). Plain names (a development build, rebuilt while the
//! server runs) are read from disk on each request and revalidated on each use instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as FileName, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use leptos::config::LeptosOptions;
use tokio::sync::OnceCell;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// A year, and never revalidated: the name changes with the contents.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cached, but checked (by its modification time) before each use.
const REVALIDATE: &str = "public, no-cache";

/// The `/pkg` router.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let folder = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    if options.hash_files {
        let files = Arc::new(HashedFiles::list(&folder));
        return Router::new().route(
            &format!("/{}/{{name}}", options.site_pkg_dir),
            get(hashed_file).with_state(files),
        );
    }
    let files = ServeDir::new(folder)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    let caching = HeaderValue::from_static(REVALIDATE);
    // Only found files are cacheable.
    let cache_found =
        move |response: &http::Response<_>| response.status().is_success().then(|| caching.clone());
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_found,
        ))
}

/// The ways a file may be sent, best first: the smallest a browser accepts wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    const PREFERRED: [Encoding; 3] = [Encoding::Brotli, Encoding::Gzip, Encoding::Identity];

    /// The `Content-Encoding` token, and the suffix of the precompressed copy on disk.
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
            Encoding::Identity => "",
        }
    }
}

/// Whether `Accept-Encoding` allows `encoding` (RFC 9110, 12.5.3): listed, or covered by `*`, with a weight
/// above zero. The file itself (identity) is always acceptable as the last resort.
fn accepts(headers: &HeaderMap, encoding: Encoding) -> bool {
    if encoding == Encoding::Identity {
        return true;
    }
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let token = parts.next().unwrap_or_default().trim();
            let weight = parts
                .filter_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="))
                })
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if token.eq_ignore_ascii_case(encoding.token()) {
                named = Some(weight);
            } else if token == "*" {
                any = Some(weight);
            }
        }
    }
    named.or(any).is_some_and(|weight| weight > 0.0)
}

/// One copy of a file on disk, read the first time it is asked for.
struct OnDisk {
    path: PathBuf,
    bytes: OnceCell<Bytes>,
}

impl OnDisk {
    fn new(path: PathBuf) -> Self {
        OnDisk {
            path,
            bytes: OnceCell::new(),
        }
    }

    async fn bytes(&self) -> std::io::Result<Bytes> {
        self.bytes
            .get_or_try_init(|| async { tokio::fs::read(&self.path).await.map(Bytes::from) })
            .await
            .cloned()
    }
}

/// A file of the hashed build and its precompressed copies, as found when the router was built.
struct HashedFile {
    content_type: HeaderValue,
    copies: Vec<(Encoding, OnDisk)>,
}

/// Every file of a hashed build, by name. Listed once: a hashed build's files never change under their names,
/// and a new build comes with a restart (its `hash.txt` is read at start-up). A name not listed is answered 404
/// without touching the disk, so no request can make the server read or remember anything else.
struct HashedFiles(HashMap<String, HashedFile>);

impl HashedFiles {
    fn list(folder: &Path) -> Self {
        let names: Vec<String> = match std::fs::read_dir(folder) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect(),
            Err(error) => {
                tracing::warn!(folder = %folder.display(), %error, "no built bundle to serve under /pkg");
                Vec::new()
            }
        };
        let files = names
            .iter()
            .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
            .map(|name| {
                let copies = Encoding::PREFERRED
                    .into_iter()
                    .filter(|encoding| names.contains(&format!("{name}{}", encoding.suffix())))
                    .map(|encoding| {
                        let path = folder.join(format!("{name}{}", encoding.suffix()));
                        (encoding, OnDisk::new(path))
                    })
                    .collect();
                let file = HashedFile {
                    content_type: content_type(name),
                    copies,
                };
                (name.clone(), file)
            })
            .collect();
        HashedFiles(files)
    }
}

/// The media type by extension, for the kinds of file a build writes.
fn content_type(name: &str) -> HeaderValue {
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
    HeaderValue::from_static(match extension {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "map" => "application/json",
        _ => "application/octet-stream",
    })
}

/// Answers a file of the hashed build in the best encoding the browser accepts.
async fn hashed_file(
    State(files): State<Arc<HashedFiles>>,
    FileName(name): FileName<String>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = files.0.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((encoding, copy)) = file
        .copies
        .iter()
        .find(|(encoding, _)| accepts(&headers, *encoding))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match copy.bytes().await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(path = %copy.path.display(), %error, "a file of the built bundle could not be read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = Response::new(Body::from(bytes));
    let answer = response.headers_mut();
    answer.insert(header::CONTENT_TYPE, file.content_type.clone());
    answer.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if file.copies.len() > 1 {
        answer.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if *encoding != Encoding::Identity {
        answer.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.token()),
        );
    }
    response
}
