//! The workloads W1–W10: each runs Veza's own code path (the HTTP page, or the service a page's server
//! function calls) against the raw SQL that produces the same rows, alternately, and checks first that
//! both give the same answer. W9 and W10, the marketing features', are in [`marketing`].

mod marketing;

pub use marketing::{w10_campaign, w9_find};

use crate::generate::{BenchUser, DataSet};
use crate::measure::{compare, target, Outcome, Stats};
use crate::raw::{Raw, A};
use crate::server::Server;
use app::db::{Backend, Db};
use app::domain::text::urlencode;
use app::domain::{ListQuery, Role, SessionUser};
use app::services::{contacts, forecast, opportunities::board, search};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Ctx {
    pub db: Db,
    pub raw: Raw,
    pub data: DataSet,
    /// Timed rounds per workload (warm-up rounds are a fifth of it).
    pub rounds: usize,
}

fn e<E: std::fmt::Debug>(x: E) -> String {
    format!("{x:?}")
}

impl Ctx {
    fn user(&self, pred: impl Fn(&BenchUser) -> bool) -> Result<SessionUser, String> {
        let u = self.data.users.iter().find(|u| pred(u)).ok_or("no such user in the data set")?;
        Ok(SessionUser {
            id: u.id,
            email: u.email.clone(),
            name: u.email.clone(),
            role: match u.role {
                "admin" => Role::Admin,
                "manager" => Role::Manager,
                "marketing" => Role::Marketing,
                _ => Role::Sales,
            },
            team_id: u.team_id,
            team_name: None,
            must_change_password: false,
            must_enrol_two_factor: false,
        })
    }
    fn admin(&self) -> Result<SessionUser, String> {
        self.user(|u| u.role == "admin")
    }
    fn sales(&self) -> Result<SessionUser, String> {
        self.user(|u| u.role == "sales")
    }
    fn manager(&self) -> Result<SessionUser, String> {
        self.user(|u| u.role == "manager")
    }
    fn warmup(&self) -> usize {
        (self.rounds / 5).max(2)
    }
    fn open_list(&self) -> String {
        self.data.open_stages.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
    }
}

const CARDS: &str = "SELECT o.id, o.name, a.name AS account_name, o.amount_minor, o.currency, o.close_date, u.name AS owner_name, \
    o.stage_id, o.probability, o.version FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id \
    WHERE o.stage_id = $1 ORDER BY o.close_date, o.id LIMIT $2";
const TOTALS: &str = "SELECT o.stage_id, o.currency, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(o.amount_minor) AS BIGINT) AS total, \
    CAST(SUM(o.amount_minor * o.probability) AS BIGINT) AS weighted_x100 FROM opportunities o \
    WHERE o.stage_id IN ($1, $2, $3, $4, $5) GROUP BY o.stage_id, o.currency";

/// W1: the board page as an administrator sees it (every open opportunity), server-rendered over HTTP,
/// against the raw totals query and the first-cards query of each column.
pub async fn w1_board(cx: &Ctx, server: &Server, client: &reqwest::Client, cookie: &str) -> Result<Outcome, String> {
    let url = format!("{}/pipeline", server.base);
    let open = cx.data.open_stages.clone();
    if open.len() != 5 {
        return Err("W1's baseline expects the five default open stages".into());
    }
    let (v, b) = compare(
        cx.warmup(),
        cx.rounds,
        |_| async {
            let r = client.get(&url).header("cookie", cookie).send().await.map_err(e)?;
            let status = r.status();
            let body = r.text().await.map_err(e)?;
            if !status.is_success() || !body.contains("column-head") {
                return Err(format!("board page answered {status} without columns"));
            }
            Ok(())
        },
        |_| {
            let open = open.clone();
            async move {
                let ids: Vec<A> = open.iter().map(|s| A::I(*s)).collect();
                cx.raw.rows(TOTALS, &ids).await?;
                for s in &open {
                    cx.raw.rows(CARDS, &[A::I(*s), A::I(21)]).await?;
                }
                Ok(())
            }
        },
    )
    .await?;
    let mut o = Outcome::new(
        "W1",
        &format!("pipeline board page, HTTP + SSR ({} open opportunities)", cx.data.scale.open_opportunities),
        target(Some(3.0), Some(150.0)),
        v,
        Some(b),
    );
    o.notes.push("baseline: the totals GROUP BY and the first 21 cards of each open stage".into());
    Ok(o)
}

