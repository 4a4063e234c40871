//! Quick campaigns: one activity per member of a marketing list or an advanced-find result, assigned to
//! each member's owner, to the starter, or in turn to chosen users or a team — distributed as a job
//! (`services::jobs`), a batch of members per transaction, so 10,000 members go out in seconds with a
//! progress bar and a crash resumes where it stopped without creating anything twice.
//!
//! Members are read with the starter's visibility when each batch runs (a dynamic list or a query is
//! evaluated then). Contact preferences (do not call / e-mail / mail), inactive accounts and
//! disqualified leads are skipped with the reason recorded per member. Every activity is audited as
//! created, carries `quick_campaign_id`, and so appears on its member's timeline and its assignee's My
//! day; the campaign's page counts them per assignee and status.

pub mod letters;
pub mod mail;

use super::jobs::{self, Batch, JobKind};
use super::{audit, visibility, Actor};
use crate::db::sql::{Sql, Val};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::find::{Entity, FindQuery};
use crate::domain::marketing::{ListType, MemberKind};
use crate::domain::quick_campaign::{
    assignee, skip_reason, validate, AssignRule, AssigneeProgress, Member, QuickCampaignInput, QuickCampaignRow, QuickCampaignView,
    QuickMemberRow, QuickPreview, ValidQuick,
};
use crate::domain::validate::field;
use crate::domain::{ActivityKind, Page, RegardingKind};
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Where a campaign's members come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A marketing list: static members, or a dynamic list's query.
    List { id: i64, name: String, kind: MemberKind, query: Option<FindQuery> },
    /// An advanced-find query over accounts, contacts or leads.
    Query(FindQuery),
}

impl Source {
    pub fn kind(&self) -> MemberKind {
        match self {
            Source::List { kind, .. } => *kind,
            Source::Query(q) => member_kind(q.entity).unwrap_or_default(),
        }
    }
}

fn member_kind(e: Entity) -> Option<MemberKind> {
    match e {
        Entity::Account => Some(MemberKind::Account),
        Entity::Contact => Some(MemberKind::Contact),
        Entity::Lead => Some(MemberKind::Lead),
        Entity::Opportunity => None,
    }
}

fn table_of(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::Account => "accounts",
        MemberKind::Contact => "contacts",
        MemberKind::Lead => "leads",
    }
}

/// Reads the member source of a form: a list the actor may see, or a query over a kind of member.
pub async fn source(db: &Db, actor: &Actor, list_id: &str, query: &str) -> Result<Source, AppError> {
    if !list_id.trim().is_empty() {
        let id = super::parse_id("list_id", list_id)?;
        let list = super::marketing::get(db, actor, id).await.map_err(|e| {
            if e == AppError::NotFound {
                field("list_id", Problem::InvalidChoice)
            } else {
                e
            }
        })?;
        let query = match list.list_type {
            ListType::Static => None,
            ListType::Dynamic => Some(FindQuery::from_param(list.query.as_deref().unwrap_or_default())?),
        };
        return Ok(Source::List { id, name: list.name, kind: list.member_kind, query });
    }
    let q = FindQuery::from_param(query)?;
    q.check()?;
    if member_kind(q.entity).is_none() {
        return Err(field("query", Problem::InvalidChoice));
    }
    Ok(Source::Query(q))
}

/// The next member ids above `after`, at most `limit`, in id order, as `actor` may see them.
pub(crate) async fn member_ids(tx: &mut Tx, actor: &Actor, src: &Source, after: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    match src {
        Source::List { query: Some(q), .. } | Source::Query(q) => super::find::id_batch_in(tx, actor, q, after, limit).await,
        Source::List { id, kind, query: None, .. } => {
            let table = table_of(*kind);
            let mut sql = Sql::new(&format!(
                "SELECT m.member_id FROM marketing_list_members m JOIN {table} x ON x.id = m.member_id WHERE m.list_id = "
            ));
            sql.bind(*id).push(" AND m.member_id > ").bind(after);
            visibility::restrict(&mut sql, actor, "x");
            sql.push(" ORDER BY m.member_id LIMIT ").bind(limit);
            Ok(sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect())
        }
    }
}

