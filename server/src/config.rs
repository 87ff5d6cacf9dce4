//! Configuration from the environment, with defaults that run on a fresh machine with no set-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use app::ssr::db::DEFAULT_DATABASE_URL;

/// Everything the server needs to start. Every field has a working default.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database URL: `sqlite://path?mode=rwc` (default, created on first start) or `postgres://...` for
    /// several instances sharing one database.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// SQLite only: `full` (the default) flushes every commit to disk before answering, so an acknowledged
    /// completion survives a power cut; `normal` flushes at checkpoints only, faster, but a power cut or
    /// host crash can lose the last commits (a killed process loses nothing either way).
    #[arg(long, env = "SQLITE_SYNCHRONOUS", default_value = "full")]
    pub sqlite_synchronous: app::ssr::db::SqliteDurability,
    /// The curriculum folder (holding `frameworks/` and `modules/`).
    #[arg(long = "content", env = "CONTENT_DIR", default_value = "content")]
    pub content_dir: PathBuf,
    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// The folder of built browser assets (`pkg/`), written by `scripts/build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Mark the session cookie `Secure`. On automatically when `PUBLIC_URL` is https; set it when serving
    /// https some other way. Off otherwise, so plain http on localhost works.
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// The site's public address, used in record ids, verification links and QR codes.
    /// Kept as written (links and statement ids are built from it and must not change with an upgrade), and
    /// checked to be an absolute URL when the server starts.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000", value_parser = absolute_url)]
    pub public_url: String,
    /// Where this instance keeps its record-signing key (created on first start, mode 0600). Keep it out of
    /// backups of the database; publishing is automatic (the public key goes into the database).
    #[arg(long, env = "KEY_DIR", default_value = "data/keys")]
    pub key_dir: PathBuf,
    /// How learners are named in xAPI statements: `account` (an opaque id on this site, the default) or
    /// `mbox` (their email address).
    #[arg(long, env = "XAPI_ACTOR", default_value = "account")]
    pub xapi_actor: app::ssr::services::xapi::ActorIdentity,
    /// An external learning record store to forward statements to (its xAPI endpoint). Unset: statements
    /// are only stored and exported.
    #[arg(long, env = "LRS_ENDPOINT")]
    pub lrs_endpoint: Option<String>,
    #[arg(long, env = "LRS_USERNAME", default_value = "")]
    pub lrs_username: String,
    /// Read from the environment so it never appears in shell history or `ps`.
    #[arg(long, env = "LRS_PASSWORD", default_value = "", hide_env_values = true)]
    pub lrs_password: String,
    /// Seconds one request to the LRS may take before it is retried later.
    #[arg(long, env = "LRS_TIMEOUT_SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub lrs_timeout_seconds: u64,
    /// Minutes without a request after which a sign-in ends. Hospital PCs are shared: keep it short.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub session_idle_minutes: u32,
    /// Hours after signing in when a sign-in ends however busy it is.
    #[arg(long, env = "SESSION_LIFETIME_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_lifetime_hours: u32,
    /// Requests per minute one client address may make to sign-in, registration, password reset, email
    /// verification and record verification. Generous: a whole hospital may share one address.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_minute: u32,
    /// The mail server for verification and password-reset emails: `smtps://user:password@host:465`
    /// (TLS), `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtp://host:25` (a relay on a
    /// trusted network, unencrypted). Unset: emails are written as `.eml` files in `MAIL_DIR` and their
    /// links logged.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who emails come from.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Informatics Academy <academy@localhost>"
    )]
    pub mail_from: String,
    /// Where emails are written when no `SMTP_URL` is set.
    #[arg(long, env = "MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,
    /// Delete learning statements and quiz attempts older than this many days (a background job, in small
    /// batches). Unset: keep them. Completions and records are always kept.
    #[arg(long, env = "RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub retention_days: Option<u32>,
    /// Seconds a connection may take to send a request's headers, and may stay idle between requests.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_read_timeout_seconds: u64,
    /// The issuing organisation's name on records.
    #[arg(long, env = "ISSUER_NAME", default_value = "Informatics Academy")]
    pub issuer_name: String,
    /// Days after a lesson's or framework's `checked` date when it is due for another check: `check` and
    /// start-up warn, and the authoring page lists it for the module's owner.
    #[arg(long, env = "CONTENT_REVIEW_AFTER_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub content_review_after_days: u32,
}

impl Config {
    /// How long a content check stays good.
    pub fn review_policy(&self) -> app::ssr::content::ReviewPolicy {
        app::ssr::content::ReviewPolicy {
            review_after_days: self.content_review_after_days,
        }
    }

    /// The sign-in timeouts as the session store and the auth checks use them.
    pub fn session_policy(&self) -> app::ssr::session_store::SessionPolicy {
        app::ssr::session_store::SessionPolicy {
            idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
            lifetime: chrono::Duration::hours(i64::from(self.session_lifetime_hours)),
        }
    }

    /// The mailer: SMTP when `SMTP_URL` is set, otherwise `.eml` files in `MAIL_DIR`.
    pub fn mailer(&self) -> Result<app::ssr::mail::Mailer, app::ssr::mail::MailError> {
        match &self.smtp_url {
            Some(url) => app::ssr::mail::Mailer::smtp(url, &self.mail_from),
            None => app::ssr::mail::Mailer::folder(&self.mail_dir, &self.mail_from),
        }
    }

    /// The rate limits this instance applies.
    pub fn limit_settings(&self) -> app::ssr::limits::LimitSettings {
        app::ssr::limits::LimitSettings {
            per_address_per_minute: self.rate_limit_per_minute,
            // Ten times as many for organisations' sign-in and VLE launches: a class arrives at once.
            launches_per_address_per_minute: self.rate_limit_per_minute.saturating_mul(10),
            ..app::ssr::limits::LimitSettings::default()
        }
    }

    /// The public address without a trailing slash, as links are built from it.
    pub fn site_address(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// Whether the site is served over https, so cookies are `Secure` (and `__Host-`) and HSTS is sent.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies || self.public_url.starts_with("https://")
    }
}

/// `PUBLIC_URL` must be an absolute http(s) URL; it is kept as written.
fn absolute_url(value: &str) -> Result<String, String> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(value.to_owned())
        }
        Ok(_) => Err(format!("`{value}` is not an http or https address")),
        Err(e) => Err(format!("`{value}` is not a URL ({e})")),
    }
}