/// W8: the page of the busiest account (5,000 activities at full scale) as its owner opens it: the
/// account, its contacts and opportunities, and the first page of its 360° timeline, server-rendered.
pub async fn w8_timeline(cx: &Ctx, server: &Server, client: &reqwest::Client) -> Result<Outcome, String> {
    const OWNER: &str = "SELECT u.id, u.email, COALESCE(u.team_id, 0) FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.id = 1";
    let owner: (i64, String, i64) = match &cx.raw {
        Raw::Sqlite(p) => sqlx::query_as(OWNER).fetch_one(p).await.map_err(e)?,
        Raw::Pg(p) => sqlx::query_as(OWNER).fetch_one(p).await.map_err(e)?,
    };
    let cookie = server.sign_in(client, &owner.1, crate::generate::PASSWORD).await?;
    let url = format!("{}/accounts/1", server.base);
    let timeline = &w8_timeline_sql();
    let cross_sell = &w8_cross_sell(if matches!(cx.raw, Raw::Pg(_)) { "JOIN" } else { "CROSS JOIN" });
    let (v, b) = compare(
        cx.warmup(),
        cx.rounds,
        |_| async {
            let r = client.get(&url).header("cookie", &cookie).send().await.map_err(e)?;
            let status = r.status();
            let body = r.text().await.map_err(e)?;
            if !status.is_success() || body.matches("class=\"tl-item").count() < 20 {
                return Err(format!("account page answered {status} without its timeline"));
            }
            Ok(())
        },
        |_| async {
            // What the page shows, each as one query: the account, the form's choices, the related
            // contacts and opportunities, the competition panel and the timeline.
            cx.raw.rows(ACCOUNT, &[A::I(1)]).await?;
            cx.raw.rows(W8_USERS, &[]).await?;
            cx.raw.rows(W8_TEAMS, &[]).await?;
            cx.raw.rows(if matches!(cx.raw, Raw::Pg(_)) { W8_REGIONS_PG } else { W8_REGIONS_SQLITE }, &[]).await?;
            cx.raw.rows(W8_CONTACTS, &[A::I(1)]).await?;
            cx.raw.rows(W8_OPPORTUNITIES, &[A::I(1)]).await?;
            cx.raw.rows(W8_OBSERVATIONS, &[A::I(1)]).await?;
            cx.raw.rows(cross_sell, &[A::I(1), A::I(1), A::I(1), A::I(1)]).await?;
            cx.raw.rows(timeline, &[A::I(1), A::I(26), A::I(owner.0), A::I(owner.2)]).await?;
            Ok(())
        },
    )
    .await?;
    let mut o = Outcome::new(
        "W8",
        &format!("account 360° page with {} activities, HTTP + SSR", cx.data.scale.busy_account_activities),
        target(Some(3.0), Some(100.0)),
        v,
        Some(b),
    );
    o.notes.push(
        "baseline: what the page shows, one query each: the account, users, teams and regions (the form's choices), the first 51 \
         contacts and opportunities of the account, its competitor observations and cross-sell families, and the first 26 timeline \
         items as the page shows them (activities, notes, documents, stage changes, closed leads the user may see, with who and \
         what about) by one UNION ALL"
            .into(),
    );
    Ok(o)
}

const W8_USERS: &str = "SELECT id, name FROM users WHERE active = 1 ORDER BY name";
const W8_TEAMS: &str = "SELECT id, name FROM teams ORDER BY name";
const W8_REGIONS_SQLITE: &str = "SELECT DISTINCT region FROM accounts WHERE region IS NOT NULL ORDER BY region LIMIT 200";
const W8_REGIONS_PG: &str = "WITH RECURSIVE r(region, n) AS (SELECT MIN(region), 1 FROM accounts WHERE region IS NOT NULL \
    UNION ALL SELECT (SELECT MIN(a.region) FROM accounts a WHERE a.region > r.region), n + 1 FROM r WHERE r.region IS NOT NULL AND n < 200) \
    SELECT region FROM r WHERE region IS NOT NULL ORDER BY region";
const W8_CONTACTS: &str = "SELECT c.id, c.first_name, c.last_name, c.job_title, c.email, c.phone, u.name FROM contacts c \
    JOIN users u ON u.id = c.owner_id WHERE c.account_id = $1 ORDER BY c.search_key, c.id LIMIT 51";
const W8_OPPORTUNITIES: &str = "SELECT o.id, o.name, s.name, s.kind, o.probability, o.amount_minor, o.currency, o.close_date, u.name \
    FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN stages s ON s.id = o.stage_id WHERE o.account_id = $1 \
    ORDER BY o.close_date, o.id LIMIT 51";
const W8_OBSERVATIONS: &str =
    "SELECT f.id, c.name, cp.name, f.observed_on, f.region, f.price_minor, f.currency, f.rebate_bp, f.payment_terms, \
    f.quality, f.service, f.why_liked, f.note, u.name FROM field_observations f JOIN accounts c ON c.id = f.competitor_id \
    JOIN users u ON u.id = f.owner_id LEFT JOIN competitor_products cp ON cp.id = f.competitor_product_id \
    WHERE f.customer_id = $1 ORDER BY f.observed_on DESC, f.id DESC LIMIT 20";
