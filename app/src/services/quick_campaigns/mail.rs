//! E-mail quick campaigns: the messages go out through the company's SMTP server, one per member reached,
//! each from its assignee's address with the campaign's subject and text filled in for the member
//! (`domain::quick_campaign::merge`), and what happened is kept per recipient.
//!
//! A campaign's batch (in its job's transaction) only *queues* the members it reaches; the messages are
//! sent after that transaction, outside any lock, by [`send_queued`]. Each message is marked `sending`
//! in its own write just before it goes to the mail server and `sent` (with a completed e-mail activity on
//! the member's timeline) or `failed` (with why, and the server's answer) right after — so no message is
//! ever sent twice: one left `sending` by a stopped server ends as failed with reason `unknown`.
//!
//! Every message carries an unsubscribe link (also as `List-Unsubscribe`, one click per RFC 8058); the
//! link's token is stored hashed, and using it sets the member's "do not e-mail" ([`unsubscribe`]).

use super::Payload;
use crate::db::{now, Db, Tx};
use crate::domain::marketing::MemberKind;
use crate::domain::quick_campaign::{merge, SkipReason};
use crate::domain::{ActivityKind, Priority};
use crate::error::AppError;
use crate::i18n::{Lang, M};
use crate::services::email::Mailer;
use crate::services::{activities, audit, jobs, Actor};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;
use sqlx::Row;

/// The longest mail-server answer kept with a failed recipient.
const DETAIL_MAX: usize = 300;

/// The campaign's message and where its links point.
#[derive(sqlx::FromRow)]
struct Campaign {
    activity_kind: String,
    member_kind: String,
    status: String,
    email_subject: Option<String>,
    email_body: Option<String>,
    site_url: Option<String>,
    lang: Option<String>,
}

/// A queued recipient with the facts its message is filled in from.
#[derive(sqlx::FromRow)]
struct Recipient {
    member_id: i64,
    assignee_id: i64,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    account: Option<String>,
    owner: String,
    owner_email: String,
    signature: Option<String>,
}

/// What became of one message.
enum Sent {
    Ok,
    Failed(SkipReason, Option<String>),
}

/// Sends the queued messages of the campaign in a job's `payload` (the job `job`, leased by `worker`).
/// Without a mail server each ends as failed, said so; a lost lease stops the sending (the new worker
/// goes on with what is still queued). Returns `Conflict` when the lease was lost.
pub async fn send_queued(db: &Db, mailer: Option<&Mailer>, actor: &Actor, payload: &str, job: i64, worker: &str) -> Result<(), AppError> {
    let p: Payload = serde_json::from_str(payload).map_err(|_| AppError::Internal)?;
    let Some(c) = sqlx::query_as::<_, Campaign>(
        "SELECT activity_kind, member_kind, status, email_subject, email_body, site_url, lang FROM quick_campaigns WHERE id = $1",
    )
    .bind(p.campaign)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(());
    };
    if c.activity_kind != ActivityKind::Email.code() || c.status != "running" {
        return Ok(());
    }
    let kind = MemberKind::parse(&c.member_kind).ok_or(AppError::Internal)?;
    // Messages a stopped server left with the mail server: maybe sent, never sent again.
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE quick_campaign_members SET outcome = 'failed', reason = 'unknown' WHERE campaign_id = $1 AND outcome = 'sending'",
    )
    .bind(p.campaign)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        count(&mut tx, p.campaign, 0, n as i64).await?;
    }
    tx.commit().await?;
    let recipients = queued(db, kind, p.campaign).await?;
    let lang = c.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    let (subject, body) = (c.email_subject.unwrap_or_default(), c.email_body.unwrap_or_default());
    for r in recipients {
        let token = hex::encode(rand::random::<[u8; 24]>());
        let claimed = sqlx::query(
            "UPDATE quick_campaign_members SET outcome = 'sending', token_hash = $1 WHERE campaign_id = $2 AND member_id = $3 AND outcome = 'queued'",
        )
        .bind(crate::services::auth::token_hash(&token))
        .bind(p.campaign)
        .bind(r.member_id)
        .execute(&db.pool)
        .await?
        .rows_affected();
        if claimed == 0 {
            continue;
        }
        let values = merge_values(&r);
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (subject, text) = (merge(&subject, &values), merge(&body, &values));
        let link = c.site_url.as_deref().map(|site| format!("{}/unsubscribe/{token}", site.trim_end_matches('/')));
        let outcome = match (mailer, message(&r, &subject, &text, link.as_deref(), lang)) {
            (None, _) => Sent::Failed(SkipReason::SendFailed, Some(lang.t(M::QcNoMailServer).to_string())),
            (_, Err(reason)) => Sent::Failed(reason, None),
            (Some(m), Ok(msg)) => match m.deliver(msg).await {
                Ok(()) => Sent::Ok,
                Err(e) => {
                    tracing::warn!(campaign = p.campaign, member = r.member_id, error = %e, "campaign e-mail not sent");
                    // The server's answer is for the sender; a connection failure's details stay in the log.
                    let detail = (e.is_permanent() || e.is_transient()).then(|| e.to_string().chars().take(DETAIL_MAX).collect());
                    Sent::Failed(if e.is_permanent() { SkipReason::Rejected } else { SkipReason::SendFailed }, detail)
                }
            },
        };
        let mut tx = db.begin().await?;
        record(&mut tx, actor, p.campaign, kind, &r, &subject, &text, outcome).await?;
        // A worker that lost its lease records what it did, then stops.
        let lease = jobs::LEASE.renew(&mut tx, job, worker).await;
        tx.commit().await?;
        lease?;
    }
    Ok(())
}

