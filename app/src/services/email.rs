//! Sending e-mail to a contact through the company's SMTP server (`VEZA_SMTP_URL`), from the user's own
//! address, and logging it as a completed e-mail activity on the contact's (and account's) timeline.
//! Without a configured server the UI explains how to configure one; nothing is sent or logged then.

use super::{activities, Actor};
use crate::db::Db;
use crate::domain::validate::{field, required};
use crate::domain::{ActivityKind, EmailInput, Priority, RegardingKind};
use crate::error::{AppError, Problem};
use crate::services::visibility;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mailer")
    }
}

impl Mailer {
    /// From a URL such as `smtps://user:password@smtp.example.com` (TLS), `smtp://…:587?tls=required`
    /// (STARTTLS) or `smtp://127.0.0.1:2525` (plain, for a local relay).
    pub fn from_url(url: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("VEZA_SMTP_URL is not usable: {e}"))?;
        Ok(Mailer { transport: transport.timeout(Some(std::time::Duration::from_secs(20))).build() })
    }

    /// Hands one message to the server (connections are pooled between messages).
    pub(crate) async fn deliver(&self, message: Message) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.send(message).await.map(|_| ())
    }
}

/// Sends `input` to the contact as the actor and logs it; returns the logged activity's id.
pub async fn send(db: &Db, mailer: Option<&Mailer>, actor: &Actor, input: &EmailInput) -> Result<i64, AppError> {
    let mailer = mailer.ok_or_else(|| field("email_to", Problem::NotConfigured))?;
    let contact_id = super::parse_id("contact_id", &input.contact_id)?;
    let subject = required("subject", &input.subject, 200)?;
    let body = required("body", &input.body, 50_000)?;
    // The recipient: a contact the actor may see, with an e-mail address.
    let mut sql = crate::db::sql::Sql::new("SELECT c.first_name, c.last_name, c.email FROM contacts c WHERE c.id = ");
    sql.bind(contact_id);
    visibility::restrict(&mut sql, actor, "c");
    let (first, last, email) = sql
        .query_as::<(String, String, Option<String>)>()
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| field("contact_id", Problem::InvalidChoice))?;
    let email = email.ok_or_else(|| field("email_to", Problem::Required))?;
    let to = Mailbox::new(Some(format!("{first} {last}")), email.parse().map_err(|_| field("email_to", Problem::InvalidEmail))?);
    let from = Mailbox::new(Some(actor.name.clone()), actor.email.parse().map_err(|_| field("email_to", Problem::InvalidEmail))?);
    let message =
        Message::builder().from(from).to(to).subject(subject.clone()).header(ContentType::TEXT_PLAIN).body(body.clone()).map_err(|e| {
            tracing::warn!(error = %e, "e-mail could not be built");
            field("body", Problem::InvalidChoice)
        })?;
    super::limits::record(db, actor, super::limits::Use::Email, &email).await?;
    mailer.transport.send(message).await.map_err(|e| {
        tracing::warn!(error = %e, "SMTP send failed");
        field("email_to", Problem::SendFailed)
    })?;
    // Sent: log it. (Were logging to fail now, the mail is out; the error says so in the log.)
    let v = activities::Valid {
        kind: ActivityKind::Email,
        subject,
        description: Some(body),
        priority: Priority::Normal,
        starts_at: crate::clock::stamp(chrono::Utc::now()),
        ends_at: None,
        direction: None,
        outcome: None,
        location: None,
        regarding_kind: RegardingKind::Contact,
        regarding_id: contact_id,
        owner_id: Some(actor.id),
        completed: true,
        attendee_contacts: Vec::new(),
        attendee_users: Vec::new(),
    };
    let mut tx = db.begin().await?;
    let id = activities::insert(&mut tx, actor, &v, None, false).await?;
    sqlx::query("UPDATE activities SET email_to = $1, email_sent = 1 WHERE id = $2").bind(&email).bind(id).execute(&mut *tx).await?;
    tx.commit().await.map_err(|e| {
        tracing::error!(error = %e, "e-mail sent but not logged");
        AppError::Internal
    })?;
    Ok(id)
}

/// The user's e-mail signature (the `{signature}` of campaign messages), empty when none is set.
pub async fn signature(db: &Db, actor: &Actor) -> Result<String, AppError> {
    let (sig,): (Option<String>,) = sqlx::query_as("SELECT signature FROM users WHERE id = $1").bind(actor.id).fetch_one(&db.pool).await?;
    Ok(sig.unwrap_or_default())
}

/// Sets the user's own e-mail signature (at most 1,000 characters, 12 lines); empty removes it. Audited.
pub async fn set_signature(db: &Db, actor: &Actor, text: &str) -> Result<(), AppError> {
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    if text.chars().count() > 1_000 {
        return Err(field("signature", Problem::TooLong(1_000)));
    }
    if text.lines().count() > 12 {
        return Err(field("signature", Problem::OutOfRange(0, 12)));
    }
    let new = (!text.is_empty()).then(|| text.to_string());
    let mut tx = db.begin().await?;
    let (old,): (Option<String>,) = sqlx::query_as("SELECT signature FROM users WHERE id = $1").bind(actor.id).fetch_one(&mut *tx).await?;
    if old == new {
        return Ok(());
    }
    let at = crate::db::now();
    sqlx::query("UPDATE users SET signature = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(&new)
        .bind(&at)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    let mut log = super::audit::Batch::new(Some(actor), &at);
    log.push("user", actor.id, "update", Some("signature"), old.as_deref(), new.as_deref());
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
