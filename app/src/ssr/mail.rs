//! Sending email: through an SMTP server (the `lettre` crate) when `SMTP_URL` is set; otherwise each message
//! is written as an `.eml` file in a folder and its links are logged, so someone trying the academy on their
//! own machine can still verify an address or reset a password.
//!
//! Messages are not sent from here directly by the features: they are queued in the mail outbox in the same
//! transaction as the change they report (`services::mail_outbox`), and a background task hands them to the
//! [`Mailer`]. [`Mailer::nudge`] wakes that task as soon as a message is queued.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::Notify;

/// Why a message could not be sent, or the mailer could not be set up. Each names what to check.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "SMTP_URL is not a usable SMTP address ({0}); write it as smtp://user:password@host:587 or smtps://host:465"
    )]
    BadUrl(String),
    #[error(
        "MAIL_FROM `{0}` is not an email address; write it as `Informatics Academy <academy@example.org>`"
    )]
    BadFrom(String),
    #[error("`{0}` is not an email address the message can be sent to")]
    BadRecipient(String),
    #[error("the message could not be put together: {0}")]
    Build(String),
    #[error("the mail server did not accept the message: {0}")]
    Send(String),
    #[error("cannot create the mail folder {folder}: {source}")]
    Folder {
        folder: String,
        source: std::io::Error,
    },
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Where email goes, and who it is from.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    wake: Notify,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("to", &self.describe())
            .field("from", &self.from.to_string())
            .finish()
    }
}

fn mailbox(from: &str) -> Result<Mailbox, MailError> {
    from.parse()
        .map_err(|_| MailError::BadFrom(from.to_owned()))
}

/// The links in a message body (for the log, when messages go to a folder).
pub fn links_in(body: &str) -> Vec<&str> {
    body.split_whitespace()
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .collect()
}

impl Mailer {
    /// Sends through the SMTP server at `url` (`smtps://` with TLS, `smtp://...?tls=required` with STARTTLS,
    /// plain `smtp://` for a relay on a trusted network; credentials in the URL), with a 20-second timeout
    /// per message.
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::BadUrl(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer {
            transport: Transport::Smtp(transport),
            from: mailbox(from)?,
            wake: Notify::new(),
        })
    }

    /// Writes each message as an `.eml` file in `folder` (created if missing) and logs its links.
    pub fn folder(folder: &Path, from: &str) -> Result<Mailer, MailError> {
        std::fs::create_dir_all(folder).map_err(|source| MailError::Folder {
            folder: folder.display().to_string(),
            source,
        })?;
        Ok(Mailer {
            transport: Transport::Folder(AsyncFileTransport::new(folder), folder.to_owned()),
            from: mailbox(from)?,
            wake: Notify::new(),
        })
    }

    /// Where messages go, for the start-up log and the admin page.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "the SMTP server in SMTP_URL".to_owned(),
            Transport::Folder(_, folder) => format!("files in {}", folder.display()),
        }
    }

    /// Sends one plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let recipient: Mailbox = to
            .parse()
            .map_err(|_| MailError::BadRecipient(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
            }
            Transport::Folder(files, folder) => {
                let id = files
                    .send(message)
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
                tracing::info!(
                    to,
                    subject,
                    file = %folder.join(format!("{id}.eml")).display(),
                    links = ?links_in(body),
                    "email written to a file (no SMTP_URL set)"
                );
            }
        }
        Ok(())
    }

    /// Wakes the delivery task: a message is waiting.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Waits until nudged or until `at_most` has passed, whichever comes first.
    pub async fn wait_for_work(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.wake.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_from_address_or_smtp_url_is_named() {
        let folder = std::env::temp_dir().join("academy-mail-test");
        let bad_from = Mailer::folder(&folder, "not an address").expect_err("bad from");
        assert!(bad_from.to_string().contains("MAIL_FROM `not an address`"));
        let bad_url =
            Mailer::smtp("ftp://example.org", "Academy <a@example.org>").expect_err("bad url");
        assert!(bad_url.to_string().contains("SMTP_URL"), "{bad_url}");
    }

    #[test]
    fn links_are_found_for_the_log() {
        assert_eq!(
            links_in("Follow\nhttps://academy.example/verify-email?token=abc\nto verify."),
            ["https://academy.example/verify-email?token=abc"]
        );
    }
}