/// The campaign's queued recipients with their message's facts, in member order.
async fn queued(db: &Db, kind: MemberKind, campaign: i64) -> Result<Vec<Recipient>, AppError> {
    let (table, account) = match kind {
        MemberKind::Contact => ("contacts", "(SELECT a.name FROM accounts a WHERE a.id = x.account_id)"),
        MemberKind::Lead => ("leads", "x.company"),
        // E-mail campaigns reach people: the start refuses accounts.
        MemberKind::Account => return Err(AppError::Internal),
    };
    Ok(sqlx::query_as::<_, Recipient>(&format!(
        "SELECT m.member_id, m.assignee_id, x.first_name, x.last_name, x.email, {account} AS account, u.name AS owner, u.email AS owner_email, \
         u.signature FROM quick_campaign_members m LEFT JOIN {table} x ON x.id = m.member_id JOIN users u ON u.id = m.assignee_id \
         WHERE m.campaign_id = $1 AND m.outcome = 'queued' ORDER BY m.member_id"
    ))
    .bind(campaign)
    .fetch_all(&db.pool)
    .await?)
}

/// A message filled in for the first member `actor` would reach from a form's source, sent by `actor`:
/// (subject, text). Without members the text stays as written.
pub async fn preview(db: &Db, actor: &Actor, list_id: &str, query: &str, subject: &str, body: &str) -> Result<(String, String), AppError> {
    let src = super::source(db, actor, list_id, query).await?;
    let kind = src.kind();
    if kind == MemberKind::Account {
        return Err(crate::domain::validate::field("activity_kind", crate::error::Problem::InvalidChoice));
    }
    let mut tx = db.pool.begin().await?;
    let first = super::member_ids(&mut tx, actor, &src, 0, 1).await?;
    let (table, account) = if kind == MemberKind::Lead {
        ("leads", "x.company")
    } else {
        ("contacts", "(SELECT a.name FROM accounts a WHERE a.id = x.account_id)")
    };
    let Some(id) = first.first() else { return Ok((subject.to_string(), body.to_string())) };
    let r = sqlx::query_as::<_, Recipient>(&format!(
        "SELECT x.id AS member_id, u.id AS assignee_id, x.first_name, x.last_name, x.email, {account} AS account, u.name AS owner, \
         u.email AS owner_email, u.signature FROM {table} x JOIN users u ON u.id = $1 WHERE x.id = $2"
    ))
    .bind(actor.id)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let values = merge_values(&r);
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok((merge(subject, &values), merge(body, &values)))
}

/// The merge fields of one recipient (see `domain::quick_campaign::MERGE_FIELDS`).
fn merge_values(r: &Recipient) -> Vec<(&'static str, String)> {
    let first = r.first_name.clone().unwrap_or_default();
    let last = r.last_name.clone().unwrap_or_default();
    let signature = r.signature.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| format!("{}\n{}", r.owner, r.owner_email));
    vec![
        ("name", format!("{first} {last}").trim().to_string()),
        ("first_name", first),
        ("last_name", last),
        ("account", r.account.clone().unwrap_or_default()),
        ("owner", r.owner.clone()),
        ("owner_email", r.owner_email.clone()),
        ("signature", signature),
    ]
}