/// Product families that accounts like this one (same industry or category) bought and it did not; `j` is the
/// join of the outer query (SQLite needs `CROSS JOIN` to start from the deals' lines, as the service does).
fn w8_cross_sell(j: &str) -> String {
    format!(
        "SELECT p.family, COUNT(DISTINCT o.account_id), SUM(l.total_minor) FROM opportunity_lines l \
         {j} opportunities o ON o.id = l.opportunity_id {j} stages s ON s.id = o.stage_id {j} products p ON p.id = l.product_id \
         {j} accounts a ON a.id = o.account_id WHERE s.kind = 'won' AND o.account_id <> $1 \
         AND (a.industry = (SELECT industry FROM accounts WHERE id = $2) OR a.category = (SELECT category FROM accounts WHERE id = $3)) \
         AND p.family NOT IN (SELECT p2.family FROM opportunity_lines l2 JOIN opportunities o2 ON o2.id = l2.opportunity_id \
         JOIN stages s2 ON s2.id = o2.stage_id JOIN products p2 ON p2.id = l2.product_id WHERE s2.kind = 'won' AND o2.account_id = $4) \
         GROUP BY p.family ORDER BY 2 DESC, 3 DESC, p.family LIMIT 5"
    )
}
const ACCOUNT: &str = "SELECT a.*, u.name FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.id = $1";
/// The first page of the account's timeline as the page shows it, by one UNION ALL: each item's kind and
/// status, who did it and the record it is about (by name), from activities, notes, documents, stage
/// changes and closed leads the user may see (owner `$3` or team `$4`), newest first, `$2` per source.
fn w8_timeline_sql() -> String {
    let label = |t: &str| {
        format!(
            "CASE {t}.regarding_kind WHEN 'account' THEN (SELECT r.name FROM accounts r WHERE r.id = {t}.regarding_id) \
             WHEN 'contact' THEN (SELECT r.first_name || ' ' || r.last_name FROM contacts r WHERE r.id = {t}.regarding_id) \
             WHEN 'opportunity' THEN (SELECT r.name FROM opportunities r WHERE r.id = {t}.regarding_id) \
             ELSE (SELECT TRIM(COALESCE(r.company, '') || ' ' || COALESCE(r.last_name, '')) FROM leads r WHERE r.id = {t}.regarding_id) END"
        )
    };
    format!(
        "SELECT * FROM ( \
         SELECT * FROM (SELECT 'activity' AS src, x.id, x.starts_at AS at, x.kind AS a, x.status AS b, x.subject AS title, \
           COALESCE(x.outcome, x.description) AS detail, u.name AS actor, x.regarding_kind AS link_kind, x.regarding_id AS link_id, \
           {} AS link_label, x.version FROM activities x JOIN users u ON u.id = x.owner_id \
           WHERE x.account_id = $1 AND (x.owner_id = $3 OR x.team_id = $4) ORDER BY x.starts_at DESC, x.id DESC LIMIT $2) AS x \
         UNION ALL SELECT * FROM (SELECT 'note', n.id, n.created_at, NULL, NULL, n.body, NULL, u.name, n.regarding_kind, n.regarding_id, \
           {}, n.version FROM notes n JOIN users u ON u.id = n.owner_id \
           WHERE n.account_id = $1 AND (n.owner_id = $3 OR n.team_id = $4) ORDER BY n.created_at DESC, n.id DESC LIMIT $2) AS n \
         UNION ALL SELECT * FROM (SELECT 'document', d.id, d.created_at, d.content_type, CAST(d.size_bytes AS TEXT), d.file_name, NULL, u.name, \
           d.regarding_kind, d.regarding_id, {}, 1 FROM documents d JOIN users u ON u.id = d.owner_id \
           WHERE d.account_id = $1 AND (d.owner_id = $3 OR d.team_id = $4) ORDER BY d.created_at DESC, d.id DESC LIMIT $2) AS d \
         UNION ALL SELECT * FROM (SELECT 'stage', sc.id, sc.changed_at, ts.kind, fs.name, ts.name, NULL, u.name, 'opportunity', o.id, o.name, \
           o.version FROM opportunity_stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN stages ts ON ts.id = sc.to_stage_id \
           LEFT JOIN stages fs ON fs.id = sc.from_stage_id LEFT JOIN users u ON u.id = sc.changed_by \
           WHERE o.account_id = $1 AND (o.owner_id = $3 OR o.team_id = $4) ORDER BY sc.changed_at DESC, sc.id DESC LIMIT $2) AS s \
         UNION ALL SELECT * FROM (SELECT 'lead', l.id, l.closed_at, l.status, \
           (SELECT p.label_en || '|' || p.label_sr FROM picklist_values p WHERE p.id = l.disqualify_reason_id), \
           TRIM(COALESCE(l.company, '') || ' ' || COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, '')), l.disqualify_note, u.name, \
           'lead', l.id, TRIM(COALESCE(l.company, '') || ' ' || COALESCE(l.last_name, '')), l.version FROM leads l LEFT JOIN users u ON u.id = l.closed_by \
           WHERE l.closed_at IS NOT NULL AND l.account_id = $1 AND (l.owner_id = $3 OR l.team_id = $4) \
           ORDER BY l.closed_at DESC, l.id DESC LIMIT $2) AS l \
         ) AS items ORDER BY at DESC, id DESC LIMIT $2",
        label("x"),
        label("n"),
        label("d")
    )
}

/// W2: moving an opportunity to another stage through the service (authorization, versioned update,
/// stage-change row, audit rows), against the same writes in one raw transaction.
pub async fn w2_move(cx: &Ctx) -> Result<Outcome, String> {
    let actor = cx.sales()?;
    let sql = format!(
        "SELECT id, stage_id, version FROM opportunities WHERE owner_id = $1 AND stage_id IN ({}) ORDER BY id LIMIT 400",
        cx.open_list()
    );
    let rows: Vec<(i64, i64, i64)> = match &cx.raw {
        Raw::Sqlite(p) => sqlx::query_as(&sql).bind(actor.id).fetch_all(p).await.map_err(e)?,
        Raw::Pg(p) => sqlx::query_as(&sql).bind(actor.id).fetch_all(p).await.map_err(e)?,
    };
    if rows.len() < 4 {
        return Err("W2 needs at least 4 open opportunities of one salesperson".into());
    }
    // Veza moves the even ones, the baseline the odd ones, so neither sees a stale version.
    let state: Arc<Mutex<Vec<(i64, i64, i64)>>> = Arc::new(Mutex::new(rows));
    let open = cx.data.open_stages.clone();
    let probability = |stage: i64| -> i64 { [10, 20, 40, 60, 80][open.iter().position(|s| *s == stage).unwrap_or(0) % 5] };
    let pick = |i: usize, parity: usize| {
        let st = state.lock().unwrap();
        let n = st.len() / 2;
        let k = (i % n) * 2 + parity;
        let (id, stage, version) = st[k];
        let next = open[(open.iter().position(|s| *s == stage).unwrap_or(0) + 1) % open.len()];
        (k, id, stage, next, version)
    };
    let (v, b) = compare(
        cx.warmup(),
        cx.rounds,
        |i| {
            let (k, id, _, next, version) = pick(i, 0);
            let (actor, state) = (actor.clone(), state.clone());
            async move {
                let card = board::move_opportunity(&cx.db, &actor, id, next, version).await.map_err(e)?;
                state.lock().unwrap()[k] = (id, next, card.version);
                Ok(())
            }
        },
        |i| {
            let (k, id, stage, next, version) = pick(i, 1);
            let (uid, state) = (actor.id, state.clone());
            let p = probability(next);
            async move {
                let now = app::db::now();
                cx.raw
                    .transaction(
                        &[
                            ("SELECT stage_id, version FROM opportunities WHERE id = $1", vec![A::I(id)]),
                            (
                                "UPDATE opportunities SET stage_id = $1, probability = $2, stage_changed_at = $3, updated_at = $3, updated_by = $4, \
                                 version = version + 1 WHERE id = $5 AND version = $6",
                                vec![A::I(next), A::I(p), A::T(now.clone()), A::I(uid), A::I(id), A::I(version)],
                            ),
                            (
                                "INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by) \
                                 VALUES ($1, $2, $3, $4, $5)",
                                vec![A::I(id), A::I(stage), A::I(next), A::T(now.clone()), A::I(uid)],
                            ),
                            (
                                "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) VALUES \
                                 ('opportunity', $1, 'update', 'stage_id', $2, $3, $4, $5), ('opportunity', $1, 'update', 'probability', NULL, $6, $4, $5)",
                                vec![A::I(id), A::T(stage.to_string()), A::T(next.to_string()), A::I(uid), A::T(now), A::T(p.to_string())],
                            ),
                        ],
                        true,
                    )
                    .await?;
                state.lock().unwrap()[k] = (id, next, version + 1);
                Ok(())
            }
        },
    )
    .await?;
    let mut o = Outcome::new("W2", "move an opportunity to another stage (service)", target(Some(2.0), Some(30.0)), v, Some(b));
    o.notes.push("baseline: read, versioned UPDATE, stage-change row and two audit rows in one transaction".into());
    Ok(o)
}

