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
    /// The curriculum folder (holding `frameworks/` and `modules/`).
    #[arg(long = "content", env = "CONTENT_DIR", default_value = "content")]
    pub content_dir: PathBuf,
    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// The folder of built browser assets (`pkg/`), written by cargo-leptos.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Mark the session cookie `Secure`. On automatically when `PUBLIC_URL` is https; set it when serving
    /// https some other way. Off otherwise, so plain http on localhost works.
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// The site's public address, used in record ids, verification links and QR codes.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,
    /// Where this instance keeps its record-signing key (created on first start, mode 0600). Keep it out of
    /// backups of the database; publishing is automatic (the public key goes into the database).
    #[arg(long, env = "KEY_DIR", default_value = "data/keys")]
    pub key_dir: PathBuf,
    /// How learners are named in xAPI statements: `account` (an opaque id on this site, the default) or
    /// `mbox` (their email address).
    #[arg(long, env = "XAPI_ACTOR", default_value = "account", value_parser = ["account", "mbox"])]
    pub xapi_actor: String,
    /// An external learning record store to forward statements to (its xAPI endpoint). Unset: statements
    /// are only stored and exported.
    #[arg(long, env = "LRS_ENDPOINT")]
    pub lrs_endpoint: Option<String>,
    #[arg(long, env = "LRS_USERNAME", default_value = "")]
    pub lrs_username: String,
    /// Read from the environment so it never appears in shell history or `ps`.
    #[arg(long, env = "LRS_PASSWORD", default_value = "", hide_env_values = true)]
    pub lrs_password: String,
    /// The issuing organisation's name on records.
    #[arg(long, env = "ISSUER_NAME", default_value = "Informatics Academy")]
    pub issuer_name: String,
}
