//! The 360° timeline of a record: its activities, notes, opportunity stage changes (opened, moved,
//! won, lost) and lead qualification, newest first, in pages. An account's timeline includes its
//! contacts', opportunities' and former leads' items, because activities and notes carry the account
//! they roll up to.
//!
//! One query: a UNION ALL of one branch per source, each taking at most a page from its own index
//! in time order, then merged. Items are ordered by (time, key) where key = id × 8 + source, unique
//! across sources, so the keyset cursor is exact even when two items share a time.

use super::activities::regarding_label;
use super::{notes, visibility, Actor};
use crate::clock::{self, to_local};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::validate::parse_date;
use crate::domain::{
    ActivityKind, ActivityStatus, RegardingKind, StageKind, TimelineFilter, TimelineItem, TimelineKind, TimelinePage, TimelineQuery,
};
use crate::error::AppError;
use chrono::Duration;

pub const PAGE: i64 = 25;

const SRC_ACTIVITY: i64 = 0;
const SRC_NOTE: i64 = 1;
const SRC_STAGE: i64 = 2;
const SRC_LEAD: i64 = 3;
const SRC_DOCUMENT: i64 = 4;

/// Bounds shared by every branch: the date range and the cursor.
struct Window {
    from: Option<String>,
    to: Option<String>,
    cursor: Option<(String, i64)>,
}

impl Window {
    /// ` AND …` on `at_expr` and key `id_expr * 8 + src`.
    fn apply(&self, sql: &mut Sql, at_expr: &str, id_expr: &str, src: i64) {
        if let Some(f) = &self.from {
            sql.push(&format!(" AND {at_expr} >= ")).bind(f.clone());
        }
        if let Some(t) = &self.to {
            sql.push(&format!(" AND {at_expr} < ")).bind(t.clone());
        }
        if let Some((at, key)) = &self.cursor {
            // Written so the time part is an index range: at <= c AND (at < c OR key < k).
            sql.push(&format!(" AND {at_expr} <= ")).bind(at.clone());
            sql.push(&format!(" AND ({at_expr} < ")).bind(at.clone());
            sql.push(&format!(" OR {id_expr} * 8 + {src} < ")).bind(*key).push(")");
        }
    }
}

fn decode_cursor(c: &str) -> Option<(String, i64)> {
    let (at, key) = c.rsplit_once('|')?;
    Some((at.to_string(), key.parse().ok()?))
}

/// Which record's items a branch takes: a condition on the branch's own columns.
fn scope(kind: RegardingKind, id: i64, alias: &str, sql: &mut Sql) {
    if kind == RegardingKind::Account {
        sql.push(&format!(" AND {alias}.account_id = ")).bind(id);
    } else {
        sql.push(&format!(" AND {alias}.regarding_kind = ")).bind(kind.code()).push(&format!(" AND {alias}.regarding_id = ")).bind(id);
    }
}

const COLUMNS: &str = "src, id, at, k, a, b, title, detail, actor, link_kind, link_id, link_label, version";

