//! Email leaves through a real SMTP server, and a mail server that is away loses nothing; on both
//! databases.
//!
//! The SMTP server is aiosmtpd, started by `scripts/test` (`TEST_SMTP_URL`, saving each message into the
//! maildir `TEST_MAILBOX`). Like PostgreSQL, it must be there: these tests fail, never skip, without it.

use academy_tests::on_both_databases;
use app::ssr::entities::mail_outbox;
use app::ssr::mail::Mailer;
use app::ssr::services::accounts::Registration;
use app::ssr::services::{email_links, mail_outbox as outbox};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::path::PathBuf;

const SITE: &str = "https://academy.example.nhs.uk";
const FROM: &str = "Informatics Academy <academy@localhost>";

fn smtp_server() -> (String, PathBuf) {
    match (
        std::env::var("TEST_SMTP_URL"),
        std::env::var("TEST_MAILBOX"),
    ) {
        (Ok(url), Ok(mailbox)) => (url, PathBuf::from(mailbox)),
        _ => panic!(
            "TEST_SMTP_URL and TEST_MAILBOX are not set: run the suite with scripts/test, which starts an SMTP \
             server (aiosmtpd) for it"
        ),
    }
}

/// Undoes quoted-printable encoding (soft line breaks and `=XX` escapes), as a mail client does.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of the message the SMTP server saved for `to`, decoded.
fn received(mailbox: &std::path::Path, to: &str) -> Option<String> {
    std::fs::read_dir(mailbox.join("new"))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .find(|text| {
            text.lines()
                .any(|line| line.starts_with("To:") && line.contains(to))
        })
        .map(|text| quoted_printable(&text))
}

async fn a_verification_email_reaches_the_smtp_server_and_its_link_works(db: &DatabaseConnection) {
    let (url, mailbox) = smtp_server();
    let mailer = Mailer::smtp(&url, FROM).expect("SMTP mailer");
    let to = format!("smtp-{}@example.org", uuid::Uuid::new_v4().simple());
    email_links::register(
        db,
        SITE,
        Registration {
            email: to.clone(),
            display_name: "Dr Post".into(),
            password: "a long enough passphrase".into(),
        },
    )
    .await
    .expect("register");
    let report = outbox::deliver_due(db, &mailer).await.expect("deliver");
    assert_eq!((report.sent, report.failed), (1, 0));
    assert_eq!(
        mail_outbox::Entity::find().count(db).await.expect("count"),
        0,
        "a sent message leaves the outbox (its link must not linger)"
    );
    let message = received(&mailbox, &to).expect("the SMTP server received the message");
    assert!(
        message.contains("Subject: Verify your email address"),
        "{message}"
    );
    let token = message
        .split("/verify-email?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a verification link in the message");
    let issuer = academy_tests::test_issuer(db).await;
    let verified = email_links::verify_email(db, &issuer, &[], &[], token)
        .await
        .expect("the emailed link verifies the address");
    assert!(verified.email_verified_at.is_some());
}

async fn a_mail_server_that_is_away_keeps_the_message_for_later(db: &DatabaseConnection) {
    let away = Mailer::smtp("smtp://127.0.0.1:9", FROM).expect("mailer");
    email_links::request_password_reset(db, SITE, "nobody-yet@example.org")
        .await
        .expect("request");
    let report = outbox::deliver_due(db, &away).await.expect("a round");
    assert_eq!((report.sent, report.failed), (0, 1));
    let kept = mail_outbox::Entity::find().all(db).await.expect("outbox");
    assert_eq!(kept.len(), 1, "nothing is lost");
    assert_eq!(kept[0].attempts, 1);
    assert!(kept[0].last_error.is_some());
    assert!(kept[0].next_attempt_at > chrono::Utc::now(), "it backs off");
    let again = outbox::deliver_due(db, &away).await.expect("a round");
    assert_eq!(
        (again.sent, again.failed),
        (0, 0),
        "not retried before its time"
    );

    // The server is back: once due, it goes.
    let (url, mailbox) = smtp_server();
    let back = Mailer::smtp(&url, FROM).expect("mailer");
    let mut due: mail_outbox::ActiveModel = kept[0].clone().into();
    due.next_attempt_at = sea_orm::ActiveValue::Set(chrono::Utc::now());
    sea_orm::ActiveModelTrait::update(due, db)
        .await
        .expect("make due");
    let delivered = outbox::deliver_due(db, &back).await.expect("a round");
    assert_eq!(delivered.sent, 1);
    assert!(received(&mailbox, "nobody-yet@example.org").is_some());
}

on_both_databases!(
    a_verification_email_reaches_the_smtp_server_and_its_link_works,
    a_mail_server_that_is_away_keeps_the_message_for_later,
);