/// The `List-Unsubscribe` header (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// The `List-Unsubscribe-Post` header (RFC 8058): the link works with one POST.
#[derive(Clone)]
struct OneClick;

impl Header for OneClick {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(OneClick)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// One recipient's message, or why it cannot be one (an address that is not an address).
fn message(r: &Recipient, subject: &str, text: &str, link: Option<&str>, lang: Lang) -> Result<Message, SkipReason> {
    let name = format!("{} {}", r.first_name.as_deref().unwrap_or_default(), r.last_name.as_deref().unwrap_or_default());
    let address = r.email.as_deref().unwrap_or_default().trim();
    if address.is_empty() {
        // Deleted, or its address removed, since it was queued.
        return Err(SkipReason::NoEmail);
    }
    let to = address.parse().map_err(|_| SkipReason::Rejected)?;
    let from = r.owner_email.parse().map_err(|_| SkipReason::SendFailed)?;
    let mut builder = Message::builder()
        .from(Mailbox::new(Some(r.owner.clone()), from))
        .to(Mailbox::new(Some(name.trim().to_string()).filter(|n| !n.is_empty()), to))
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    let mut body = text.to_string();
    if let Some(link) = link {
        builder = builder.header(ListUnsubscribe(link.to_string())).header(OneClick);
        body.push_str(&format!("\n\n--\n{}: {link}\n", lang.t(M::QcUnsubscribeLine)));
    }
    builder.body(body).map_err(|_| SkipReason::SendFailed)
}

/// Adds to a campaign's counts of activities created (messages sent) and members skipped or failed.
async fn count(tx: &mut Tx, campaign: i64, created: i64, skipped: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE quick_campaigns SET created_count = created_count + $1, skipped_count = skipped_count + $2 WHERE id = $3")
        .bind(created)
        .bind(skipped)
        .bind(campaign)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records one message's outcome: sent — a completed e-mail activity, owned by the assignee, on the
/// member's timeline; failed — the reason and the server's answer.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Tx,
    actor: &Actor,
    campaign: i64,
    kind: MemberKind,
    r: &Recipient,
    subject: &str,
    text: &str,
    outcome: Sent,
) -> Result<(), AppError> {
    // Normally the row is still `sending`; were it taken for a stopped server's meanwhile (`unknown`),
    // what did happen replaces the guess.
    let was_unknown =
        sqlx::query_as::<_, (String,)>("SELECT outcome FROM quick_campaign_members WHERE campaign_id = $1 AND member_id = $2")
            .bind(campaign)
            .bind(r.member_id)
            .fetch_one(&mut **tx)
            .await?
            .0
            == "failed";
    let undo = if was_unknown { -1 } else { 0 };
    match outcome {
        Sent::Ok => {
            let v = activities::Valid {
                kind: ActivityKind::Email,
                subject: subject.chars().take(200).collect(),
                description: Some(text.to_string()),
                priority: Priority::Normal,
                starts_at: now(),
                ends_at: None,
                direction: None,
                outcome: None,
                location: None,
                regarding_kind: kind.regarding(),
                regarding_id: r.member_id,
                owner_id: Some(r.assignee_id),
                completed: true,
                attendee_contacts: Vec::new(),
                attendee_users: Vec::new(),
            };
            // A member deleted (or moved out of sight) since it was queued has no timeline to log on:
            // the message went out all the same.
            let id = match activities::insert(tx, actor, &v, None, false).await {
                Ok(id) => Some(id),
                Err(AppError::NotFound | AppError::Validation { .. }) => None,
                Err(e) => return Err(e),
            };
            if let Some(id) = id {
                sqlx::query("UPDATE activities SET email_to = $1, email_sent = 1, quick_campaign_id = $2 WHERE id = $3")
                    .bind(r.email.as_deref().map(str::trim))
                    .bind(campaign)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                let mut log = audit::Batch::new(Some(actor), &now());
                log.push("activity", id, "create", Some("quick_campaign_id"), None, Some(&campaign.to_string()));
                log.write(tx).await?;
            }
            sqlx::query(
                "UPDATE quick_campaign_members SET outcome = 'sent', reason = NULL, detail = NULL, activity_id = $1 WHERE campaign_id = $2 AND member_id = $3",
            )
            .bind(id)
            .bind(campaign)
            .bind(r.member_id)
            .execute(&mut **tx)
            .await?;
            count(tx, campaign, 1, undo).await
        }
        Sent::Failed(reason, detail) => {
            sqlx::query(
                "UPDATE quick_campaign_members SET outcome = 'failed', reason = $1, detail = $2 WHERE campaign_id = $3 AND member_id = $4",
            )
            .bind(reason.code())
            .bind(detail)
            .bind(campaign)
            .bind(r.member_id)
            .execute(&mut **tx)
            .await?;
            count(tx, campaign, 0, 1 + undo).await
        }
    }
}

/// What an unsubscribe link's page says: whose address it is (masked) and whether it was used already.
#[derive(Clone, Debug, PartialEq)]
pub struct Unsubscribe {
    pub masked_email: String,
    pub done: bool,
}

/// `a***@firma.rs`: enough for the owner to recognise, little for anyone else.
fn mask(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".to_string(),
    }
}

