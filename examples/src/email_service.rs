//! The email service: a queue group that writes a welcome email for each new user into an
//! outbox folder and publishes `WelcomeEmailSent`.

use std::path::{Path, PathBuf};

use contracts::{UserRegistered, WelcomeEmailSent};
use event_runtime::{EventBus, PublishOptions, Received, SubscribeError};
use futures::StreamExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Queue group of the email service: each `UserRegistered` reaches one instance.
pub const QUEUE_GROUP: &str = "email-service";

/// Domain of the `Message-ID` and sender addresses.
const MAIL_DOMAIN: &str = "academy.example";

/// A running email service instance.
#[derive(Debug)]
pub struct EmailService {
    stop: watch::Sender<bool>,
    worker: JoinHandle<u64>,
}

impl EmailService {
    /// Stops taking new users, writes the emails for the users already delivered to this
    /// instance, and returns how many emails it wrote in all.
    pub async fn stop(self) -> u64 {
        // The worker ends by itself when the receiver is gone; nothing to report then.
        let _ = self.stop.send(true);
        self.worker.await.unwrap_or_else(|error| {
            warn!(error = %error, "email worker failed");
            0
        })
    }
}

/// Subscribes as a member of [`QUEUE_GROUP`] and writes emails into `outbox`.
///
/// # Errors
///
/// Returns [`SubscribeError`] when the subscription fails.
pub async fn start(bus: EventBus, outbox: PathBuf) -> Result<EmailService, SubscribeError> {
    let mut registrations = bus.queue_subscribe::<UserRegistered>(QUEUE_GROUP).await?;
    let (stop, mut stopping) = watch::channel(false);
    let worker = tokio::spawn(async move {
        let mut written = 0;
        let mut draining = false;
        loop {
            let item = if draining {
                registrations.next().await
            } else {
                tokio::select! {
                    item = registrations.next() => item,
                    _ = stopping.changed() => {
                        draining = true;
                        if let Err(error) = registrations.drain().await {
                            warn!(error = %error, "cannot drain the UserRegistered subscription");
                            break;
                        }
                        continue;
                    }
                }
            };
            let Some(item) = item else { break };
            // The stream logs undecodable messages, rate-limited, and goes on.
            let Ok(received) = item else { continue };
            match welcome(&bus, &outbox, &received).await {
                Ok(path) => {
                    written += 1;
                    info!(user_id = %received.event.user_id, path = %path.display(), "welcome email written");
                }
                Err(error) => {
                    warn!(user_id = %received.event.user_id, error, "welcome email failed");
                }
            }
        }
        written
    });
    Ok(EmailService { stop, worker })
}

/// Returns whether `file_name` is one this service writes: `{user_id}.{uuid}.eml`, or the
/// same with `.partial` while the email is being written.
#[must_use]
pub fn is_outbox_file(file_name: &str) -> bool {
    let name = file_name.strip_suffix(".partial").unwrap_or(file_name);
    let Some(name) = name.strip_suffix(".eml") else {
        return false;
    };
    match name.split_once('.') {
        Some((user_id, email_id)) => !user_id.is_empty() && uuid::Uuid::try_parse(email_id).is_ok(),
        None => false,
    }
}

/// Writes one welcome email and publishes `WelcomeEmailSent`; returns the email's path.
async fn welcome(
    bus: &EventBus,
    outbox: &Path,
    received: &Received<UserRegistered>,
) -> Result<PathBuf, String> {
    let user = &received.event;
    let email_id = uuid::Uuid::now_v7();
    let message_id = format!("{email_id}@{MAIL_DOMAIN}");
    let email = render(user, &message_id, OffsetDateTime::now_utc());
    // A user id is a subject token, so it has no `.`, and the name splits at the first one.
    let path = outbox.join(format!("{}.{email_id}.eml", user.user_id));
    let partial = path.with_extension("eml.partial");
    tokio::fs::write(&partial, email)
        .await
        .map_err(|error| format!("cannot write {}: {error}", partial.display()))?;
    // Readers of the outbox never see a half-written email.
    tokio::fs::rename(&partial, &path)
        .await
        .map_err(|error| format!("cannot rename {}: {error}", partial.display()))?;
    let sent = WelcomeEmailSent {
        user_id: user.user_id.clone(),
        email: user.email.clone(),
        message_id,
    };
    let options = match &received.metadata.id {
        Some(id) => PublishOptions::new().causation_id(id.clone()),
        None => PublishOptions::new(),
    };
    bus.publish_with(&sent, &options)
        .await
        .map_err(|error| format!("email written to {}, but {error}", path.display()))?;
    Ok(path)
}

/// Renders the welcome email as an RFC 5322 message.
#[must_use]
pub fn render(user: &UserRegistered, message_id: &str, date: OffsetDateTime) -> String {
    let name = header_safe(&user.display_name);
    let address = header_safe(&user.email);
    let date = date.format(&Rfc2822).unwrap_or_default();
    format!(
        "From: Academy <welcome@{MAIL_DOMAIN}>\r\n\
         To: {name} <{address}>\r\n\
         Subject: Welcome to the academy, {name}\r\n\
         Message-ID: <{message_id}>\r\n\
         Date: {date}\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Hello {name},\r\n\
         \r\n\
         your account {id} is ready. Pick a course and start learning.\r\n",
        id = user.user_id,
    )
}

/// Replaces control characters, so that a name cannot end a header and inject another.
fn header_safe(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_keeps_injected_headers_on_one_line() {
        let user = UserRegistered {
            user_id: "u-1".into(),
            email: "ada@example.com".into(),
            display_name: "Ada\r\nBcc: everyone@example.com".into(),
        };
        let email = render(&user, "m-1@academy.example", OffsetDateTime::UNIX_EPOCH);
        let headers: Vec<&str> = email
            .split("\r\n\r\n")
            .next()
            .unwrap()
            .split("\r\n")
            .collect();
        assert!(
            headers.iter().all(|line| !line.starts_with("Bcc:")),
            "{headers:?}"
        );
        assert!(headers.contains(&"To: Ada  Bcc: everyone@example.com <ada@example.com>"));
        assert!(headers.contains(&"Message-ID: <m-1@academy.example>"));
    }

    #[test]
    fn outbox_file_names() {
        let email_id = "019aee34-8f5c-7b6e-9a41-2f6d8c3b1e07";
        assert!(is_outbox_file(&format!("u-1.{email_id}.eml")));
        assert!(is_outbox_file(&format!("u-1.{email_id}.eml.partial")));
        assert!(!is_outbox_file("receipt-from-bank.eml"));
        assert!(!is_outbox_file(&format!(".{email_id}.eml")));
        assert!(!is_outbox_file(&format!("u-1.{email_id}.txt")));
        assert!(!is_outbox_file("notes.txt"));
    }
}