/// The timeline page of the record `q.kind`/`q.id` (which the caller has checked `actor` may see).
pub async fn page(db: &Db, actor: &Actor, q: &TimelineQuery) -> Result<TimelinePage, AppError> {
    let kind = RegardingKind::parse(&q.kind).ok_or(AppError::NotFound)?;
    // The record itself must be visible: its timeline is as secret as it is.
    // One connection for the check and the page (one trip through the pool, not two).
    let mut conn = db.pool.acquire().await?;
    super::activities::regarding(&mut conn, actor, kind, q.id).await.map_err(|_| AppError::NotFound)?;
    let filter = TimelineFilter::parse(&q.filter).unwrap_or(TimelineFilter::All);
    let window = Window {
        from: parse_date(&q.from).map(clock::day_start),
        to: parse_date(&q.to).map(|d| clock::day_start(d + Duration::days(1))),
        cursor: decode_cursor(&q.cursor),
    };
    let take = |f: TimelineFilter| filter == TimelineFilter::All || filter == f;
    // Branches are written into one statement (placeholders are numbered as they are bound).
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM ("));
    let mut branches = 0;
    let open = |sql: &mut Sql, n: &mut i32| {
        if *n > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT * FROM (");
    };
    let close = |sql: &mut Sql, n: &mut i32| {
        sql.push(&format!(") AS b{n}"));
        *n += 1;
    };

    if take(TimelineFilter::Activities) {
        open(&mut sql, &mut branches);
        let b = &mut sql;
        b.push(&format!(
            "SELECT 'activity' AS src, x.id, x.starts_at AS at, x.id * 8 + {SRC_ACTIVITY} AS k, x.kind AS a, x.status AS b, x.subject AS title, \
             COALESCE(x.outcome, x.description) AS detail, u.name AS actor, x.regarding_kind AS link_kind, x.regarding_id AS link_id, \
             {} AS link_label, x.version FROM activities x JOIN users u ON u.id = x.owner_id WHERE 1=1",
            regarding_label("x")
        ));
        scope(kind, q.id, "x", b);
        visibility::restrict(b, actor, "x");
        window.apply(b, "x.starts_at", "x.id", SRC_ACTIVITY);
        b.push(" ORDER BY x.starts_at DESC, x.id DESC LIMIT ").bind(PAGE + 1);
        close(&mut sql, &mut branches);
    }
    if take(TimelineFilter::Notes) {
        open(&mut sql, &mut branches);
        let b = &mut sql;
        b.push(&format!(
            "SELECT 'note' AS src, n.id, n.created_at AS at, n.id * 8 + {SRC_NOTE} AS k, CAST(NULL AS TEXT) AS a, CAST(NULL AS TEXT) AS b, \
             n.body AS title, CAST(NULL AS TEXT) AS detail, u.name AS actor, n.regarding_kind AS link_kind, n.regarding_id AS link_id, \
             {} AS link_label, n.version FROM notes n JOIN users u ON u.id = n.owner_id WHERE 1=1",
            regarding_label("n")
        ));
        scope(kind, q.id, "n", b);
        visibility::restrict(b, actor, "n");
        window.apply(b, "n.created_at", "n.id", SRC_NOTE);
        b.push(" ORDER BY n.created_at DESC, n.id DESC LIMIT ").bind(PAGE + 1);
        close(&mut sql, &mut branches);
    }
    if take(TimelineFilter::Documents) {
        open(&mut sql, &mut branches);
        let b = &mut sql;
        b.push(&format!(
            "SELECT 'document' AS src, d.id, d.created_at AS at, d.id * 8 + {SRC_DOCUMENT} AS k, d.content_type AS a, CAST(d.size_bytes AS TEXT) AS b, \
             d.file_name AS title, CAST(NULL AS TEXT) AS detail, u.name AS actor, d.regarding_kind AS link_kind, d.regarding_id AS link_id, \
             {} AS link_label, 1 AS version FROM documents d JOIN users u ON u.id = d.owner_id WHERE 1=1",
            regarding_label("d")
        ));
        scope(kind, q.id, "d", b);
        visibility::restrict(b, actor, "d");
        window.apply(b, "d.created_at", "d.id", SRC_DOCUMENT);
        b.push(" ORDER BY d.created_at DESC, d.id DESC LIMIT ").bind(PAGE + 1);
        close(&mut sql, &mut branches);
    }
    let deals_scope = match kind {
        RegardingKind::Account => Some("o.account_id = "),
        RegardingKind::Contact => Some("o.contact_id = "),
        RegardingKind::Opportunity => Some("o.id = "),
        RegardingKind::Lead => None,
    };
    if let (true, Some(cond)) = (take(TimelineFilter::Deals), deals_scope) {
        open(&mut sql, &mut branches);
        let b = &mut sql;
        b.push(&format!(
            "SELECT 'stage' AS src, sc.id, sc.changed_at AS at, sc.id * 8 + {SRC_STAGE} AS k, ts.kind AS a, fs.name AS b, ts.name AS title, \
             CAST(NULL AS TEXT) AS detail, u.name AS actor, 'opportunity' AS link_kind, o.id AS link_id, o.name AS link_label, o.version \
             FROM opportunity_stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN stages ts ON ts.id = sc.to_stage_id \
             LEFT JOIN stages fs ON fs.id = sc.from_stage_id LEFT JOIN users u ON u.id = sc.changed_by WHERE {cond}"
        ));
        b.bind(q.id);
        visibility::restrict(b, actor, "o");
        window.apply(b, "sc.changed_at", "sc.id", SRC_STAGE);
        b.push(" ORDER BY sc.changed_at DESC, sc.id DESC LIMIT ").bind(PAGE + 1);
        close(&mut sql, &mut branches);
    }
    let lead_scope = match kind {
        RegardingKind::Account => "l.account_id = ",
        RegardingKind::Contact => "l.contact_id = ",
        RegardingKind::Opportunity => "l.opportunity_id = ",
        RegardingKind::Lead => "l.id = ",
    };
    if take(TimelineFilter::Leads) {
        open(&mut sql, &mut branches);
        let b = &mut sql;
        b.push(&format!(
            "SELECT 'lead' AS src, l.id, l.closed_at AS at, l.id * 8 + {SRC_LEAD} AS k, l.status AS a, \
             (SELECT p.label_en || '|' || p.label_sr FROM picklist_values p WHERE p.id = l.disqualify_reason_id) AS b, \
             TRIM(COALESCE(l.company, '') || ' ' || COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, '')) AS title, \
             l.disqualify_note AS detail, u.name AS actor, 'lead' AS link_kind, l.id AS link_id, \
             TRIM(COALESCE(l.company, '') || ' ' || COALESCE(l.last_name, '')) AS link_label, l.version \
             FROM leads l LEFT JOIN users u ON u.id = l.closed_by WHERE l.closed_at IS NOT NULL AND {lead_scope}"
        ));
        b.bind(q.id);
        visibility::restrict(b, actor, "l");
        window.apply(b, "l.closed_at", "l.id", SRC_LEAD);
        b.push(" ORDER BY l.closed_at DESC, l.id DESC LIMIT ").bind(PAGE + 1);
        close(&mut sql, &mut branches);
    }
    if branches == 0 {
        return Ok(TimelinePage { items: Vec::new(), next_cursor: None, now: local_now(), can_send_email: false });
    }
    sql.push(") AS items ORDER BY at DESC, k DESC LIMIT ").bind(PAGE + 1);

    type ItemDb = (
        String,
        i64,
        String,
        i64,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
        Option<String>,
        i64,
    );
    let mut rows = sql.query_as::<ItemDb>().fetch_all(&mut *conn).await?;
    let next_cursor = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| format!("{}|{}", r.2, r.3))
    } else {
        None
    };
    let items = rows.into_iter().map(|r| to_item(kind, q.id, r)).collect();
    Ok(TimelinePage { items, next_cursor, now: local_now(), can_send_email: false })
}