const CONTACT_LIST: &str = "SELECT c.id, c.first_name, c.last_name, c.account_id, a.name AS account_name, c.job_title, c.email, c.phone, \
    u.name AS owner_name, c.search_key AS sort_value FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id WHERE 1=1";

/// W3: the contact list: a salesperson's first page filtered by buying role and sorted by name, and an
/// administrator's page 10,000 (keyset), against the raw page query and the raw capped count.
pub async fn w3_contacts(cx: &Ctx) -> Result<Vec<Outcome>, String> {
    let sales = cx.sales()?;
    let team = sales.team_id.ok_or("salesperson without a team")?;
    let q_first = ListQuery { kind: "decision_maker".into(), sort: "name".into(), ..Default::default() };
    let first_where = " AND (c.owner_id = $1 OR c.team_id = $2) AND c.buying_role = $3";
    let first_args = vec![A::I(sales.id), A::I(team), A::T("decision_maker".into()), A::I(51)];
    let count_args = vec![A::I(sales.id), A::I(team), A::T("decision_maker".into()), A::I(app::domain::COUNT_CAP + 1)];
    let first_sql = format!("{CONTACT_LIST}{first_where} ORDER BY c.search_key ASC, c.id ASC LIMIT $4");
    let first_count = format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM contacts c WHERE 1=1{first_where} LIMIT $4) AS matches");
    // Same rows?
    let page = contacts::list(&cx.db, &sales, &q_first).await.map_err(e)?;
    let ids = cx.raw.ids(&first_sql, &first_args).await?;
    if page.rows.iter().map(|r| r.id).collect::<Vec<_>>() != ids.iter().take(50).copied().collect::<Vec<_>>() {
        return Err("W3: Veza's first page differs from the raw query's".into());
    }
    let (v1, b1) = compare(
        cx.warmup(),
        cx.rounds,
        |_| async { contacts::list(&cx.db, &sales, &q_first).await.map(|_| ()).map_err(e) },
        |_| async {
            cx.raw.rows(&first_sql, &first_args).await?;
            cx.raw.rows(&first_count, &count_args).await?;
            Ok(())
        },
    )
    .await?;

    // Page 10,000 of everyone's contacts by name (or the last full page of a smaller data set).
    let admin = cx.admin()?;
    let page_no = (10_000i64).min(cx.data.scale.contacts / 50 - 1).max(1);
    let offset = (page_no - 1) * 50 - 1;
    let (key, id): (String, i64) = match &cx.raw {
        Raw::Sqlite(p) => {
            sqlx::query_as("SELECT search_key, id FROM contacts ORDER BY search_key, id LIMIT 1 OFFSET $1").bind(offset).fetch_one(p).await
        }
        Raw::Pg(p) => {
            sqlx::query_as("SELECT search_key, id FROM contacts ORDER BY search_key, id LIMIT 1 OFFSET $1").bind(offset).fetch_one(p).await
        }
    }
    .map_err(e)?;
    let q_deep = ListQuery { sort: "name".into(), cursor: app::db::sql::encode_cursor(&key, id), ..Default::default() };
    let deep_sql = format!("{CONTACT_LIST} AND (c.search_key, c.id) > ($1, $2) ORDER BY c.search_key ASC, c.id ASC LIMIT $3");
    let deep_args = vec![A::T(key), A::I(id), A::I(51)];
    let deep_count = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contacts c WHERE 1=1 LIMIT $1) AS matches";
    let page = contacts::list(&cx.db, &admin, &q_deep).await.map_err(e)?;
    let ids = cx.raw.ids(&deep_sql, &deep_args).await?;
    if page.rows.iter().map(|r| r.id).collect::<Vec<_>>() != ids.iter().take(50).copied().collect::<Vec<_>>() {
        return Err("W3: Veza's deep page differs from the raw query's".into());
    }
    let (v2, b2) = compare(
        cx.warmup(),
        cx.rounds,
        |_| async { contacts::list(&cx.db, &admin, &q_deep).await.map(|_| ()).map_err(e) },
        |_| async {
            cx.raw.rows(&deep_sql, &deep_args).await?;
            cx.raw.rows(deep_count, &[A::I(app::domain::COUNT_CAP + 1)]).await?;
            Ok(())
        },
    )
    .await?;
    let deep_vs_first = v2.p50_ms / v1.p50_ms.max(1e-6);
    let mut first =
        Outcome::new("W3a", "contact list, first page (salesperson, role filter, by name)", target(Some(2.0), Some(50.0)), v1, Some(b1));
    first.notes.push(format!("baseline: the raw page query and the raw count capped at {}", app::domain::COUNT_CAP + 1));
    let mut deep = Outcome::new(
        "W3b",
        &format!("contact list, page {page_no} by keyset (administrator)"),
        target(Some(2.0), Some(50.0)),
        v2,
        Some(b2),
    );
    deep.notes.push(format!("deep page / first page (p50): {deep_vs_first:.2} (target ≤ 1.5)"));
    if deep_vs_first > 1.5 {
        deep.met = Some(false);
    }
    Ok(vec![first, deep])
}

