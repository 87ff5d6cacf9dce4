//! What a browser downloads: the built bundle compressed ahead of time and cached for a year under hashed
//! names, and a lesson page whose text is sent once (in the markup), not again in the hydration data, and
//! which fetches nothing of the bundle before it has painted.

use academy_tests::http_client::{Browser, state_for};
use academy_tests::{TestDb, fixtures};
use axum::body::Body;
use http::{Request, StatusCode, header};
use tower::ServiceExt;

/// GETs `path` with the given `Accept-Encoding`; the status, two headers and the body.
async fn fetch(
    router: &axum::Router,
    path: &str,
    encoding: Option<&str>,
) -> (StatusCode, Option<String>, Option<String>, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(encoding) = encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("router answers");
    let header_value = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, encoding, caching) = (
        response.status(),
        header_value(header::CONTENT_ENCODING),
        header_value(header::CACHE_CONTROL),
    );
    let body = axum::body::to_bytes(response.into_body(), 1024 * 1024)
        .await
        .expect("body")
        .to_vec();
    (status, encoding, caching, body)
}

#[tokio::test]
async fn the_bundle_is_sent_precompressed_and_hashed_names_are_cached_for_a_year() {
    let db = TestDb::sqlite().await;
    let site = tempfile::tempdir().expect("temp dir");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg folder");
    let css = pkg.join("informatics-academy.0123456789abcdef.css");
    std::fs::write(&css, "body { color: #0b0c0c; }").expect("css");
    std::fs::write(
        pkg.join("informatics-academy.0123456789abcdef.css.br"),
        b"brotli bytes",
    )
    .expect("br");
    std::fs::write(
        pkg.join("informatics-academy.0123456789abcdef.css.gz"),
        b"gzip bytes",
    )
    .expect("gz");

    let mut state = state_for(&db.conn, &fixtures().join("valid")).await;
    state.leptos_options.site_root = site.path().to_string_lossy().as_ref().into();
    state.leptos_options.hash_files = true;
    let router = server::router::build_router(state.clone(), false);
    let path = "/pkg/informatics-academy.0123456789abcdef.css";

    let (status, encoding, caching, body) = fetch(&router, path, Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("br"), "the brotli copy is chosen");
    assert_eq!(body, b"brotli bytes");
    assert_eq!(
        caching.as_deref(),
        Some("public, max-age=31536000, immutable")
    );

    let (_, encoding, _, body) = fetch(&router, path, Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(body, b"gzip bytes");
    let (_, encoding, _, body) = fetch(&router, path, Some("br;q=0, gzip;q=0.5")).await;
    assert_eq!(
        encoding.as_deref(),
        Some("gzip"),
        "an encoding refused with q=0 is not sent"
    );
    assert_eq!(body, b"gzip bytes");
    let (_, encoding, _, _) = fetch(&router, path, Some("*")).await;
    assert_eq!(
        encoding.as_deref(),
        Some("br"),
        "any encoding: the smallest"
    );
    let (_, encoding, _, _) = fetch(&router, path, Some("gzip;q=1, br;q=0.5")).await;
    assert_eq!(
        encoding.as_deref(),
        Some("gzip"),
        "the browser's preference wins"
    );
    let (_, encoding, _, _) = fetch(&router, path, Some("br;q=abc, gzip")).await;
    assert_eq!(
        encoding.as_deref(),
        Some("gzip"),
        "an entry with a malformed weight is ignored"
    );

    // Asked again, the same bytes come back (from memory now), with the file's media type.
    let response = router
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::ACCEPT_ENCODING, "br")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("router answers");
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
        Some(&b"text/css; charset=utf-8"[..])
    );
    assert_eq!(
        response.headers().get(header::VARY).map(|v| v.as_bytes()),
        Some(&b"accept-encoding"[..]),
        "caches keep one copy per encoding"
    );
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .expect("body");
    assert_eq!(&body[..], b"brotli bytes");

    // A copy rewritten since the server started (a build under a running server), or gone, is passed over
    // for the next one the browser accepts; never sent half-written.
    let br = pkg.join("informatics-academy.0123456789abcdef.css.br");
    let fresh = server::router::build_router(state.clone(), false);
    std::fs::write(&br, b"half").expect("rewrite br");
    let (status, encoding, _, body) = fetch(&fresh, path, Some("br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        encoding, None,
        "a copy whose length changed since start-up is not sent"
    );
    assert_eq!(body, b"body { color: #0b0c0c; }");
    let fresh = server::router::build_router(state.clone(), false);
    std::fs::remove_file(&br).expect("remove br");
    let (status, encoding, _, body) = fetch(&fresh, path, Some("br")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the plain copy instead of the missing one"
    );
    assert_eq!(encoding, None);
    assert_eq!(body, b"body { color: #0b0c0c; }");
    std::fs::write(pkg.join("late.css"), "late").expect("late file");

    // A file written after the server started is not served (a hashed build's files are listed at start),
    // and no name reaches outside the folder.
    for outside in [
        "/pkg/late.css",
        "/pkg/..%2f..%2fCargo.toml",
        "/pkg/%2e%2e",
        "/pkg/informatics-academy.0123456789abcdef.css.br/x",
    ] {
        let (status, _, _, _) = fetch(&router, outside, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outside}");
    }

    let (_, encoding, _, body) = fetch(&router, path, None).await;
    assert_eq!(
        encoding, None,
        "a client that accepts no encoding gets the file itself"
    );
    assert_eq!(body, b"body { color: #0b0c0c; }");

    let (status, _, caching, _) = fetch(&router, "/pkg/informatics-academy.ffff.css", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(
        caching.as_deref(),
        Some("public, max-age=31536000, immutable"),
        "a missing file must not be cached for a year"
    );

    // Built without hashed names (a development build), the same files are checked before each use.
    state.leptos_options.hash_files = false;
    let router = server::router::build_router(state, false);
    let (status, _, caching, _) = fetch(&router, path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(caching.as_deref(), Some("public, no-cache"));
}

#[tokio::test]
async fn a_lesson_page_carries_its_text_once() {
    let db = TestDb::sqlite().await;
    let router =
        server::router::build_router(state_for(&db.conn, &fixtures().join("valid")).await, false);
    let mut browser = Browser::new(router);
    browser
        .register_verified(&db.conn, "ada@example.org", "Ada", "a long passphrase here")
        .await;
    let page = browser.open_lesson("alpha", "first").await;
    assert_eq!(page.status, StatusCode::OK);
    // Written in the lesson's Markdown as "a potential source of harm".
    let sentence = "a potential source of harm";
    assert_eq!(
        page.body.matches(sentence).count(),
        1,
        "the lesson text is in the markup and not copied into the hydration data"
    );

    // Nothing of the bundle is fetched before the page has painted: no preload in the head, and the script
    // that loads it waits for the page's `load` event, at most three seconds (the page works without it
    // meanwhile).
    assert!(!page.body.contains("rel=\"preload\""), "{}", page.body);
    assert!(
        !page.body.contains("rel=\"modulepreload\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("addEventListener(\"load\", start)"),
        "{}",
        page.body
    );

    // A browser navigating to the lesson (the server function, not a page) gets the text in full.
    let data = browser
        .post_json_form("/api/lesson", &[("module", "alpha"), ("lesson", "first")])
        .await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(data.body.contains(sentence), "{}", data.body);
}
