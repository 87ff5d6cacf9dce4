//! The `server` command: serve the site (default), check content, or create an admin.

use anyhow::Context;
use app::ssr::services::accounts;
use app::ssr::services::lrs::LrsConfig;
use app::ssr::services::lti::platforms as lti_platforms;
use app::ssr::services::single_sign_on::flow;
use app::ssr::services::single_sign_on::providers::{self, ProviderSettings};
use clap::{Parser, Subcommand};
use leptos::config::LeptosOptions;
use server::config::Config;
use server::{router, startup};
use std::path::PathBuf;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "informatics-academy",
    version,
    about = "Informatics Academy: a course engine for clinical informatics leaders"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Validate all content without starting the server; prints `path:line:column: message` per problem.
    Check {
        /// The content folder to check (defaults to CONTENT_DIR or `content`).
        #[arg(long = "content")]
        content: Option<PathBuf>,
    },
    /// Verify a downloaded record offline: its VC-JWT signature against the issuer's published keys.
    Verify {
        /// The issuer's JWK Set (saved from /.well-known/jwks.json) or a single JWK.
        #[arg(long)]
        keys: PathBuf,
        /// The record file: the `.jwt` download.
        record: PathBuf,
    },
    /// Give an account a role: `learner`, `course-lead` or `admin` (recorded in the audit log).
    GrantRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["learner", "course-lead", "admin"])]
        role: String,
    },
    /// Register an organisation's OpenID Connect provider, offered on the sign-in page as "Sign in with
    /// <name>". The provider must list `<PUBLIC_URL>/sign-in/sso/<slug>/callback` as a redirect URI.
    AddIdentityProvider {
        /// Short name in the sign-in address: lower-case letters, digits, hyphens.
        #[arg(long)]
        slug: String,
        /// The organisation's name as its staff know it.
        #[arg(long)]
        name: String,
        /// The issuer; its discovery document is at `<issuer>/.well-known/openid-configuration`.
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        /// Read from the environment so it never appears in shell history or `ps`.
        #[arg(long, env = "OIDC_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
        /// The email domains the provider signs people in for, separated by commas.
        #[arg(long)]
        email_domains: String,
        /// A claim (such as `groups`) that makes someone a course lead when it holds --lead-claim-value.
        #[arg(long, requires = "lead_claim_value")]
        lead_claim: Option<String>,
        #[arg(long, requires = "lead_claim")]
        lead_claim_value: Option<String>,
        /// The organisation controls these domains: their addresses count as verified even without an
        /// `email_verified` claim (needed for Microsoft Entra ID, which sends none).
        #[arg(long)]
        trust_domain_addresses: bool,
        /// Refuse password sign-in for addresses in these domains: the organisation's sign-in only.
        #[arg(long)]
        passwords_off: bool,
    },
    /// Register a VLE (Moodle, Canvas, Blackboard, Brightspace) that launches the academy as an LTI 1.3 tool,
    /// with the details its administrator gives. Prints the tool's addresses to give them in return.
    AddLtiPlatform {
        /// The VLE's name, as course leads know it.
        #[arg(long)]
        name: String,
        /// The platform's issuer (`iss`).
        #[arg(long)]
        issuer: String,
        /// The client id the VLE gave the academy.
        #[arg(long)]
        client_id: String,
        /// The deployment ids allowed to launch, separated by commas.
        #[arg(long)]
        deployment_ids: String,
        /// The platform's OpenID Connect authentication request URL.
        #[arg(long)]
        auth_login_url: String,
        /// The platform's OAuth 2 access token URL.
        #[arg(long)]
        token_url: String,
        /// The platform's public keyset URL.
        #[arg(long)]
        jwks_url: String,
    },
    /// Start signing new records with a fresh key; old keys stay published so earlier records still verify.
    RotateKey,
    /// Create a new admin account, its address taken as verified. An address that already has an account is
    /// refused unless --promote-existing (then that account becomes an admin and keeps its own password).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from the environment so it never appears in shell history or `ps`.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// Make the existing account with this address an admin instead (its holder must have verified it).
        #[arg(long)]
        promote_existing: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(cli.config)),
        Command::Check { content } => Ok(check(
            &content.unwrap_or_else(|| cli.config.content_dir.clone()),
            cli.config.review_policy(),
        )),
        Command::Verify { keys, record } => verify(&keys, &record),
        Command::RotateKey => runtime.block_on(rotate_key(cli.config)),
        Command::AddLtiPlatform {
            name,
            issuer,
            client_id,
            deployment_ids,
            auth_login_url,
            token_url,
            jwks_url,
        } => runtime.block_on(add_lti_platform(
            cli.config,
            lti_platforms::PlatformSettings {
                name,
                issuer,
                client_id,
                deployment_ids,
                auth_login_url,
                token_url,
                jwks_url,
            },
        )),
        Command::AddIdentityProvider {
            slug,
            name,
            issuer,
            client_id,
            client_secret,
            email_domains,
            lead_claim,
            lead_claim_value,
            trust_domain_addresses,
            passwords_off,
        } => runtime.block_on(add_identity_provider(
            cli.config,
            ProviderSettings {
                slug,
                display_name: name,
                issuer,
                client_id,
                client_secret,
                email_domains,
                lead_claim,
                lead_claim_value,
                trusts_domain_addresses: trust_domain_addresses,
                passwords_off,
            },
        )),
        Command::GrantRole { email, role } => runtime.block_on(grant_role(cli.config, email, role)),
        Command::CreateAdmin {
            email,
            name,
            password,
            promote_existing,
        } => runtime.block_on(create_admin(
            cli.config,
            email,
            name,
            password,
            promote_existing,
        )),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Errors fail the check; warnings (content due for review) are printed after them and do not.
