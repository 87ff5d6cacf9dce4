//! Start-up: connect, migrate, load content, publish it, and fail fast with a message that says what to fix.

use app::ssr::content::{LoadReport, PublishedModules, ReviewPolicy};
use app::ssr::db;
use app::ssr::services::catalogue::SyncOutcome;
use app::ssr::services::content_folder::{FolderPublished, publish_folder};
use app::ssr::services::single_sign_on::discovery::ProviderDirectory;
use app::ssr::services::xapi::XapiSettings;
use app::ssr::state::AppState;
use leptos::config::LeptosOptions;
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
    #[error(transparent)]
    LtiToolKey(#[from] app::ssr::services::lti::tool_keys::ToolKeyError),
    #[error("cannot build the HTTP client for identity providers: {0}")]
    IdentityProviders(reqwest::Error),
    #[error("PUBLIC_URL `{url}` is not a URL: {source}")]
    PublicUrl {
        url: String,
        source: url::ParseError,
    },
}

/// Logs every problem in the content, and what is due for review; broken modules are skipped, the rest
/// are served. Modules that did not change since they were published count from what was published.
fn log_content(report: &LoadReport, published: &PublishedModules, policy: ReviewPolicy) {
    for error in &report.errors {
        tracing::error!("content: {error}");
    }
    if let Some(reason) = &report.checked_everything_because {
        tracing::info!(%reason, "checked every module again");
    }
    tracing::info!(
        changed = report.library.modules.len(),
        unchanged = report.unchanged.len(),
        "content loaded; unchanged modules were not rendered again"
    );
    let today = chrono::Utc::now().date_naive();
    let due = app::ssr::content::review_warnings(&report.library, today, policy);
    let due_unchanged =
        published.due_for_review(report.unchanged.iter().map(|(slug, _)| slug), today, policy);
    if !due.is_empty() || due_unchanged > 0 {
        tracing::warn!(
            lessons_and_frameworks = due.len() + due_unchanged,
            first = %due.first().map_or_else(|| "a lesson of an unchanged module".to_owned(), ToString::to_string),
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
}

/// Connects, migrates, loads and publishes content, and returns the state the router serves.
pub async fn prepare(
    config: &Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, StartupError> {
    tracing::info!(database = %db::redact_url(&config.database_url), "connecting");
    let connection = db::connect_with(&config.database_url, config.sqlite_synchronous).await?;
    db::migrate(&connection).await?;
    let FolderPublished {
        report,
        outcomes,
        published,
    } = publish_folder(&connection, &config.content_dir)
        .await
        .map_err(StartupError::Publish)?;
    log_content(&report, &published, config.review_policy());
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
    let tool_key =
        app::ssr::services::lti::tool_keys::load_or_create(&connection, &config.key_dir).await?;
    tracing::info!(kid = %tool_key.kid, "LTI tool key published");
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
        identity_providers: Arc::new(
            ProviderDirectory::new().map_err(StartupError::IdentityProviders)?,
        ),
        lti_platform_keys: Arc::new(
            app::ssr::services::lti::platform_keys::PlatformKeys::new()
                .map_err(StartupError::IdentityProviders)?,
        ),
        lti_tool_key: Arc::new(tool_key),
        lti_services: Arc::new(
            app::ssr::services::lti::service_access::ServiceAccess::new(
                config.public_url.starts_with("https://"),
            )
            .map_err(StartupError::IdentityProviders)?,
        ),
        leptos_options,
    })
}