/// How many members a source has for `actor`, counted to the end.
pub async fn count(db: &Db, actor: &Actor, src: &Source) -> Result<i64, AppError> {
    match src {
        Source::List { query: Some(q), .. } | Source::Query(q) => super::find::count_all(db, actor, q).await,
        Source::List { id, kind, query: None, .. } => {
            let table = table_of(*kind);
            let mut sql = Sql::new(&format!(
                "SELECT COUNT(*) AS n FROM marketing_list_members m JOIN {table} x ON x.id = m.member_id WHERE m.list_id = "
            ));
            sql.bind(*id);
            visibility::restrict(&mut sql, actor, "x");
            Ok(sql.query().fetch_one(&db.pool).await?.try_get("n")?)
        }
    }
}

/// What the form shows before the campaign starts: the source and how many members it has.
pub async fn preview(db: &Db, actor: &Actor, list_id: &str, query: &str) -> Result<QuickPreview, AppError> {
    let src = source(db, actor, list_id, query).await?;
    let members = count(db, actor, &src).await?;
    let source_name = match &src {
        Source::List { name, .. } => name.clone(),
        Source::Query(_) => String::new(),
    };
    Ok(QuickPreview { member_kind: src.kind().code().to_string(), source_name, members })
}

/// A job's payload: the campaign it distributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub(crate) campaign: i64,
}

/// The users a round-robin shares the activities among: the chosen ones, or a team's active users —
/// each active and one the actor may assign to.
async fn round_robin_users(tx: &mut Tx, actor: &Actor, v: &ValidQuick) -> Result<Vec<i64>, AppError> {
    if v.rule != AssignRule::RoundRobin {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, Option<i64>)> = if let Some(team) = v.team_id {
        sqlx::query_as(
            "SELECT id, team_id FROM users WHERE team_id = $1 AND active = 1 AND role IN ('sales', 'manager', 'marketing') ORDER BY id",
        )
        .bind(team)
        .fetch_all(&mut **tx)
        .await?
    } else {
        let mut sql = Sql::new("SELECT id, team_id FROM users WHERE active = 1 AND id IN (");
        sql.bind_list(&v.assignees).push(")");
        sql.query_as().fetch_all(&mut **tx).await?
    };
    if rows.is_empty() || (v.team_id.is_none() && rows.len() != v.assignees.len()) {
        return Err(field(if v.team_id.is_some() { "team_id" } else { "assignees" }, Problem::InvalidChoice));
    }
    if rows.iter().any(|(id, team)| !visibility::can_assign(actor, *id, *team)) {
        return Err(field(if v.team_id.is_some() { "team_id" } else { "assignees" }, Problem::InvalidChoice));
    }
    // Chosen users keep the order chosen; a team's go by id.
    Ok(if v.team_id.is_some() { rows.into_iter().map(|(id, _)| id).collect() } else { v.assignees.clone() })
}

/// The due moment of the form: a local date (9:00 that day) or date and time.
fn due(input: &str) -> Result<String, AppError> {
    let v = input.trim();
    if v.len() == 10 {
        return crate::clock::parse_local("due", &format!("{v}T09:00"));
    }
    crate::clock::parse_local("due", v)
}

/// What an e-mail campaign takes from the request that starts it: a mail server is configured, the
/// address Veza was reached at (for the unsubscribe links) and the starter's language.
#[derive(Clone, Debug, PartialEq)]
pub struct MailStart {
    pub site_url: String,
    pub lang: crate::i18n::Lang,
}

/// Starts a quick campaign of calls, visits, tasks, letters or faxes (see [`start_with`]).
pub async fn start(db: &Db, actor: &Actor, input: &QuickCampaignInput) -> Result<i64, AppError> {
    start_with(db, actor, input, None).await
}