fn check(content: &std::path::Path, policy: app::ssr::content::ReviewPolicy) -> ExitCode {
    let report = app::ssr::content::load_library(content);
    for error in &report.errors {
        println!("{error}");
    }
    let today = chrono::Utc::now().date_naive();
    let warnings = app::ssr::content::review_warnings(&report.library, today, policy);
    for warning in &warnings {
        println!(
            "{}:{}:{}: warning: {}",
            warning.path.display(),
            warning.line,
            warning.column,
            warning.message
        );
    }
    let lessons: usize = report.library.modules.iter().map(|m| m.lessons.len()).sum();
    if report.errors.is_empty() {
        let due = match warnings.len() {
            0 => String::new(),
            n => format!("; {n} due for review (warnings above)"),
        };
        println!(
            "content OK: {} frameworks, {} modules, {lessons} lessons, {} pathways{due}",
            report.library.frameworks.len(),
            report.library.modules.len(),
            report.library.pathways.len()
        );
        ExitCode::SUCCESS
    } else {
        println!("{} problem(s) found", report.errors.len());
        ExitCode::FAILURE
    }
}

fn verify(keys: &std::path::Path, record: &std::path::Path) -> anyhow::Result<ExitCode> {
    use app::ssr::records::credential::AchievementCredential;
    use app::ssr::records::jwt;
    let keys_text =
        std::fs::read_to_string(keys).with_context(|| format!("cannot read {}", keys.display()))?;
    let keys = jwt::parse_keys(&keys_text)
        .with_context(|| format!("{} is not a JWK Set or JWK", keys.display()))?;
    let token = std::fs::read_to_string(record)
        .with_context(|| format!("cannot read {}", record.display()))?;
    let token = token.trim();
    if token.starts_with('{') {
        anyhow::bail!(
            "{} is the JSON credential, which carries no signature of its own: verify the .jwt download offline, \
             or send the JSON to the issuer's /verify endpoint",
            record.display()
        );
    }
    match jwt::verify(token, &keys) {
        Ok(payload) => {
            let credential = match serde_json::from_value::<AchievementCredential>(payload) {
                Ok(credential) => credential,
                Err(e) => {
                    println!(
                        "VALID signature, but the signed contents are not a completion record: {e}"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            };
            let achievement = &credential.credential_subject.achievement;
            println!("VALID signature: issued by {}", credential.issuer.name);
            println!("  record:   {}", credential.id);
            match &achievement.version {
                Some(version) => println!("  module:   {} (version {version})", achievement.name),
                None => println!("  pathway:  {}", achievement.name),
            }
            println!("  issued:   {}", credential.valid_from);
            println!(
                "  revocation is checked online: {}",
                credential.credential_status.status_list_credential
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("INVALID: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn grant_role(config: Config, email: String, role: String) -> anyhow::Result<ExitCode> {
    let db = app::ssr::db::connect(&config.database_url).await?;
    app::ssr::db::migrate(&db).await?;
    let role = app::api::accounts::Role::from_name(&role).ok_or_else(|| {
        anyhow::anyhow!("`{role}` is not a role: use learner, course-lead or admin")
    })?;
    let account = accounts::grant_role(&db, None, &email, role)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    println!("{} is now {}", account.email, role.as_str());
    Ok(ExitCode::SUCCESS)
}

async fn add_identity_provider(
    config: Config,
    settings: ProviderSettings,
) -> anyhow::Result<ExitCode> {
    let db = app::ssr::db::connect(&config.database_url).await?;
    app::ssr::db::migrate(&db).await?;
    match providers::register(&db, None, &settings).await {
        Ok(provider) => {
            let callback =
                flow::callback_url(&url::Url::parse(&config.public_url)?, &provider.slug)?;
            println!(
                "{} can now sign people in at /sign-in/sso/{}; register {callback} as its redirect URI",
                provider.display_name, provider.slug
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(app::error::AppError::Invalid { errors, .. }) => {
            for error in errors {
                let flag = match error.field.as_str() {
                    "display_name" => "name".to_owned(),
                    field => field.replace('_', "-"),
                };
                eprintln!("--{flag}: {}", error.message);
            }
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(anyhow::anyhow!(other)),
    }
}

async fn add_lti_platform(
    config: Config,
    settings: lti_platforms::PlatformSettings,
) -> anyhow::Result<ExitCode> {
    let db = app::ssr::db::connect(&config.database_url).await?;
    app::ssr::db::migrate(&db).await?;
    match lti_platforms::register(&db, None, &settings).await {
        Ok(platform) => {
            let tool = lti_platforms::tool_addresses(&url::Url::parse(&config.public_url)?);
            println!(
                "{} can now launch the academy. In the VLE, set the tool's login initiation URL to {} and its \
                 redirect URI to {}; its tool URL (target link URI) is the academy page to open, such as a module's. \
                 For teachers to add academy content to their courses, turn on Deep Linking with the content \
                 selection URL {}",
                platform.name, tool.login_initiation_url, tool.launch_url, tool.deep_linking_url
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(app::error::AppError::Invalid { errors, .. }) => {
            for error in errors {
                eprintln!("--{}: {}", error.field.replace('_', "-"), error.message);
            }
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(anyhow::anyhow!(other)),
    }
}

async fn rotate_key(config: Config) -> anyhow::Result<ExitCode> {
    let kid = app::ssr::records::issuer::generate_key(&config.key_dir)?;
    let db = app::ssr::db::connect(&config.database_url).await?;
    app::ssr::db::migrate(&db).await?;
    let issuer = app::ssr::records::issuer::load_issuer(
        &db,
        &config.key_dir,
        config.site_address(),
        &config.issuer_name,
    )
    .await?;
    println!(
        "new signing key {kid} is published (active: {}); earlier keys stay published",
        issuer.kid
    );
    Ok(ExitCode::SUCCESS)
}

/// Leptos's settings as `scripts/build` built the site (the output name is set for every cargo command in
/// `.cargo/config.toml`), with this instance's folder and address, and hashed asset names when the build
/// left a hash file beside the binary.
fn leptos_options(config: &Config) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)?.leptos_options;
    options.site_root = config.site_root.as_str().into();
    options.site_addr = config.bind;
    app::ssr::assets::detect_hashed_names(&mut options);
    Ok(options)
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let state = startup::prepare(&config, leptos_options(&config)?).await?;
    let sessions = app::ssr::session_store::DbSessionStore::new(state.db.clone(), state.sessions);
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut every_ten_minutes = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every_ten_minutes.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
            limits.forget_recovered();
        }
    });
    // Behind https (directly or via a proxy) the session cookie must be Secure.
    let secure_cookies = config.secure_cookies();
    if let Some(endpoint) = &config.lrs_endpoint {
        let lrs = LrsConfig {
            endpoint: endpoint.clone(),
            username: config.lrs_username.clone(),
            password: config.lrs_password.clone(),
            batch: 100,
            timeout: std::time::Duration::from_secs(config.lrs_timeout_seconds),
        };
        tokio::spawn(forward_statements(state.db.clone(), lrs));
    }
    tokio::spawn(deliver_mail(state.db.clone(), state.mailer.clone()));
    tokio::spawn(send_scores(
        state.db.clone(),
        state.lti_tool_key.clone(),
        state.public_url.scheme() == "https",
    ));
    if let Some(days) = config.retention_days {
        tracing::info!(
            days,
            "statements and attempts older than the retention limit are deleted"
        );
        tokio::spawn(apply_retention(state.db.clone(), days));
    }
    let router = router::build_router(state, secure_cookies);
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    tracing::info!("serving on http://{}", config.bind);
    let limits = server::serve::ConnectionLimits {
        header_read: std::time::Duration::from_secs(config.header_read_timeout_seconds),
        ..server::serve::ConnectionLimits::default()
    };
    server::serve::serve(listener, router, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(ExitCode::SUCCESS)
}

/// Forwards queued statements to the LRS: drains the due ones, then waits a few seconds; failures back off
/// per statement (see `lrs::backoff`), so an outage costs one request per round, not a storm.
async fn forward_statements(db: sea_orm::DatabaseConnection, lrs: LrsConfig) {
    let client = match reqwest::Client::builder().build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the HTTP client for the LRS; statements stay queued");
            return;
        }
    };
    loop {
        match app::ssr::services::lrs::forward_due(&db, &client, &lrs).await {
            Ok(report) if report.sent + report.parked > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "forwarding round failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// Sends queued scores to VLE gradebooks: drains the due ones, then waits a few seconds; failures back off
/// per score (see `lrs::backoff`).
async fn send_scores(
    db: sea_orm::DatabaseConnection,
    tool_key: std::sync::Arc<app::ssr::services::lti::tool_keys::ToolKey>,
    public_only: bool,
) {
    let sender = match app::ssr::services::lti::grades::GradeSender::new(public_only) {
        Ok(sender) => sender,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the HTTP client for VLE gradebooks; scores stay queued");
            return;
        }
    };
    loop {
        match sender.send_due(&db, &tool_key, 50).await {
            Ok(report) if report.sent + report.parked > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "a round of sending scores to VLEs failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// Applies the retention limit hourly, a batch at a time, with a pause between batches so learners' requests
/// are never held up behind it.
async fn apply_retention(db: sea_orm::DatabaseConnection, days: u32) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        loop {
            match app::ssr::services::personal_data::apply_retention(&db, days).await {
                Ok(report) if report.statements_deleted + report.attempts_deleted > 0 => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the retention job could not run; it tries again in an hour");
                    break;
                }
            }
        }
    }
}

/// Delivers queued emails: straight away when a request queues one (nudged), otherwise every few seconds
/// for retries; failures back off per message (see `mail_outbox`).
async fn deliver_mail(
    db: sea_orm::DatabaseConnection,
    mailer: std::sync::Arc<app::ssr::mail::Mailer>,
) {
    loop {
        match app::ssr::services::mail_outbox::deliver_due(&db, &mailer).await {
            Ok(report) if report.sent > 0 && report.failed == 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "email delivery round failed"),
        }
        mailer
            .wait_for_work(std::time::Duration::from_secs(5))
            .await;
    }
}

async fn create_admin(
    config: Config,
    email: String,
    name: String,
    password: String,
    promote_existing: bool,
) -> anyhow::Result<ExitCode> {
    let db = app::ssr::db::connect(&config.database_url).await?;
    app::ssr::db::migrate(&db).await?;
    let input = accounts::Registration {
        email,
        display_name: name,
        password,
    };
    let account = accounts::create_admin(&db, input, promote_existing)
        .await
        .map_err(|e| {
            let field = ["email", "display_name", "password"]
                .iter()
                .find_map(|f| e.field_message(f));
            anyhow::anyhow!(field.unwrap_or_else(|| e.to_string()))
        })?;
    if promote_existing {
        println!(
            "{} is now an admin; it keeps its own password (the one given was not used)",
            account.email
        );
    } else {
        println!("{} is now an admin", account.email);
    }
    Ok(ExitCode::SUCCESS)
}