/// W4: the forecast (weighted sum by owner × month × stage) over every opportunity of three years and
/// the next, as a manager (team visibility) and as an administrator (all of them).
pub async fn w4_forecast(cx: &Ctx) -> Result<Vec<Outcome>, String> {
    let from = (cx.data.as_of - chrono::Duration::days(3 * 365 + 1)).format("%Y-%m-%d").to_string();
    let to = (cx.data.as_of + chrono::Duration::days(366)).format("%Y-%m-%d").to_string();
    let mut out = Vec::new();
    for (id, who, actor) in [("W4a", "manager, team visibility", cx.manager()?), ("W4b", "administrator, every opportunity", cx.admin()?)] {
        let mut sql = "SELECT o.owner_id, u.name, substr(o.close_date, 1, 7) AS month, o.stage_id, o.currency, CAST(COUNT(*) AS BIGINT), \
             CAST(SUM(o.amount_minor) AS BIGINT), CAST(SUM(o.amount_minor * o.probability) AS BIGINT) \
             FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE o.close_date >= $1 AND o.close_date <= $2"
            .to_string();
        let mut args = vec![A::T(from.clone()), A::T(to.clone())];
        if actor.role != Role::Admin {
            sql.push_str(" AND (o.owner_id = $3 OR o.team_id = $4)");
            args.push(A::I(actor.id));
            args.push(A::I(actor.team_id.unwrap_or(0)));
        }
        sql.push_str(" GROUP BY o.owner_id, u.name, substr(o.close_date, 1, 7), o.stage_id, o.currency ORDER BY 3, 2, 1, 4");
        let cells = forecast::by_owner_month_stage(&cx.db, &actor, &from, &to).await.map_err(e)?;
        let raw_rows = cx.raw.rows(&sql, &args).await?;
        if cells.is_empty() || raw_rows < cells.len() {
            return Err(format!("W4: {} forecast cells from {raw_rows} raw rows", cells.len()));
        }
        let rounds = (cx.rounds / 5).max(5);
        let (v, b) = compare(
            2,
            rounds,
            |_| async { forecast::by_owner_month_stage(&cx.db, &actor, &from, &to).await.map(|_| ()).map_err(e) },
            |_| async { cx.raw.rows(&sql, &args).await.map(|_| ()) },
        )
        .await?;
        let mut o = Outcome::new(id, &format!("forecast by owner × month × stage ({who})"), target(Some(1.5), None), v, Some(b));
        o.notes.push(format!("{} cells; baseline: the same GROUP BY, raw", cells.len()));
        out.push(o);
    }
    out.push(w4_forecast_report(cx, &from, &to).await?);
    Ok(out)
}

/// W4c: the forecast report page's service (won, open and weighted by month × salesperson, in RSD,
/// with the goals beside it) as a manager, against the raw GROUP BY that sums the same table.
async fn w4_forecast_report(cx: &Ctx, from: &str, to: &str) -> Result<Outcome, String> {
    use app::domain::reports::ReportQuery;
    let actor = cx.manager()?;
    let q = ReportQuery { from: from.to_string(), to: to.to_string(), period: "month".into(), group: "owner".into(), ..Default::default() };
    let sql = "SELECT substr(o.close_date, 1, 7) AS p, o.owner_id, u.name, o.currency, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN s.kind = 'won' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN s.kind = 'won' THEN o.amount_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN s.kind = 'open' THEN o.amount_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN s.kind = 'open' THEN o.amount_minor * o.probability ELSE 0 END) AS BIGINT) \
         FROM opportunities o JOIN stages s ON s.id = o.stage_id JOIN users u ON u.id = o.owner_id \
         WHERE o.close_date >= $1 AND o.close_date <= $2 AND s.kind IN ('open', 'won') AND (o.owner_id = $3 OR o.team_id = $4) \
         GROUP BY 1, 2, 3, 4";
    let args = vec![A::T(from.to_string()), A::T(to.to_string()), A::I(actor.id), A::I(actor.team_id.unwrap_or(0))];
    let report = app::services::reports::forecast(&cx.db, &actor, &q).await.map_err(e)?;
    let raw_rows = cx.raw.rows(sql, &args).await?;
    if report.cells.is_empty() || raw_rows < report.cells.len() {
        return Err(format!("W4c: {} report cells from {raw_rows} raw rows", report.cells.len()));
    }
    let rounds = (cx.rounds / 5).max(5);
    let (v, b) = compare(
        2,
        rounds,
        |_| async { app::services::reports::forecast(&cx.db, &actor, &q).await.map(|_| ()).map_err(e) },
        |_| async { cx.raw.rows(sql, &args).await.map(|_| ()) },
    )
    .await?;
    let mut o =
        Outcome::new("W4c", "forecast report: won, open, weighted by month × salesperson (manager)", target(Some(1.5), None), v, Some(b));
    o.notes.push(format!(
        "{} cells over {} months; baseline: the same sums grouped by currency, raw",
        report.cells.len(),
        report.periods.len()
    ));
    Ok(o)
}

/// Search terms a salesperson would type: surnames, company words, a product, e-mail and phone fragments.
pub const TERMS: [&str; 8] = ["petrović", "agro", "vitrine", "đorđević", "office@elektro", "zečević", "64 12", "servis"];

