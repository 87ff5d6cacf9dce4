//! Machine-readable endpoints for completion records, for employers, registration bodies and their tools:
//! the issuer's keys and profile, the revocation list, credential downloads, verification, and exports.

use app::error::AppError;
use app::ssr::records::issuer::jwk_set;
use app::ssr::records::status_list::StatusList;
use app::ssr::services::records;
use app::ssr::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};

use crate::current_account::CurrentAccount;

fn download(body: String, content_type: &'static str, filename: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Marks a response that carries one person's or one cohort's data: never stored by a browser or proxy
/// cache (a shared ward PC must not keep a learner's export).
pub(crate) fn personal(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

async fn jwks(State(state): State<AppState>) -> Result<Response, AppError> {
    Ok(Json(jwk_set(&state.db).await?).into_response())
}

async fn issuer_profile(State(state): State<AppState>) -> Response {
    Json(state.issuer.profile()).into_response()
}

/// The module records' revocation list (the address every module record names).
async fn module_status_list(State(state): State<AppState>) -> Result<Response, AppError> {
    status_list(&state, StatusList::Modules).await
}

/// The pathway records' revocation list.
async fn pathway_status_list(State(state): State<AppState>) -> Result<Response, AppError> {
    status_list(&state, StatusList::Pathways).await
}

async fn status_list(state: &AppState, list: StatusList) -> Result<Response, AppError> {
    let (_, jwt) = records::status_list(&state.db, &state.issuer, list).await?;
    let mut response = jwt.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vc+jwt"),
    );
    Ok(response)
}

async fn credential_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = records::find_record(&state.db, &id).await?;
    Ok(download(
        record.credential,
        "application/vc+ld+json",
        format!("record-{}.json", record.id),
    ))
}

async fn credential_jwt(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = records::find_record(&state.db, &id).await?;
    Ok(download(
        record.jwt,
        "application/vc+jwt",
        format!("record-{}.jwt", record.id),
    ))
}

async fn verify_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = records::find_record(&state.db, &id).await?;
    let (verdict, id) = records::verify_presented(&state.db, &record.jwt).await?;
    Ok(Json(serde_json::json!({ "record": id, "verification": verdict })).into_response())
}

/// POST a downloaded record (the JSON or the JWT) as the request body to check it.
async fn verify_presented(
    State(state): State<AppState>,
    body: String,
) -> Result<Response, AppError> {
    let (verdict, id) = records::verify_presented(&state.db, &body).await?;
    Ok(Json(serde_json::json!({ "record": id, "verification": verdict })).into_response())
}

async fn portfolio_json(
    State(state): State<AppState>,
    CurrentAccount(learner): CurrentAccount,
) -> Result<Response, AppError> {
    let portfolio = records::portfolio(&state.db, &state.frameworks, &learner).await?;
    let body = serde_json::to_string_pretty(&portfolio)
        .map_err(|e| app::ssr::error::internal("portfolio json", e))?;
    Ok(personal(download(
        body,
        "application/json",
        "portfolio.json".to_owned(),
    )))
}

async fn portfolio_csv(
    State(state): State<AppState>,
    CurrentAccount(learner): CurrentAccount,
) -> Result<Response, AppError> {
    let portfolio = records::portfolio(&state.db, &state.frameworks, &learner).await?;
    Ok(personal(download(
        records::portfolio_csv(&portfolio)?,
        "text/csv; charset=utf-8",
        "portfolio.csv".to_owned(),
    )))
}

/// One table of a cohort's dashboard as CSV (`progress.csv`, `funnel.csv`, `overdue.csv`, `items.csv`,
/// `time-on-task.csv`); the cohort's lead and admins only.
async fn cohort_csv(
    State(state): State<AppState>,
    CurrentAccount(lead): CurrentAccount,
    Path((id, file)): Path<(i32, String)>,
) -> Result<Response, AppError> {
    use app::ssr::services::cohort_tables::{DashboardTable, table_csv};
    let table = DashboardTable::from_file_name(&file)
        .ok_or_else(|| AppError::NotFound(format!("The table “{file}”")))?;
    let dashboard = app::ssr::services::cohorts::dashboard(&state.db, &lead, id).await?;
    Ok(personal(download(
        table_csv(&dashboard, table)?,
        "text/csv; charset=utf-8",
        format!("cohort-{id}-{}", table.file_name()),
    )))
}

#[derive(serde::Deserialize)]
struct Range {
    since: Option<String>,
    until: Option<String>,
    /// The page position from the previous page's `more` link.
    after: Option<String>,
}

fn parse_day(
    value: Option<&str>,
    field: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(day) => chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(|d| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
            .map_err(|_| {
                AppError::invalid(field, format!("`{field}` must be a date like 2027-01-31"))
            }),
    }
}

/// xAPI statements for a date range (`since` inclusive, `until` exclusive, both `YYYY-MM-DD`), admins only,
/// in pages of `EXPORT_PAGE` linked by the StatementResult's `more`.
async fn xapi_export(
    State(state): State<AppState>,
    CurrentAccount(admin): CurrentAccount,
    Query(range): Query<Range>,
) -> Result<Response, AppError> {
    if admin.role != app::api::accounts::Role::Admin {
        return Err(AppError::Forbidden);
    }
    let since = parse_day(range.since.as_deref(), "since")?;
    let until = parse_day(range.until.as_deref(), "until")?;
    let (mut page, next) = app::ssr::services::xapi::export(
        &state.db,
        since,
        until,
        range.after.as_deref(),
        app::ssr::services::xapi::EXPORT_PAGE,
    )
    .await?;
    // The xAPI StatementResult's `more`: the same query, from the next page's position.
    if let Some(next) = next {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [("since", &range.since), ("until", &range.until)] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("after", &next);
        page["more"] = serde_json::Value::from(format!("/xapi/statements?{}", query.finish()));
    }
    Ok(personal(Json(page).into_response()))
}

/// The routes, to be merged into the main router (they need the session layer for the exports).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/issuer", get(issuer_profile))
        .route(StatusList::Modules.path(), get(module_status_list))
        .route(StatusList::Pathways.path(), get(pathway_status_list))
        .route("/records/{id}/credential.json", get(credential_json))
        .route("/records/{id}/credential.jwt", get(credential_jwt))
        .route("/records/{id}/verification", get(verify_by_id))
        .route("/verify", post(verify_presented))
        .route("/portfolio.json", get(portfolio_json))
        .route("/portfolio.csv", get(portfolio_csv))
        .route("/cohorts/{id}/{table}", get(cohort_csv))
        .route("/xapi/statements", get(xapi_export))
}
