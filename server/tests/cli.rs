//! The command line as an author or a verifier uses it: `check` on content, `verify` on a downloaded record.

use std::path::PathBuf;
use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_server"))
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

#[test]
fn check_passes_valid_content_and_exits_zero() {
    let output = server()
        .args(["check", "--content"])
        .arg(fixtures().join("valid"))
        .output()
        .expect("run server check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("content OK: 1 frameworks, 3 modules, 4 lessons"),
        "{stdout}"
    );
}

#[test]
fn check_prints_every_problem_with_its_position_and_exits_non_zero() {
    let root = fixtures().join("invalid/unknown-framework-code");
    let output = server()
        .args(["check", "--content"])
        .arg(&root)
        .output()
        .expect("run server check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[0].ends_with("modules/m/01-a.md:6:15: alignment `nope:1` names unknown framework `nope` (no content/frameworks/nope.toml)"), "{stdout}");
    assert_eq!(lines[3], "3 problem(s) found");
}

#[test]
fn verify_accepts_a_genuine_record_and_rejects_an_altered_one() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("cli.sqlite3").display()
    );
    let keys = dir.path().join("keys");
    // Issue a record through the real services, then save the JWK Set and the JWT as a verifier would.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (jwks, token) = runtime.block_on(async {
        let conn = app::ssr::db::connect(&db).await.expect("connect");
        app::ssr::db::migrate(&conn).await.expect("migrate");
        let report =
            app::ssr::services::content_folder::publish_folder(&conn, &fixtures().join("valid"))
                .await
                .expect("publish")
                .report;
        let issuer = app::ssr::records::issuer::load_issuer(
            &conn,
            &keys,
            "http://localhost",
            "Informatics Academy",
        )
        .await
        .expect("issuer");
        let learner = app::ssr::services::accounts::create_account(
            &conn,
            app::ssr::services::accounts::Registration {
                email: "cli@example.org".into(),
                display_name: "Dr Command Line".into(),
                password: "a terminal passphrase".into(),
            },
            app::api::accounts::Role::Learner,
            app::ssr::services::accounts::Verified::Yes,
        )
        .await
        .expect("learner");
        let statements = app::ssr::services::xapi::XapiSettings {
            base_url: "http://localhost".into(),
            actor: app::ssr::services::xapi::ActorIdentity::Account,
            forward: false,
            statement_namespace: app::ssr::services::site::statement_namespace(&conn)
                .await
                .expect("site"),
        };
        let events = app::ssr::services::learning::Context {
            issuer: std::sync::Arc::new(issuer.clone()),
            frameworks: report.library.frameworks.clone().into(),
            pathways: report.library.pathways.clone().into(),
            xapi: std::sync::Arc::new(statements.clone()),
        };
        app::ssr::services::learning::complete_lesson(&conn, events, learner.id, "beta", "only")
            .await
            .expect("complete");
        let beta = app::ssr::services::catalogue::find_module(&conn, "beta")
            .await
            .expect("beta");
        let id = app::ssr::services::completion::complete_if_due(
            &conn,
            &issuer,
            &report.library.frameworks,
            &report.library.pathways,
            learner.id,
            &beta,
        )
        .await
        .expect("complete")
        .expect("record");
        let record = app::ssr::services::records::find_record(&conn, &id)
            .await
            .expect("record");
        let jwks = app::ssr::records::issuer::jwk_set(&conn)
            .await
            .expect("jwks");
        (jwks.to_string(), record.jwt)
    });
    let jwks_path = dir.path().join("jwks.json");
    std::fs::write(&jwks_path, jwks).expect("save jwks");
    let genuine = dir.path().join("record.jwt");
    std::fs::write(&genuine, &token).expect("save record");

    let output = server()
        .arg("verify")
        .arg("--keys")
        .arg(&jwks_path)
        .arg(&genuine)
        .output()
        .expect("verify");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("VALID signature"), "{stdout}");
    assert!(stdout.contains("Beta module (version 1)"), "{stdout}");

    // Change one character of the payload: the signature no longer matches.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    let altered = dir.path().join("altered.jwt");
    std::fs::write(&altered, parts.join(".")).expect("save altered");
    let output = server()
        .arg("verify")
        .arg("--keys")
        .arg(&jwks_path)
        .arg(&altered)
        .output()
        .expect("verify");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("INVALID"), "{stdout}");
}