/// W6: global search (top 20 over accounts, contacts and opportunities) through the service, against
/// the same UNION on the raw driver.
pub async fn w6_search(cx: &Ctx) -> Result<Outcome, String> {
    let actor = cx.sales()?;
    let team = actor.team_id.ok_or("salesperson without a team")?;
    let backend = cx.db.backend;
    let raw_query = |term: &str| -> (String, Vec<A>) {
        let key = app::domain::text::search_key(term);
        let mut args = Vec::new();
        let mut sql = String::from("SELECT kind, id, title, detail, sort_key FROM (");
        let parts = [
            ("'account'", "a", "accounts", "a.name", "a.city"),
            (
                "'contact'",
                "c",
                "contacts",
                "c.first_name || ' ' || c.last_name",
                "(SELECT x.name FROM accounts x WHERE x.id = c.account_id)",
            ),
            ("'opportunity'", "o", "opportunities", "o.name", "(SELECT x.name FROM accounts x WHERE x.id = o.account_id)"),
        ];
        for (i, (kind, al, table, title, detail)) in parts.iter().enumerate() {
            if i > 0 {
                sql.push_str(" UNION ALL ");
            }
            let n = args.len();
            let filter = if backend == Backend::Sqlite && key.chars().count() >= 3 {
                args.push(A::T(format!("\"{}\"", key.replace('"', "\"\""))));
                format!("{al}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ${})", n + 1)
            } else {
                args.push(A::T(format!("%{}%", app::domain::text::like_escape(&key))));
                format!("{al}.search_text LIKE ${} ESCAPE '\\'", n + 1)
            };
            args.push(A::I(actor.id));
            args.push(A::I(team));
            args.push(A::I(search::LIMIT));
            sql.push_str(&format!(
                "SELECT * FROM (SELECT {kind} AS kind, {al}.id, {title} AS title, {detail} AS detail, {al}.search_key AS sort_key FROM {table} {al} \
                 WHERE {filter} AND ({al}.owner_id = ${} OR {al}.team_id = ${}) ORDER BY {al}.id DESC LIMIT ${}) AS {table}_hits",
                n + 2,
                n + 3,
                n + 4
            ));
        }
        args.push(A::T(format!("{}%", app::domain::text::like_escape(&key))));
        args.push(A::I(search::LIMIT));
        sql.push_str(&format!(
            ") AS hits ORDER BY CASE WHEN sort_key LIKE ${} ESCAPE '\\' THEN 0 ELSE 1 END, sort_key, kind, id LIMIT ${}",
            args.len() - 1,
            args.len()
        ));
        (sql, args)
    };
    let queries: Vec<(String, Vec<A>)> = TERMS.iter().map(|t| raw_query(t)).collect();
    for (t, (sql, args)) in TERMS.iter().zip(&queries) {
        let hits = search::global(&cx.db, &actor, t).await.map_err(e)?;
        let n = cx.raw.rows(sql, args).await?;
        if n != hits.len() {
            return Err(format!("W6: {t:?} gives {} hits in Veza and {n} raw", hits.len()));
        }
    }
    let (v, b) = compare(
        cx.warmup(),
        cx.rounds,
        |i| {
            let actor = actor.clone();
            async move { search::global(&cx.db, &actor, TERMS[i % TERMS.len()]).await.map(|_| ()).map_err(e) }
        },
        |i| {
            let (sql, args) = &queries[i % TERMS.len()];
            async move { cx.raw.rows(sql, args).await.map(|_| ()) }
        },
    )
    .await?;
    let mut o = Outcome::new("W6", "global search, top 20 (salesperson)", target(Some(2.0), Some(50.0)), v, Some(b));
    o.notes.push(format!("terms: {}", TERMS.join(", ")));
    o.notes.push("the search also covers leads; the data set has none, so that branch answers from an empty index".into());
    Ok(o)
}