/// Starts a quick campaign: checks the form, records the campaign and queues its distribution. An
/// e-mail campaign needs `mail` (a configured mail server) and contacts or leads as members.
pub async fn start_with(db: &Db, actor: &Actor, input: &QuickCampaignInput, mail: Option<MailStart>) -> Result<i64, AppError> {
    let v = validate(input)?;
    if v.kind == ActivityKind::Email && mail.is_none() {
        return Err(field("activity_kind", Problem::NotConfigured));
    }
    // Messages go out at once: their due moment is the start, unless one is given.
    let due_at = if v.kind == ActivityKind::Email && input.due.trim().is_empty() { now() } else { due(&input.due)? };
    let src = source(db, actor, &input.list_id, &input.query).await?;
    if v.kind == ActivityKind::Email && src.kind() == MemberKind::Account {
        // Messages go to people: a list of contacts or leads.
        return Err(field("activity_kind", Problem::InvalidChoice));
    }
    let (site_url, lang) = match &mail {
        Some(m) if v.kind == ActivityKind::Email => (Some(m.site_url.clone()).filter(|u| !u.is_empty()), Some(m.lang.code().to_string())),
        _ => (None, None),
    };
    let total = count(db, actor, &src).await?;
    let at = now();
    let mut tx = db.begin().await?;
    let users = round_robin_users(&mut tx, actor, &v).await?;
    let (list_id, query) = match &src {
        Source::List { id, .. } => (Some(*id), None),
        Source::Query(q) => (None, Some(q.to_param())),
    };
    let assignees = (!users.is_empty()).then(|| users.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(","));
    let mut sql = Sql::new(
        "INSERT INTO quick_campaigns (name, activity_kind, member_kind, list_id, query, subject, description, due_at, priority, assign_rule, assignees, \
         email_subject, email_body, site_url, lang, status, total, owner_id, team_id, created_at, created_by, updated_at, updated_by) VALUES (",
    );
    let vals: Vec<Val> = vec![
        v.name.clone().into(),
        v.kind.code().into(),
        src.kind().code().into(),
        list_id.into(),
        query.into(),
        v.subject.clone().into(),
        v.description.clone().into(),
        due_at.clone().into(),
        v.priority.code().into(),
        v.rule.code().into(),
        assignees.clone().into(),
        v.email_subject.clone().into(),
        v.email_body.clone().into(),
        site_url.into(),
        lang.into(),
        "running".into(),
        total.into(),
        actor.id.into(),
        actor.team_id.into(),
        at.clone().into(),
        actor.id.into(),
        at.clone().into(),
        actor.id.into(),
    ];
    sql.bind_list(&vals).push(") RETURNING id");
    let id: i64 = sql.query().fetch_one(&mut *tx).await?.try_get("id")?;
    let fields: audit::Fields = vec![
        ("name", Some(v.name.clone())),
        ("kind", Some(v.kind.code().to_string())),
        ("subject", Some(v.subject.clone())),
        ("starts_at", Some(due_at)),
        ("assign_rule", Some(v.rule.code().to_string())),
        ("assignees", assignees),
        ("list_id", list_id.map(|l| l.to_string())),
    ];
    audit::created(&mut tx, "quick_campaign", id, Some(actor), &fields).await?;
    let payload = serde_json::to_string(&Payload { campaign: id }).map_err(|_| AppError::Internal)?;
    let job = jobs::enqueue(&mut tx, actor, JobKind::QuickCampaign, &payload, total).await?;
    sqlx::query("UPDATE quick_campaigns SET job_id = $1 WHERE id = $2").bind(job).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct CampaignDb {
    activity_kind: String,
    member_kind: String,
    list_id: Option<i64>,
    query: Option<String>,
    subject: String,
    description: Option<String>,
    due_at: String,
    priority: String,
    assign_rule: String,
    assignees: Option<String>,
    status: String,
    created_count: i64,
    skipped_count: i64,
}

/// One batch of a campaign's distribution (the job's kind `quick_campaign`): the next members above
/// `after`, each given its activity or skipped, written together with the campaign's counts.
pub async fn job_batch(tx: &mut Tx, actor: &Actor, payload: &str, after: i64, limit: usize) -> Result<Batch, AppError> {
    let p: Payload = serde_json::from_str(payload).map_err(|_| AppError::Internal)?;
    let c = sqlx::query_as::<_, CampaignDb>(
        "SELECT activity_kind, member_kind, list_id, query, subject, description, due_at, priority, assign_rule, assignees, status, created_count, skipped_count \
         FROM quick_campaigns WHERE id = $1",
    )
    .bind(p.campaign)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if c.status != "running" {
        return Ok(Batch { last_id: None, more: false, ..Default::default() });
    }
    let kind = MemberKind::parse(&c.member_kind).ok_or(AppError::Internal)?;
    let activity = ActivityKind::parse(&c.activity_kind).ok_or(AppError::Internal)?;
    let rule = AssignRule::parse(&c.assign_rule).ok_or(AppError::Internal)?;
    let users: Vec<i64> = c.assignees.as_deref().unwrap_or_default().split(',').filter_map(|u| u.trim().parse().ok()).collect();
    let email = activity == ActivityKind::Email;
    if email {
        // The messages of the batch before go out first (after its transaction, see `mail`).
        let (waiting,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM quick_campaign_members WHERE campaign_id = $1 AND outcome IN ('queued', 'sending')")
                .bind(p.campaign)
                .fetch_one(&mut **tx)
                .await?;
        if waiting > 0 {
            return Ok(Batch { last_id: None, more: true, ..Default::default() });
        }
    }
    let src = match (c.list_id, &c.query) {
        (_, Some(q)) => Source::Query(FindQuery::from_param(q)?),
        (Some(id), None) => {
            let row = sqlx::query("SELECT list_type, query FROM marketing_lists WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
            let Some(row) = row else {
                // The list was deleted meanwhile: nothing more to reach.
                finish(tx, p.campaign, "done").await?;
                return Ok(Batch { last_id: None, more: false, ..Default::default() });
            };
            let list_type: String = row.try_get("list_type")?;
            let query: Option<String> = row.try_get("query")?;
            let query = if list_type == "dynamic" { Some(FindQuery::from_param(query.as_deref().unwrap_or_default())?) } else { None };
            Source::List { id, name: String::new(), kind, query }
        }
        (None, None) => return Err(AppError::Internal),
    };
    let ids = member_ids(tx, actor, &src, after, limit as i64).await?;
    let mut more = ids.len() == limit;
    if ids.is_empty() {
        finish(tx, p.campaign, "done").await?;
        return Ok(Batch { last_id: None, more: false, ..Default::default() });
    }
    let members = load_members(tx, kind, &ids).await?;
    let backend = Backend::of(tx);
    let at = now();
    let mut ordinal = c.created_count;
    let mut reached: Vec<(&MemberFacts, i64)> = Vec::new();
    let mut skipped = Vec::new();
    for m in &members {
        match skip_reason(activity, &m.member) {
            Some(r) => skipped.push((m.id, r)),
            None => {
                reached.push((m, assignee(rule, actor.id, m.owner_id, &users, ordinal)));
                ordinal += 1;
            }
        }
    }
    // The assignees' teams, for the activities' visibility.
    let mut owners: Vec<i64> = reached.iter().map(|(_, a)| *a).collect();
    owners.sort_unstable();
    owners.dedup();
    let teams: std::collections::HashMap<i64, Option<i64>> = if owners.is_empty() {
        Default::default()
    } else {
        let mut sql = Sql::new("SELECT id, team_id FROM users WHERE id IN (");
        sql.bind_list(&owners).push(")");
        sql.query_as::<(i64, Option<i64>)>().fetch_all(&mut **tx).await?.into_iter().collect()
    };
    let regarding: RegardingKind = kind.regarding();
    // An e-mail campaign queues its messages; the activities are those of the messages sent.
    if !reached.is_empty() && !email {
        let mut sql = Sql::for_rows(
            backend,
            "INSERT INTO activities (kind, subject, description, status, priority, starts_at, regarding_kind, regarding_id, account_id, owner_id, team_id, \
             is_demo, created_at, created_by, updated_at, updated_by, version, quick_campaign_id) VALUES ",
        );
        for (i, (m, owner)) in reached.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let row: Vec<Val> = vec![
                activity.code().into(),
                c.subject.clone().into(),
                c.description.clone().into(),
                "open".into(),
                c.priority.clone().into(),
                c.due_at.clone().into(),
                regarding.code().into(),
                m.id.into(),
                m.account_id.into(),
                (*owner).into(),
                teams.get(owner).copied().flatten().into(),
                0i64.into(),
                at.clone().into(),
                actor.id.into(),
                at.clone().into(),
                actor.id.into(),
                1i64.into(),
                p.campaign.into(),
            ];
            sql.push("(").bind_list(&row).push(")");
        }
        sql.query().execute(&mut **tx).await?;
    }
    // The new activities' ids by member (one per member and campaign).
    let reached_ids: Vec<i64> = reached.iter().map(|(m, _)| m.id).collect();
    let made: std::collections::HashMap<i64, i64> = if reached_ids.is_empty() || email {
        Default::default()
    } else {
        let mut sql = Sql::new("SELECT regarding_id, id FROM activities WHERE quick_campaign_id = ");
        sql.bind(p.campaign)
            .push(" AND regarding_kind = ")
            .bind(regarding.code())
            .push(" AND regarding_id IN (")
            .bind_list(&reached_ids)
            .push(")");
        sql.query_as::<(i64, i64)>().fetch_all(&mut **tx).await?.into_iter().collect()
    };
    // Each member's outcome.
    let mut sql = Sql::for_rows(
        backend,
        "INSERT INTO quick_campaign_members (campaign_id, member_id, outcome, reason, activity_id, assignee_id) VALUES ",
    );
    let mut first = true;
    let mut row = |sql: &mut Sql, vals: Vec<Val>| {
        if !first {
            sql.push(", ");
        }
        first = false;
        sql.push("(").bind_list(&vals).push(")");
    };
    let outcome = if email { "queued" } else { "created" };
    for (m, owner) in &reached {
        row(
            &mut sql,
            vec![p.campaign.into(), m.id.into(), outcome.into(), None::<String>.into(), made.get(&m.id).copied().into(), (*owner).into()],
        );
    }
    for (id, r) in &skipped {
        row(&mut sql, vec![p.campaign.into(), (*id).into(), "skipped".into(), r.code().into(), None::<i64>.into(), None::<i64>.into()]);
    }
    sql.query().execute(&mut **tx).await?;
    // Audited as each activity's creation.
    let mut log = audit::Batch::new(Some(actor), &at);
    for (m, owner) in &reached {
        if let Some(aid) = made.get(&m.id) {
            log.push("activity", *aid, "create", None, None, None);
            log.push("activity", *aid, "create", Some("kind"), None, Some(activity.code()));
            log.push("activity", *aid, "create", Some("subject"), None, Some(&c.subject));
            log.push("activity", *aid, "create", Some("owner_id"), None, Some(&owner.to_string()));
            log.push("activity", *aid, "create", Some("quick_campaign_id"), None, Some(&p.campaign.to_string()));
        }
    }
    log.write(tx).await?;
    let (created, skip) = (if email { 0 } else { reached.len() as i64 }, skipped.len() as i64);
    sqlx::query("UPDATE quick_campaigns SET created_count = created_count + $1, skipped_count = skipped_count + $2 WHERE id = $3")
        .bind(created)
        .bind(skip)
        .bind(p.campaign)
        .execute(&mut **tx)
        .await?;
    let _ = c.skipped_count;
    // The last messages queued are sent before the campaign is done.
    more |= email && !reached.is_empty();
    if !more {
        finish(tx, p.campaign, "done").await?;
    }
    Ok(Batch { last_id: ids.last().copied(), more, done: reached.len() as i64 + skip, failed: 0, already: 0, problems: Vec::new() })
}

async fn finish(tx: &mut Tx, campaign: i64, status: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE quick_campaigns SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'running'")
        .bind(status)
        .bind(now())
        .bind(campaign)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The members' facts a campaign decides by, in one statement per batch.
async fn load_members(tx: &mut Tx, kind: MemberKind, ids: &[i64]) -> Result<Vec<MemberFacts>, AppError> {
    let select = match kind {
        MemberKind::Contact => {
            "SELECT c.id, c.owner_id, c.email, c.do_not_email, c.do_not_call, c.do_not_mail, COALESCE(a.inactive, 0) AS inactive, 0 AS disqualified, c.account_id \
             FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id IN ("
        }
        MemberKind::Account => {
            "SELECT a.id, a.owner_id, a.email, 0 AS do_not_email, 0 AS do_not_call, 0 AS do_not_mail, a.inactive, 0 AS disqualified, a.id AS account_id \
             FROM accounts a WHERE a.id IN ("
        }
        MemberKind::Lead => {
            "SELECT l.id, l.owner_id, l.email, l.do_not_email, l.do_not_call, l.do_not_mail, 0 AS inactive, \
             CASE WHEN l.status = 'disqualified' THEN 1 ELSE 0 END AS disqualified, l.account_id FROM leads l WHERE l.id IN ("
        }
    };
    let mut sql = Sql::new(select);
    sql.bind_list(ids).push(") ORDER BY 1");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            Ok(MemberFacts {
                member: Member {
                    id: r.try_get("id")?,
                    owner_id: r.try_get("owner_id")?,
                    email: r.try_get("email")?,
                    do_not_email: r.try_get::<i64, _>("do_not_email")? != 0,
                    do_not_call: r.try_get::<i64, _>("do_not_call")? != 0,
                    do_not_mail: r.try_get::<i64, _>("do_not_mail")? != 0,
                    inactive: r.try_get::<i64, _>("inactive")? != 0,
                    disqualified: r.try_get::<i64, _>("disqualified")? != 0,
                },
                account_id: r.try_get("account_id")?,
            })
        })
        .collect()
}

/// A member with the account its activity belongs to (for the account's timeline).
struct MemberFacts {
    member: Member,
    account_id: Option<i64>,
}

impl std::ops::Deref for MemberFacts {
    type Target = Member;
    fn deref(&self) -> &Member {
        &self.member
    }
}

const VIEW_SELECT: &str =
    "SELECT q.id, q.name, q.activity_kind, q.member_kind, q.list_id, ml.name AS list_name, q.query, q.subject, q.description, q.due_at, \
     q.assign_rule, q.status, q.total, q.created_count, q.skipped_count, q.job_id, u.name AS started_by, q.created_at \
     FROM quick_campaigns q JOIN users u ON u.id = q.created_by LEFT JOIN marketing_lists ml ON ml.id = q.list_id WHERE q.id = ";

/// A campaign `actor` may see (its starter's and their team's, like any record), with its counts.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<QuickCampaignView, AppError> {
    let mut sql = Sql::new(VIEW_SELECT);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "q");
    let r = sql.query().fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let mut v = QuickCampaignView {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        activity_kind: r.try_get("activity_kind")?,
        member_kind: r.try_get("member_kind")?,
        list_id: r.try_get("list_id")?,
        list_name: r.try_get("list_name")?,
        query: r.try_get("query")?,
        subject: r.try_get("subject")?,
        description: r.try_get("description")?,
        due_at: crate::clock::to_local(&r.try_get::<String, _>("due_at")?),
        assign_rule: r.try_get("assign_rule")?,
        status: r.try_get("status")?,
        total: r.try_get("total")?,
        created_count: r.try_get("created_count")?,
        skipped_count: r.try_get("skipped_count")?,
        job_id: r.try_get("job_id")?,
        started_by: r.try_get("started_by")?,
        created_at: crate::clock::to_local(&r.try_get::<String, _>("created_at")?),
        ..Default::default()
    };
    v.unsubscribed =
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM quick_campaign_members WHERE campaign_id = $1 AND unsubscribed_at IS NOT NULL")
            .bind(id)
            .fetch_one(&db.pool)
            .await?
            .0;
    v.skipped = sqlx::query_as::<_, (Option<String>, i64)>(
        "SELECT reason, COUNT(*) AS n FROM quick_campaign_members WHERE campaign_id = $1 AND outcome IN ('skipped', 'failed') GROUP BY reason ORDER BY reason",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|(r, n)| (r.unwrap_or_default(), n))
    .collect();
    let rows = sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT a.owner_id, u.name, a.status, COUNT(*) AS n FROM activities a JOIN users u ON u.id = a.owner_id \
         WHERE a.quick_campaign_id = $1 GROUP BY a.owner_id, u.name, a.status ORDER BY u.name",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    for (user_id, name, status, n) in rows {
        let i = match v.progress.iter().position(|p| p.user_id == user_id) {
            Some(i) => i,
            None => {
                v.progress.push(AssigneeProgress { user_id, name, ..Default::default() });
                v.progress.len() - 1
            }
        };
        let p = &mut v.progress[i];
        match status.as_str() {
            "completed" => p.completed += n,
            "cancelled" => p.cancelled += n,
            _ => p.open += n,
        }
    }
    Ok(v)
}