/// The recipient a link's token names: its campaign, member kind, member and address.
async fn by_token(tx: &mut Tx, token: &str) -> Result<Option<(i64, MemberKind, i64, Option<String>, bool)>, AppError> {
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT m.campaign_id, q.member_kind, m.member_id, m.unsubscribed_at FROM quick_campaign_members m \
         JOIN quick_campaigns q ON q.id = m.campaign_id WHERE m.token_hash = $1",
    )
    .bind(crate::services::auth::token_hash(&token.to_ascii_lowercase()))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind = MemberKind::parse(&row.try_get::<String, _>("member_kind")?).ok_or(AppError::Internal)?;
    let member: i64 = row.try_get("member_id")?;
    let table = if kind == MemberKind::Lead { "leads" } else { "contacts" };
    let email: Option<Option<String>> = sqlx::query_as::<_, (Option<String>,)>(&format!("SELECT email FROM {table} WHERE id = $1"))
        .bind(member)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.0);
    let Some(email) = email else { return Ok(None) };
    Ok(Some((row.try_get("campaign_id")?, kind, member, email, row.try_get::<Option<String>, _>("unsubscribed_at")?.is_some())))
}

/// What the unsubscribe page of `token` shows; `None` for a link that is not (or no longer) valid.
pub async fn unsubscribe_info(db: &Db, token: &str) -> Result<Option<Unsubscribe>, AppError> {
    let mut tx = db.pool.begin().await?;
    let found = by_token(&mut tx, token).await?;
    Ok(found.map(|(_, _, _, email, done)| Unsubscribe { masked_email: mask(email.as_deref().unwrap_or_default()), done }))
}

/// Uses an unsubscribe link: the member gets "do not e-mail" (audited, by the link), the campaign counts
/// it. Using it again changes nothing. `None` for a link that is not valid.
pub async fn unsubscribe(db: &Db, token: &str) -> Result<Option<Unsubscribe>, AppError> {
    let mut tx = db.begin().await?;
    let Some((campaign, kind, member, email, done)) = by_token(&mut tx, token).await? else { return Ok(None) };
    let masked_email = mask(email.as_deref().unwrap_or_default());
    if done {
        return Ok(Some(Unsubscribe { masked_email, done }));
    }
    let (table, entity) = if kind == MemberKind::Lead { ("leads", "lead") } else { ("contacts", "contact") };
    let at = now();
    let changed = sqlx::query(&format!(
        "UPDATE {table} SET do_not_email = 1, version = version + 1, updated_at = $1 WHERE id = $2 AND do_not_email = 0"
    ))
    .bind(&at)
    .bind(member)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 1 {
        let mut log = audit::Batch::new(None, &at);
        log.push(entity, member, "update", Some("do_not_email"), Some("0"), Some("1"));
        log.write(&mut tx).await?;
    }
    sqlx::query("UPDATE quick_campaign_members SET unsubscribed_at = $1 WHERE campaign_id = $2 AND member_id = $3")
        .bind(&at)
        .bind(campaign)
        .bind(member)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Unsubscribe { masked_email, done: true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(mask("petar@kupac.rs"), "p***@kupac.rs");
        assert_eq!(mask("nonsense"), "***");
    }
}