fn local_now() -> String {
    to_local(&clock::stamp(chrono::Utc::now()))
}

#[allow(clippy::type_complexity)]
fn to_item(
    page_kind: RegardingKind,
    page_id: i64,
    r: (String, i64, String, i64, Option<String>, Option<String>, String, Option<String>, Option<String>, String, i64, Option<String>, i64),
) -> TimelineItem {
    let (src, id, at, _k, a, b, title, detail, actor, link_kind, link_id, link_label, version) = r;
    let link_kind = RegardingKind::parse(&link_kind).unwrap_or(RegardingKind::Account);
    // Links only to other records than the page's own.
    let link = (link_kind != page_kind || link_id != page_id).then(|| (link_kind.href(link_id), link_label.unwrap_or_default()));
    let base = TimelineItem {
        key: String::new(),
        kind: TimelineKind::Note,
        at: to_local(&at),
        title: String::new(),
        detail: None,
        body_html: None,
        actor,
        link,
        activity: None,
        reason: None,
        file: None,
    };
    match src.as_str() {
        "activity" => {
            let k = ActivityKind::parse(a.as_deref().unwrap_or("")).unwrap_or(ActivityKind::Task);
            let s = ActivityStatus::parse(b.as_deref().unwrap_or("")).unwrap_or(ActivityStatus::Open);
            TimelineItem { key: format!("a{id}"), kind: TimelineKind::Activity(k, s), title, detail, activity: Some((id, version)), ..base }
        }
        "document" => {
            let size = b.as_deref().and_then(|b| b.parse().ok()).unwrap_or(0);
            TimelineItem { key: format!("d{id}"), kind: TimelineKind::Document, title, file: Some((id, size)), ..base }
        }
        "note" => TimelineItem { key: format!("n{id}"), kind: TimelineKind::Note, body_html: Some(notes::render_markdown(&title)), ..base },
        "stage" => {
            let kind = match (StageKind::parse(a.as_deref().unwrap_or("")), &b) {
                (Some(StageKind::Won), _) => TimelineKind::Won,
                (Some(StageKind::Lost), _) => TimelineKind::Lost,
                (_, None) => TimelineKind::Opened,
                _ => TimelineKind::StageChanged,
            };
            // Title: the stage reached; detail: the stage left.
            TimelineItem { key: format!("s{id}"), kind, title, detail: b, ..base }
        }
        _ => {
            let kind = if a.as_deref() == Some("disqualified") { TimelineKind::Disqualified } else { TimelineKind::Qualified };
            // The reason arrives as "English|Serbian" (labels contain no "|": both come from one form field each).
            let reason = b.and_then(|r| r.split_once('|').map(|(en, sr)| (en.to_string(), sr.to_string())));
            TimelineItem { key: format!("l{id}"), kind, title, detail, reason, ..base }
        }
    }
}
