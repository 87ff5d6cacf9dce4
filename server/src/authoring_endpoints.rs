//! Authoring downloads and uploads that are files rather than pages: a module as a zip in the `content/`
//! folder format (published version or draft), and importing such a zip as a draft. Owners and admins only.

use app::error::AppError;
use app::ssr::services::authoring::{self, ExportSource};
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::current_account::CurrentAccount;

/// The largest upload accepted: the archive limits (8 MiB unpacked) apply after this.
const MAX_UPLOAD_BYTES: usize = crate::router::MAX_REQUEST_BYTES;

fn zip_download(name: String, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<i32>,
}

async fn export_published(
    State(state): State<AppState>,
    CurrentAccount(account): CurrentAccount,
    Path(module): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let source = ExportSource::Version(query.version);
    let (name, bytes) = authoring::export(&state.db, &account, &module, source).await?;
    Ok(zip_download(name, bytes))
}

async fn export_draft(
    State(state): State<AppState>,
    CurrentAccount(account): CurrentAccount,
    Path(module): Path<String>,
) -> Result<Response, AppError> {
    let (name, bytes) =
        authoring::export(&state.db, &account, &module, ExportSource::Draft).await?;
    Ok(zip_download(name, bytes))
}

/// Takes the `archive` field of a multipart form; sends the browser to the new draft, or back to the
/// authoring page with the reason (no JavaScript needed either way).
async fn import(
    State(state): State<AppState>,
    account: Option<CurrentAccount>,
    mut form: Multipart,
) -> Response {
    let Some(CurrentAccount(account)) = account else {
        return Redirect::to("/sign-in?next=/author").into_response();
    };
    let result = async {
        let mut archive = None;
        while let Some(field) = form.next_field().await.map_err(|e| {
            AppError::invalid("archive", format!("the upload could not be read ({e})"))
        })? {
            if field.name() == Some("archive") {
                let bytes = field.bytes().await.map_err(|e| {
                    AppError::invalid("archive", format!("the upload could not be read ({e})"))
                })?;
                archive = Some(bytes);
            }
        }
        let archive = archive
            .filter(|bytes| !bytes.is_empty())
            .ok_or_else(|| AppError::invalid("archive", "Choose a zip file to import."))?;
        authoring::import(&state.db, &account, &archive).await
    }
    .await;
    match result {
        Ok(slug) => Redirect::to(&format!("/author/{slug}")).into_response(),
        Err(error) => {
            let message = error
                .field_message("archive")
                .unwrap_or_else(|| error.to_string());
            let query: String = url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
            Redirect::to(&format!("/author?import_error={query}#import")).into_response()
        }
    }
}

/// The routes, merged into the main router (inside the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/author/{module}/export.zip", get(export_published))
        .route("/author/{module}/draft.zip", get(export_draft))
        .route(
            "/author/import",
            post(import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
}
