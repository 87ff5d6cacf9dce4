//! The built bundle under `/pkg/`, with the compressed copies `scripts/build --release` wrote beside each file
//! (brotli or gzip, whichever the browser accepts), so no CPU is spent compressing per request.
//!
//! Hashed file names (see `app::ssr::assets`) change whenever their contents do, so browsers may keep them for
//! a year without asking again, and the server may keep them too: a hashed build's files are listed once when
//! the router is built and each copy is read from disk the first time it is asked for, then answered from
//! memory (at most the folder's size, about 7 MB, and only the copies browsers ask for). Answering from disk
//! cost several hand-offs to tokio's blocking threads per request (open, stat, read), which held the
//! stylesheet at a tenth to a fifth of nginx's rate (BENCHMARKS.md). Plain names (a development build,
//! rebuilt while the server runs) are read from disk on each request and revalidated on each use instead.

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

/// How much the browser wants `encoding`, by `Accept-Encoding` (RFC 9110, 12.5.3): its own weight, else that
/// of `*`; `None` when not acceptable (weight zero, or not listed and no `*`). An entry whose weight is not a
/// number from 0 to 1 is ignored.
fn weight(headers: &HeaderMap, encoding: Encoding) -> Option<f32> {
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let token = parts.next().unwrap_or_default().trim();
            let weight = match parts
                .map(str::trim)
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            {
                None => Some(1.0),
                Some(q) => q
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q)),
            };
            let Some(weight) = weight else { continue };
            if token.eq_ignore_ascii_case(encoding.token()) {
                named = Some(weight);
            } else if token == "*" {
                any = Some(weight);
            }
        }
    }
    match (encoding, named, any) {
        // The file itself is always sent when nothing else is acceptable (a refusal of it is not honoured:
        // the bytes beat an error), and never preferred to a copy the browser asked for unless it named it.
        (Encoding::Identity, named, _) => Some(named.unwrap_or(0.0).max(f32::MIN_POSITIVE)),
        (_, Some(weight), _) | (_, None, Some(weight)) => Some(weight).filter(|w| *w > 0.0),
        (_, None, None) => None,
    }
}

/// One copy of a file on disk, read the first time it is asked for.
struct OnDisk {
    path: PathBuf,
    /// Its length when listed: a copy that reads otherwise (gone, or rewritten by a build under a running
    /// server) is not kept, so a half-written file is never served for a year.
    length: u64,
    bytes: OnceCell<Bytes>,
}

impl OnDisk {
    fn new(path: PathBuf, length: u64) -> Self {
        OnDisk {
            path,
            length,
            bytes: OnceCell::new(),
        }
    }

    async fn bytes(&self) -> std::io::Result<Bytes> {
        self.bytes
            .get_or_try_init(|| async {
                let bytes = tokio::fs::read(&self.path).await?;
                if bytes.len() as u64 == self.length {
                    Ok(Bytes::from(bytes))
                } else {
                    Err(std::io::Error::other(format!(
                        "{} bytes now, {} when the server started",
                        bytes.len(),
                        self.length
                    )))
                }
            })
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
        // Followed through symbolic links, as a deployment may link the built files into place.
        let found: HashMap<String, u64> = match std::fs::read_dir(folder) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let metadata = std::fs::metadata(entry.path()).ok()?;
                    let name = entry.file_name().into_string().ok()?;
                    metadata.is_file().then_some((name, metadata.len()))
                })
                .collect(),
            Err(error) => {
                tracing::warn!(folder = %folder.display(), %error, "no built bundle to serve under /pkg");
                HashMap::new()
            }
        };
        let files = found
            .keys()
            .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
            .map(|name| {
                let copies = Encoding::PREFERRED
                    .into_iter()
                    .filter_map(|encoding| {
                        let copy = format!("{name}{}", encoding.suffix());
                        let length = *found.get(&copy)?;
                        Some((encoding, OnDisk::new(folder.join(copy), length)))
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
    // The copies the browser accepts, the one it weighs highest first (the smallest on a tie).
    let mut acceptable: Vec<(f32, &(Encoding, OnDisk))> = file
        .copies
        .iter()
        .filter_map(|copy| weight(&headers, copy.0).map(|w| (w, copy)))
        .collect();
    acceptable.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut chosen = None;
    for (_, (encoding, copy)) in acceptable {
        match copy.bytes().await {
            Ok(bytes) => {
                chosen = Some((*encoding, bytes));
                break;
            }
            // Another copy may still be sound; the build needs repairing all the same.
            Err(error) => tracing::error!(
                path = %copy.path.display(), %error,
                "a file of the built bundle could not be read; run scripts/build and restart"
            ),
        }
    }
    let Some((encoding, bytes)) = chosen else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = Response::new(Body::from(bytes));
    let answer = response.headers_mut();
    answer.insert(header::CONTENT_TYPE, file.content_type.clone());
    answer.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if file.copies.len() > 1 {
        answer.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if encoding != Encoding::Identity {
        answer.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.token()),
        );
    }
    response
}
