//! Start-up: connect, migrate, load content, publish it, and fail fast with a message that says what to fix.

use app::ssr::content::{LoadReport, load_library};
use app::ssr::db;
use app::ssr::services::catalogue::{SyncOutcome, sync_library};
use app::ssr::services::xapi::XapiSettings;
use app::ssr::state::AppState;
use leptos::config::LeptosOptions;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::config::Config;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error("cannot publish content to the database: {0}")]
    Publish(app::error::AppError),
    #[error(transparent)]
    Issuer(#[from] app::ssr::records::RecordError),
    #[error("cannot read or create this site's identity in the database: {0}")]
    SiteIdentity(app::error::AppError),
    #[error("cannot set up email: {0}")]
    Mail(#[from] app::ssr::mail::MailError),
    #[error("PUBLIC_URL `{url}` is not a URL: {source}")]
    PublicUrl {
        url: String,
        source: url::ParseError,
    },
}

/// The module folders present under `content/modules`, including ones that failed to load.
fn module_folders(content_dir: &Path) -> HashSet<String> {
    std::fs::read_dir(content_dir.join("modules"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Loads content and logs every problem, and what is due for review; broken modules are skipped, the rest
/// are served.
pub fn load_content(content_dir: &Path, policy: app::ssr::content::ReviewPolicy) -> LoadReport {
    let report = load_library(content_dir);
    for error in &report.errors {
        tracing::error!("content: {error}");
    }
    let today = chrono::Utc::now().date_naive();
    let due = app::ssr::content::review_warnings(&report.library, today, policy);
    if !due.is_empty() {
        tracing::warn!(
            lessons_and_frameworks = due.len(),
            first = %due[0],
            "content is due for review; `server check` lists each, and the authoring page lists them for \
             each module's owner"
        );
    }
    if !report.errors.is_empty() {
        tracing::error!(
            problems = report.errors.len(),
            "some content did not load; run `server check` for the full list. Every other module is served."
        );
    }
    report
}

/// Connects, migrates, loads and publishes content, and returns the state the router serves.
pub async fn prepare(
    config: &Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, StartupError> {
    tracing::info!(database = %db::redact_url(&config.database_url), "connecting");
    let connection = db::connect_with(&config.database_url, config.sqlite_synchronous).await?;
    db::migrate(&connection).await?;
    let report = load_content(&config.content_dir, config.review_policy());
    let present = module_folders(&config.content_dir);
    let outcomes = sync_library(&connection, &report.library, &present)
        .await
        .map_err(StartupError::Publish)?;
    for (slug, outcome) in outcomes {
        match outcome {
            SyncOutcome::Created { version } => {
                tracing::info!(module = %slug, version, "published new module")
            }
            SyncOutcome::Updated { version } => {
                tracing::info!(module = %slug, version, "published new version")
            }
            SyncOutcome::Unchanged { version } => {
                tracing::debug!(module = %slug, version, "unchanged")
            }
            SyncOutcome::KeptBrowserVersion { version } => tracing::warn!(
                module = %slug,
                version,
                "content/modules/{slug} differs from version {version}, which was published in the browser; \
                 the browser's version stays. To publish the folder, import it as a zip on the module's \
                 authoring page (you will see what changes), or export the browser's version into content/"
            ),
        }
    }
    let issuer = app::ssr::records::issuer::load_issuer(
        &connection,
        &config.key_dir,
        config.site_address(),
        &config.issuer_name,
    )
    .await?;
    tracing::info!(kid = %issuer.kid, "record signing key ready");
    let mailer = config.mailer()?;
    tracing::info!(to = %mailer.describe(), "email ready");
    let statement_namespace = app::ssr::services::site::statement_namespace(&connection)
        .await
        .map_err(StartupError::SiteIdentity)?;
    Ok(AppState {
        writes: app::ssr::group_commit::Writes::for_database(&connection),
        review: config.review_policy(),
        db: connection,
        frameworks: report.library.frameworks.into(),
        pathways: report.library.pathways.into(),
        issuer: Arc::new(issuer),
        xapi: Arc::new(XapiSettings {
            base_url: config.site_address().to_owned(),
            actor: config.xapi_actor,
            forward: config.lrs_endpoint.is_some(),
            statement_namespace,
        }),
        public_url: url::Url::parse(&config.public_url).map_err(|source| {
            StartupError::PublicUrl {
                url: config.public_url.clone(),
                source,
            }
        })?,
        sessions: config.session_policy(),
        limits: Arc::new(app::ssr::limits::Limits::new(config.limit_settings())),
        mailer: Arc::new(mailer),
        leptos_options,
    })
}