/// The campaigns `actor` may see, newest first, a page at a time (`before`: the last id shown).
pub async fn list(db: &Db, actor: &Actor, before: Option<i64>) -> Result<Vec<QuickCampaignRow>, AppError> {
    let mut sql = Sql::new(
        "SELECT q.id, q.name, q.activity_kind, q.status, q.created_count, q.skipped_count, u.name AS started_by, q.created_at \
         FROM quick_campaigns q JOIN users u ON u.id = q.created_by WHERE 1=1",
    );
    visibility::restrict(&mut sql, actor, "q");
    if let Some(b) = before {
        sql.push(" AND q.id < ").bind(b);
    }
    sql.push(" ORDER BY q.id DESC LIMIT ").bind(crate::services::listing::PAGE_SIZE);
    let rows = sql.query_as::<(i64, String, String, String, i64, i64, String, String)>().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, activity_kind, status, created_count, skipped_count, started_by, created_at)| QuickCampaignRow {
            id,
            name,
            activity_kind,
            status,
            created_count,
            skipped_count,
            started_by,
            created_at: crate::clock::to_local(&created_at),
        })
        .collect())
}

/// The SQL of a member's display name, by kind (`x` the member's row).
pub(crate) fn name_sql(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::Account => "x.name",
        MemberKind::Contact => "x.first_name || ' ' || x.last_name",
        MemberKind::Lead => "TRIM(COALESCE(x.first_name, '') || ' ' || COALESCE(x.last_name, '') || ' · ' || COALESCE(x.company, ''))",
    }
}

