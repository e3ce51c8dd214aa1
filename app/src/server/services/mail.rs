//! Sends the outbox over SMTP. Mail is written to the outbox in the same
//! transaction as the change it reports; this worker sends it afterwards,
//! retrying with backoff, and never drops a failure silently: a mail that
//! keeps failing is marked `failed` and shown on the Invitations page.

use std::time::Duration;

use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::{
    error::AppError,
    server::{
        http::internal_error,
        now_ms,
        store::{self, invitations::OutboxRow},
        AppState,
    },
};

/// Attempts before a mail is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// Mails taken per round.
const BATCH: i64 = 50;

/// The wait before attempt `attempts + 1`: 15 s, 30 s, 1 min… at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 8)).unwrap_or(8);
    Duration::from_secs((15 * 2u64.pow(exponent)).min(3600))
}

/// What stays of a sent invitation mail: the link is not kept.
fn without_link(body: &str) -> String {
    body.lines()
        .map(|line| if line.contains("/invite/") { "(The link was sent and is not kept.)" } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

fn transport(state: &AppState) -> Result<Option<AsyncSmtpTransport<Tokio1Executor>>, AppError> {
    let Some(url) = &state.config.mail.smtp_url else { return Ok(None) };
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
        .map_err(|e| internal_error("smtp url", e))?;
    Ok(Some(builder.timeout(Some(Duration::from_secs(20))).build()))
}

async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox, mail: &OutboxRow) -> Result<(), String> {
    let to: Mailbox = mail.to_address.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .body(mail.body.clone())
        .map_err(|e| format!("cannot build the message: {e}"))?;
    transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Sends what is due; returns how many mails left. Without SMTP nothing is
/// sent: the links wait in the outbox for an administrator to copy.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let Some(transport) = transport(state)? else { return Ok(0) };
    let from: Mailbox = state.config.mail.from.parse().map_err(|e| internal_error("mail.from", format!("{e}")))?;
    let due = {
        let mut conn = state.db.read().await?;
        store::invitations::due_mail(&mut conn, now_ms(), BATCH).await?
    };
    let mut sent = 0;
    for mail in due {
        let outcome = send(&transport, &from, &mail).await;
        let mut tx = state.db.write().await?;
        match outcome {
            Ok(()) => {
                store::invitations::mail_sent(&mut tx, mail.id, &without_link(&mail.body), now_ms()).await?;
                sent += 1;
            }
            Err(error) => {
                let retry_at = (mail.attempts + 1 < MAX_ATTEMPTS)
                    .then(|| now_ms() + i64::try_from(backoff(mail.attempts).as_millis()).unwrap_or(3_600_000));
                tracing::warn!(mail = mail.id, to = %mail.to_address, attempts = mail.attempts + 1, %error, "mail not sent");
                store::invitations::mail_failed(&mut tx, mail.id, &error, retry_at).await?;
            }
        }
        tx.commit().await.map_err(store::StoreError::from)?;
    }
    Ok(sent)
}

/// Runs for the life of the process: sends when woken (a mail was queued)
/// and every few seconds for retries.
pub async fn run_outbox(state: AppState) {
    if state.config.mail.smtp_url.is_none() {
        tracing::info!("no SMTP server configured: invitation links stay in the outbox for administrators to copy");
        return;
    }
    loop {
        if let Err(error) = deliver_due(&state).await {
            tracing::warn!(%error, "outbox round failed");
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), state.outbox.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_at_an_hour() {
        assert_eq!(backoff(0), Duration::from_secs(15));
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(20), Duration::from_secs(3600));
    }

    #[test]
    fn sent_mail_keeps_no_link() {
        let body = "Hello\nOpen this link to join: http://x/invite/abc\nBye";
        assert_eq!(without_link(body), "Hello\n(The link was sent and is not kept.)\nBye");
    }
}