/// W7: 50 simulated salespeople over HTTP for `secs` seconds: 80% page reads (board, contact search,
/// accounts, global search), 20% stage moves through the server function. `paced`: each user acts about
/// once a second (0.5–1.5 s between actions: several times a real salesperson's pace); otherwise every
/// user fires its next request as soon as the last one answered, which measures saturation throughput.
pub async fn w7_mixed(cx: &Ctx, server: &Server, secs: u64, paced: bool) -> Result<(Outcome, Option<f64>), String> {
    use leptos::server_fn::ServerFn;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().map_err(e)?;
    let users: Vec<&BenchUser> = cx.data.users.iter().filter(|u| u.role == "sales").take(50).collect();
    let mut sessions = Vec::new();
    for u in &users {
        let cookie = server.sign_in(&client, &u.email, crate::generate::PASSWORD).await?;
        let sql =
            format!("SELECT id, version FROM opportunities WHERE owner_id = $1 AND stage_id IN ({}) ORDER BY id LIMIT 50", cx.open_list());
        let opps: Vec<(i64, i64)> = match &cx.raw {
            Raw::Sqlite(p) => sqlx::query_as(&sql).bind(u.id).fetch_all(p).await.map_err(e)?,
            Raw::Pg(p) => sqlx::query_as(&sql).bind(u.id).fetch_all(p).await.map_err(e)?,
        };
        sessions.push((cookie, opps));
    }
    let move_path = <app::api::pipeline::MoveOpportunity as ServerFn>::PATH;
    let latencies = Arc::new(Mutex::new(Vec::<(&'static str, Duration)>::new()));
    let (errors, writes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let open = cx.data.open_stages.clone();
    let peak_rss = Arc::new(Mutex::new(server.rss_mib().unwrap_or(0.0)));
    let mut tasks = Vec::new();
    for (n, (cookie, mut opps)) in sessions.into_iter().enumerate() {
        let (client, base, lat, errors, writes, first_error, open) =
            (client.clone(), server.base.clone(), latencies.clone(), errors.clone(), writes.clone(), first_error.clone(), open.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(n as u64);
            let mut k = 0usize;
            while Instant::now() < deadline {
                if paced {
                    tokio::time::sleep(Duration::from_millis(rng.gen_range(500..1500))).await;
                }
                let r: f64 = rng.gen();
                let term = urlencode(TERMS[rng.gen_range(0..TERMS.len())]);
                let t = Instant::now();
                let mut kind = "stage move";
                let result = if r < 0.80 || opps.is_empty() {
                    let (k, path) = if r < 0.30 {
                        ("board", "/pipeline".to_string())
                    } else if r < 0.50 {
                        ("contact search", format!("/contacts?q={term}"))
                    } else if r < 0.65 {
                        ("account list", "/accounts".to_string())
                    } else {
                        ("global search", format!("/search?q={term}"))
                    };
                    kind = k;
                    match client.get(format!("{base}{path}")).header("cookie", &cookie).send().await {
                        Ok(resp) if resp.status().is_success() => resp.bytes().await.map(|_| ()).map_err(|x| x.to_string()),
                        Ok(resp) => Err(format!("GET {path}: {}", resp.status())),
                        Err(x) => Err(format!("GET {path}: {x}")),
                    }
                } else {
                    k = (k + 1) % opps.len();
                    let (id, version) = opps[k];
                    let stage = open[rng.gen_range(0..open.len())];
                    let body = format!("id={id}&stage_id={stage}&version={version}");
                    let sent = client
                        .post(format!("{base}{move_path}"))
                        .header("cookie", &cookie)
                        .header("origin", &base)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body)
                        .send()
                        .await;
                    writes.fetch_add(1, Ordering::Relaxed);
                    match sent {
                        Ok(resp) if resp.status().is_success() => match resp
                            .bytes()
                            .await
                            .map_err(|x| x.to_string())
                            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).map_err(|x| x.to_string()))
                        {
                            Ok(card) => {
                                opps[k].1 = card["version"].as_i64().unwrap_or(version);
                                Ok(())
                            }
                            Err(x) => Err(format!("move: {x}")),
                        },
                        Ok(resp) => {
                            let status = resp.status();
                            Err(format!("move: {status} {}", resp.text().await.unwrap_or_default()))
                        }
                        Err(x) => Err(format!("move: {x}")),
                    }
                };
                lat.lock().unwrap().push((kind, t.elapsed()));
                if let Err(msg) = result {
                    errors.fetch_add(1, Ordering::Relaxed);
                    first_error.lock().unwrap().get_or_insert(msg);
                }
            }
        }));
    }
    let sampler = {
        let peak = peak_rss.clone();
        let pid_rss = move || server.rss_mib();
        let started = Instant::now();
        async move {
            while started.elapsed() < Duration::from_secs(secs) {
                if let Some(r) = pid_rss() {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(r);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    sampler.await;
    for t in tasks {
        t.await.map_err(e)?;
    }
    let samples = std::mem::take(&mut *latencies.lock().unwrap());
    let total = samples.len();
    let mut by_kind = Vec::new();
    for k in ["board", "contact search", "account list", "global search", "stage move"] {
        let st = Stats::of(samples.iter().filter(|(kind, _)| *kind == k).map(|(_, d)| *d).collect());
        by_kind.push(format!("{k} {:.0}/{:.0}", st.p50_ms, st.p95_ms));
    }
    let stats = Stats::of(samples.into_iter().map(|(_, d)| d).collect());
    let errors = errors.load(Ordering::Relaxed);
    let mut o = if paced {
        let mut o = Outcome::new(
            "W7",
            &format!("mixed load: {} users acting about once a second, 80% reads / 20% writes, {secs} s, HTTP", users.len()),
            target(None, Some(200.0)),
            stats,
            None,
        );
        o.target.text = "0 errors, p95 ≤ 200 ms".into();
        o
    } else {
        let mut o = Outcome::new(
            "W7b",
            &format!("saturation: {} users without pause, same mix, {secs} s, HTTP", users.len()),
            target(None, None),
            stats,
            None,
        );
        o.target.text = "0 errors; throughput reported".into();
        o
    };
    o.notes.push(format!(
        "{total} requests ({} writes), {:.0} requests/s, {errors} errors",
        writes.load(Ordering::Relaxed),
        total as f64 / secs as f64
    ));
    o.notes.push(format!("p50/p95 ms by request: {}", by_kind.join(", ")));
    if let Some(msg) = first_error.lock().unwrap().take() {
        o.notes.push(format!("first error: {msg}"));
    }
    if errors > 0 {
        o.met = Some(false);
    }
    o.errors = errors;
    let peak = *peak_rss.lock().unwrap();
    Ok((o, Some(peak)))
}

/// W5: an import of `rows` contacts from a CSV through Veza's import job — upload, analysis
/// (normalization, checks, duplicates in the file and against the existing contacts) and the import in
/// batches — against raw prepared single-row inserts of as many contacts in one transaction (on SQLite
/// with their full-text rows written in one statement at the end, as the import writes them). The file
/// repeats an existing contact's e-mail (in capitals) every 20th row, its own previous row every 50th,
/// and has a bad e-mail every 100th. Both are cleaned up after (Veza's by undoing the import).
pub async fn w5_import(cx: &Ctx, rows: usize) -> Result<Outcome, String> {
    use app::domain::imports::{ImportEntity, ImportOptions};
    use app::services::imports;
    let admin = cx.admin()?;
    let existing: Vec<(String, String, String)> = {
        let sql = "SELECT first_name, last_name, email FROM contacts WHERE email IS NOT NULL ORDER BY id LIMIT $1";
        match &cx.raw {
            Raw::Sqlite(p) => sqlx::query_as(sql).bind((rows / 20) as i64).fetch_all(p).await.map_err(e)?,
            Raw::Pg(p) => sqlx::query_as(sql).bind((rows / 20) as i64).fetch_all(p).await.map_err(e)?,
        }
    };
    let mut csv = String::from("IME;PREZIME;E-mail;Mobilni;Pozicija\n");
    let mut last = String::new();
    for i in 0..rows {
        let line = if i % 20 == 0 && !existing.is_empty() {
            let (f, l, m) = &existing[(i / 20) % existing.len()];
            format!("{f};{l};{};066 {:07};\n", m.to_uppercase(), i)
        } else if i % 50 == 1 && !last.is_empty() {
            last.clone()
        } else if i % 100 == 7 {
            format!("Pogrešna;Adresa{i};nije-email;;\n")
        } else {
            format!("MARKO{i};petrović;Marko.Petrovic{i}@W5-Import.bench;065/{:03}-{:04};komercijalista\n", i / 10_000, i % 10_000)
        };
        csv.push_str(&line);
        last = line;
    }
    let bytes = csv.into_bytes();
    let started = Instant::now();
    let id = imports::upload(&cx.db, &admin, ImportEntity::Contact, "w5.csv", bytes).await.map_err(e)?;
    let upload_s = started.elapsed().as_secs_f64();
    let view = imports::mapping_view(&cx.db, &admin, id).await.map_err(e)?;
    imports::analyse(&cx.db, &admin, id, view.import.version, view.mapping, ImportOptions::default(), "").await.map_err(e)?;
    imports::run_pending(&cx.db, "bench").await.map_err(e)?;
    let analysed_s = started.elapsed().as_secs_f64();
    let s = imports::summary(&cx.db, &admin, id).await.map_err(e)?;
    imports::start(&cx.db, &admin, id, s.version).await.map_err(e)?;
    imports::run_pending(&cx.db, "bench").await.map_err(e)?;
    let veza = started.elapsed();
    let done = imports::summary(&cx.db, &admin, id).await.map_err(e)?;
    if done.total_rows != rows as i64 || done.created + done.updated + done.skipped + done.rejected != rows as i64 {
        return Err(format!(
            "W5: the import accounted for {} of {rows} rows ({done:?})",
            done.created + done.updated + done.skipped + done.rejected
        ));
    }
    let t = Instant::now();
    imports::undo(&cx.db, &admin, id).await.map_err(e)?;
    let undo_s = t.elapsed().as_secs_f64();

    // Baseline: the same number of plain inserts, prepared, one row each, in one transaction, marked with
    // the import as Veza's are. On SQLite the full-text rows follow as Veza writes them — one
    // INSERT … SELECT at the end — since the insert trigger skips imported rows (migration 0010).
    let sql =
        "INSERT INTO contacts (first_name, last_name, search_key, email, mobile, owner_id, team_id, created_at, created_by, updated_at, \
               updated_by, version, search_text, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $8, $6, 1, $9, $10) RETURNING id";
    let fts = "INSERT INTO contacts_fts (rowid, search_text) SELECT id, search_text FROM contacts WHERE import_id = $1";
    let now = app::db::now();
    let t = Instant::now();
    macro_rules! baseline {
        ($pool:expr, $begin:expr, $sqlite:expr) => {{
            let mut tx = $begin.await.map_err(e)?;
            for i in 0..rows {
                let (first_name, last, mail) = (format!("Marko{i}"), "Petrović".to_string(), format!("marko.petrovic{i}@w5-raw.bench"));
                let _: (i64,) = sqlx::query_as(sql)
                    .bind(&first_name)
                    .bind(&last)
                    .bind(format!("marko{i} petrovic"))
                    .bind(&mail)
                    .bind("+381645550000")
                    .bind(admin.id)
                    .bind(admin.team_id)
                    .bind(&now)
                    .bind(format!("marko{i} petrovic {mail}"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(e)?;
            }
            if $sqlite {
                sqlx::query(fts).bind(id).execute(&mut *tx).await.map_err(e)?;
            }
            tx.commit().await.map_err(e)?;
        }};
    }
    match &cx.raw {
        Raw::Sqlite(p) => baseline!(p, p.begin_with("BEGIN IMMEDIATE"), true),
        Raw::Pg(p) => baseline!(p, p.begin(), false),
    }
    let raw = t.elapsed();
    cx.raw.rows("DELETE FROM contacts WHERE email LIKE '%@w5-raw.bench' RETURNING id", &[]).await?;
    cx.raw.rows("DELETE FROM import_chunks WHERE import_id = $1 RETURNING seq", &[A::I(id)]).await?;

    let mut out = Outcome::new(
        "W5",
        &format!(
            "import {} contacts (normalization, duplicates in the file and against {} existing)",
            crate::fmt(rows as i64),
            crate::fmt(cx.data.scale.contacts)
        ),
        target(Some(4.0), None),
        Stats::of(vec![veza]),
        Some(Stats::of(vec![raw])),
    );
    let rate = |d: Duration| rows as f64 / d.as_secs_f64().max(1e-9);
    out.notes.push(format!(
        "Veza {:.0} rows/s ({:.2} s: upload {:.2} s, analysis {:.2} s, import {:.2} s), raw insert {:.0} rows/s — {:.0}% of raw (target ≥ 25%)",
        rate(veza),
        veza.as_secs_f64(),
        upload_s,
        analysed_s - upload_s,
        veza.as_secs_f64() - analysed_s,
        rate(raw),
        100.0 * raw.as_secs_f64() / veza.as_secs_f64()
    ));
    out.notes.push(format!(
        "created {}, updated {}, skipped {}, rejected {}, duplicate groups {}; undo took {undo_s:.2} s",
        done.created, done.updated, done.skipped, done.rejected, done.groups
    ));
    Ok(out)
}