/// A page of a campaign's members with their outcome (`outcome` empty for all), by member id.
pub async fn members(db: &Db, actor: &Actor, id: i64, outcome: &str, after: i64) -> Result<Page<QuickMemberRow>, AppError> {
    let c = get(db, actor, id).await?;
    let kind = MemberKind::parse(&c.member_kind).ok_or(AppError::Internal)?;
    let table = table_of(kind);
    let mut sql = Sql::new(&format!(
        "SELECT m.member_id, {} AS name, m.outcome, m.reason, m.activity_id, u.name AS assignee, m.detail, \
         CASE WHEN m.unsubscribed_at IS NULL THEN 0 ELSE 1 END AS unsubscribed FROM quick_campaign_members m \
         LEFT JOIN {table} x ON x.id = m.member_id LEFT JOIN users u ON u.id = m.assignee_id WHERE m.campaign_id = ",
        name_sql(kind)
    ));
    sql.bind(id);
    if matches!(outcome, "created" | "skipped" | "sent" | "failed" | "queued") {
        sql.push(" AND m.outcome = ").bind(outcome.to_string());
    }
    sql.push(" AND m.member_id > ").bind(after);
    sql.push(" ORDER BY m.member_id LIMIT ").bind(crate::services::listing::PAGE_SIZE + 1);
    let mut rows = sql.query().fetch_all(&db.pool).await?;
    let more = rows.len() as i64 > crate::services::listing::PAGE_SIZE;
    rows.truncate(crate::services::listing::PAGE_SIZE as usize);
    let rows = rows
        .iter()
        .map(|r| {
            let member_id: i64 = r.try_get("member_id")?;
            Ok(QuickMemberRow {
                member_id,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_else(|| format!("#{member_id}")),
                outcome: r.try_get("outcome")?,
                reason: r.try_get("reason")?,
                activity_id: r.try_get("activity_id")?,
                assignee: r.try_get("assignee")?,
                detail: r.try_get("detail")?,
                unsubscribed: r.try_get::<i64, _>("unsubscribed")? != 0,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let next_cursor = if more { rows.last().map(|r| r.member_id.to_string()) } else { None };
    let total = rows.len() as i64;
    Ok(Page { rows, next_cursor, total, total_cap: crate::services::listing::COUNT_CAP })
}
