//! The marketing features' workloads: W9, an advanced find with a condition on a related record, and
//! W10, a quick campaign distributed as a job — each against what a developer would write by hand for
//! the same result, in the same run.

use super::{e, Ctx};
use crate::generate::BenchUser;
use crate::measure::{compare, target, Outcome, Stats};
use crate::raw::{Raw, A};
use app::domain::find::{Cond, Entity, FindQuery, Group, Node, Op, Quantifier, Related};
use app::domain::{Role, SessionUser};
use std::time::Instant;

/// W9's question, a marketing segment: purchasing people who decide, at accounts in one region —
/// contacts whose account is in this region (a condition on a related record), with this buying role
/// and a job title containing this text. The generator gives every region a team (the salesperson
/// asking is one of that team's), a quarter of the contacts the role and an eighth the title
/// "nabavka": about 1 in 160 contacts matches (6,208 of 1,000,000).
const W9_REGION: &str = "Šumadija";
const W9_ROLE: &str = "decision_maker";
const W9_TITLE: &str = "nabav";

/// The advanced-find query of W9, as the find page's builder makes it: three conditions, one on the
/// contact's account; the default columns, sorted by name.
fn w9_query() -> FindQuery {
    let cond = |field: &str, op: Op, value: &str| Node::Cond(Cond { field: field.into(), op, values: vec![value.into()] });
    FindQuery {
        entity: Entity::Contact,
        root: Group {
            any: false,
            items: vec![
                Node::Related(Related {
                    rel: "account".into(),
                    quantifier: Quantifier::Has,
                    group: Group { any: false, items: vec![cond("region", Op::Eq, W9_REGION)] },
                    total_op: None,
                    total_values: Vec::new(),
                }),
                cond("buying_role", Op::Eq, W9_ROLE),
                cond("job_title", Op::Contains, W9_TITLE),
            ],
        },
        columns: Vec::new(),
        sort: "name".into(),
        desc: false,
    }
}

/// W9: advanced find over contacts — account in a region (a related-record condition), buying role,
/// job title containing a text — its first page (50 rows by name) and its capped count through
/// `services::find::run`, as a salesperson of the region's team (team visibility) and as an
/// administrator; against the page query and the capped count a developer would write by hand: the
/// same columns by joins, the same order, LIMIT 51, the same visibility rule.
pub async fn w9_find(cx: &Ctx) -> Result<Vec<Outcome>, String> {
    let team_name = format!("Prodaja {W9_REGION}");
    let team = cx.raw.ids("SELECT id FROM teams WHERE name = $1", &[A::T(team_name.clone())]).await?;
    let team = *team.first().ok_or_else(|| format!("W9: the data set has no team {team_name:?}"))?;
    let sales = cx.user(|u| u.role == "sales" && u.team_id == Some(team))?;
    let q = w9_query();
    let mut out = Vec::new();
    for (id, who, actor) in [("W9a", "salesperson of the region's team", sales), ("W9b", "administrator", cx.admin()?)] {
        let (page_sql, count_sql, mut args) = w9_raw_sql(&actor);
        let mut count_args = args.clone();
        count_args.push(A::I(app::domain::COUNT_CAP + 1));
        args.push(A::I(app::services::listing::PAGE_SIZE + 1));
        // Same rows, same count?
        let result = app::services::find::run(&cx.db, &actor, &q, "").await.map_err(e)?;
        let ids = cx.raw.ids(&page_sql, &args).await?;
        if result.rows.is_empty() {
            return Err(format!(
                "W9: the query finds no contacts for the {who}: the data set lacks {W9_REGION}, {W9_ROLE} or {W9_TITLE:?}"
            ));
        }
        if result.rows.iter().map(|r| r.id).collect::<Vec<_>>() != ids.iter().take(50).copied().collect::<Vec<_>>() {
            return Err(format!("W9: Veza's first page differs from the raw query's ({who})"));
        }
        let raw_total =
            if ids.len() > 50 { cx.raw.ids(&count_sql, &count_args).await?.first().copied().unwrap_or(0) } else { ids.len() as i64 };
        if raw_total != result.total {
            return Err(format!("W9: Veza counts {} matches, the raw query {raw_total} ({who})", result.total));
        }
        let (v, b) = compare(
            cx.warmup(),
            cx.rounds,
            |_| async { app::services::find::run(&cx.db, &actor, &q, "").await.map(|_| ()).map_err(e) },
            |_| async {
                // As the service: a page that holds every match is its own count.
                if cx.raw.rows(&page_sql, &args).await? > 50 {
                    cx.raw.rows(&count_sql, &count_args).await?;
                }
                Ok(())
            },
        )
        .await?;
        let mut o = Outcome::new(
            id,
            &format!(
                "advanced find: contacts, account in {W9_REGION}, {W9_ROLE}, job title contains {W9_TITLE:?}, first page by name ({who})"
            ),
            target(Some(2.0), Some(100.0)),
            v,
            Some(b),
        );
        o.notes.push(format!(
            "{} matches (counted to {}); baseline: the page by joins (account, owner) with LIMIT 51 and the capped count, written by hand",
            if result.total > app::domain::COUNT_CAP { format!("{}+", app::domain::COUNT_CAP) } else { result.total.to_string() },
            app::domain::COUNT_CAP + 1
        ));
        out.push(o);
    }
    Ok(out)
}

/// The hand-written page and count of W9 for `actor`, and their common arguments (the limits follow).
fn w9_raw_sql(actor: &SessionUser) -> (String, String, Vec<A>) {
    let mut filter = "a.region = $1 AND c.buying_role = $2 AND c.job_title LIKE $3".to_string();
    let mut args = vec![A::T(W9_REGION.into()), A::T(W9_ROLE.into()), A::T(format!("%{W9_TITLE}%"))];
    if actor.role != Role::Admin {
        filter.push_str(" AND (c.owner_id = $4 OR c.team_id = $5)");
        args.push(A::I(actor.id));
        args.push(A::I(actor.team_id.unwrap_or(0)));
    }
    let limit = args.len() + 1;
    let page = format!(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, a.name AS account_name, c.job_title, c.email, c.phone, u.name AS owner_name, \
         c.search_key FROM contacts c JOIN accounts a ON a.id = c.account_id JOIN users u ON u.id = c.owner_id \
         WHERE {filter} ORDER BY c.search_key, c.id LIMIT ${limit}"
    );
    let count = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE {filter} LIMIT ${limit}) AS matches"
    );
    (page, count, args)
}

/// W10's campaign and list names: an interrupted run's leftovers are found by them and removed.
const W10_NAME: &str = "veza-bench W10";
/// Members of W10's campaign at full scale (half the contacts at a smaller one).
const W10_MEMBERS: i64 = 10_000;
/// Rows per transaction of the raw inserts: the job's batch.
const W10_BATCH: usize = app::services::jobs::BATCH;

/// One activity the raw side inserts: the member, its account, the assignee and the assignee's team.
struct RawActivity {
    contact: i64,
    account: Option<i64>,
    owner: i64,
    team: Option<i64>,
}

/// W10: a quick campaign of phone calls to the 10,000 contacts of a static marketing list, round-robin
/// among three salespeople, as an administrator: `services::quick_campaigns::start` and its job run to
/// the end by `services::job_runner::run_pending` (batches of 200 members per transaction: the members'
/// facts, the activities, each member's outcome, five audit rows per activity, the progress). Against
/// raw multi-row INSERTs of the same activity rows, 200 to a transaction. The list is built first and
/// is not timed; every activity, campaign and job is deleted after its round, and the list at the end,
/// so the data set stays as generated (no member is on account 1, W8's).
pub async fn w10_campaign(cx: &Ctx) -> Result<Outcome, String> {
    use app::domain::marketing::MarketingListInput;
    use app::domain::quick_campaign::QuickCampaignInput;
    use app::services::{marketing, quick_campaigns};
    let admin = cx.admin()?;
    remove_leftovers(cx).await?;
    let members_n = W10_MEMBERS.min(cx.data.scale.contacts / 2);
    let assignees: Vec<&BenchUser> = cx.data.users.iter().filter(|u| u.role == "sales").take(3).collect();
    if assignees.len() < 3 {
        return Err("W10 needs three salespeople".into());
    }
    let members: Vec<(i64, Option<i64>)> = {
        let sql = "SELECT id, account_id FROM contacts WHERE account_id <> 1 ORDER BY id LIMIT $1";
        match &cx.raw {
            Raw::Sqlite(p) => sqlx::query_as(sql).bind(members_n).fetch_all(p).await.map_err(e)?,
            Raw::Pg(p) => sqlx::query_as(sql).bind(members_n).fetch_all(p).await.map_err(e)?,
        }
    };
    if members.len() as i64 != members_n {
        return Err(format!("W10: {} contacts for {members_n} members", members.len()));
    }

    // The list, outside the timed part: created and filled through the lists' services, 1,000 ids a call.
    let list_input =
        MarketingListInput { name: W10_NAME.into(), member_kind: "contact".into(), list_type: "static".into(), ..Default::default() };
    let list = marketing::create(&cx.db, &admin, &list_input).await.map_err(e)?;
    let ids: Vec<i64> = members.iter().map(|(id, _)| *id).collect();
    let mut added = 0;
    for chunk in ids.chunks(1_000) {
        added += marketing::members::add(&cx.db, &admin, list, chunk).await.map_err(e)?.added;
    }
    if added != members_n {
        return Err(format!("W10: {added} of {members_n} members added to the list"));
    }

    let due = (cx.data.as_of + chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
    let due_at = app::clock::parse_local("due", &format!("{due}T09:00")).map_err(e)?;
    let input = QuickCampaignInput {
        list_id: list.to_string(),
        name: W10_NAME.into(),
        activity_kind: "call".into(),
        subject: "Poziv: prolećna ponuda".into(),
        due,
        priority: "normal".into(),
        assign_rule: "round_robin".into(),
        assignees: assignees.iter().map(|u| u.id.to_string()).collect::<Vec<_>>().join(","),
        ..Default::default()
    };
    // The raw side's rows point at a campaign of their own, so they are found and deleted the same way.
    let raw_campaign = cx
        .raw
        .ids(
            "INSERT INTO quick_campaigns (name, activity_kind, member_kind, subject, due_at, priority, assign_rule, status, owner_id, \
             created_at, updated_at) VALUES ($1, 'call', 'contact', $2, $3, 'normal', 'round_robin', 'done', $4, $5, $5) RETURNING id",
            &[A::T(W10_NAME.into()), A::T(input.subject.clone()), A::T(due_at.clone()), A::I(admin.id), A::T(app::db::now())],
        )
        .await?[0];
    let rows: Vec<RawActivity> = members
        .iter()
        .enumerate()
        .map(|(i, (contact, account))| {
            let u = assignees[i % assignees.len()];
            RawActivity { contact: *contact, account: *account, owner: u.id, team: u.team_id }
        })
        .collect();

    // Three rounds, alternating which side goes first; the median counts.
    let rounds = 3;
    let (mut veza, mut raw, mut started) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        for side in [round % 2, 1 - round % 2] {
            if side == 0 {
                let t = Instant::now();
                let id = quick_campaigns::start(&cx.db, &admin, &input).await.map_err(e)?;
                let start = t.elapsed();
                app::services::job_runner::run_pending(&cx.db, None, "bench").await.map_err(e)?;
                veza.push(t.elapsed());
                started.push(start);
                let job = check_campaign(cx, id, members_n, &assignees).await?;
                delete_campaign(cx, id, job, true).await?;
            } else {
                let t = Instant::now();
                raw_insert(cx, &rows, raw_campaign, &input.subject, &due_at, admin.id).await?;
                raw.push(t.elapsed());
                delete_campaign(cx, raw_campaign, None, false).await?;
            }
        }
    }
    delete_campaign(cx, raw_campaign, None, true).await?;
    delete_list(cx, list).await?;

    let (v, b, s) = (Stats::of(veza), Stats::of(raw), Stats::of(started));
    let rate = |ms: f64| members_n as f64 / (ms / 1000.0).max(1e-9);
    let mut o = Outcome::new(
        "W10",
        &format!("quick campaign: {} calls to a static list, round-robin among 3 users, start + job", crate::fmt(members_n)),
        target(Some(4.0), None),
        v.clone(),
        Some(b.clone()),
    );
    o.notes.push(format!(
        "Veza {:.0} rows/s ({:.2} s: start {:.2} s, job {:.2} s), raw multi-row inserts {:.0} rows/s ({:.2} s, {W10_BATCH} rows per transaction) — \
         {:.0}% of raw (target ≥ 25%); p50 of {rounds} rounds",
        rate(v.p50_ms),
        v.p50_ms / 1000.0,
        s.p50_ms / 1000.0,
        (v.p50_ms - s.p50_ms) / 1000.0,
        rate(b.p50_ms),
        b.p50_ms / 1000.0,
        100.0 * b.p50_ms / v.p50_ms.max(1e-9)
    ));
    o.notes.push(
        "Veza also writes per member its outcome row and five audit rows, and reads the members' facts and the new activities' ids; \
         the raw side only the activities"
            .into(),
    );
    Ok(o)
}

/// Checks that campaign `id` is done with one activity per member, shared in turn among the
/// assignees; returns its job.
async fn check_campaign(cx: &Ctx, id: i64, members: i64, assignees: &[&BenchUser]) -> Result<Option<i64>, String> {
    let sql = "SELECT status, created_count, skipped_count, job_id FROM quick_campaigns WHERE id = $1";
    let (status, created, skipped, job): (String, i64, i64, Option<i64>) = match &cx.raw {
        Raw::Sqlite(p) => sqlx::query_as(sql).bind(id).fetch_one(p).await.map_err(e)?,
        Raw::Pg(p) => sqlx::query_as(sql).bind(id).fetch_one(p).await.map_err(e)?,
    };
    if status != "done" || created != members || skipped != 0 {
        return Err(format!("W10: the campaign ended {status} with {created} activities and {skipped} skipped of {members} members"));
    }
    let per_owner =
        cx.raw.ids("SELECT COUNT(*) AS n FROM activities WHERE quick_campaign_id = $1 GROUP BY owner_id ORDER BY 1", &[A::I(id)]).await?;
    let share = members / assignees.len() as i64;
    if per_owner.len() != assignees.len() || per_owner.iter().any(|n| *n < share || *n > share + 1) {
        return Err(format!("W10: activities per assignee {per_owner:?}, expected about {share} each"));
    }
    Ok(job)
}

/// The raw side: the activities of `rows`, `W10_BATCH` to a multi-row INSERT and a transaction, with
/// the columns and values the campaign's job writes.
async fn raw_insert(cx: &Ctx, rows: &[RawActivity], campaign: i64, subject: &str, due_at: &str, by: i64) -> Result<(), String> {
    const COLS: &str =
        "kind, subject, description, status, priority, starts_at, regarding_kind, regarding_id, account_id, owner_id, team_id, \
         is_demo, created_at, created_by, updated_at, updated_by, version, quick_campaign_id";
    let sqlite = matches!(cx.raw, Raw::Sqlite(_));
    // Anonymous `?` on SQLite, which looks numbered placeholders up by a linear walk (generate.rs).
    let statement = |n: usize| {
        let mut sql = format!("INSERT INTO activities ({COLS}) VALUES ");
        for r in 0..n {
            sql.push_str(if r > 0 { ", (" } else { "(" });
            for c in 0..18 {
                if c > 0 {
                    sql.push_str(", ");
                }
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push_str(&format!("${}", r * 18 + c + 1));
                }
            }
            sql.push(')');
        }
        sql
    };
    let full = statement(W10_BATCH);
    let now = app::db::now();
    macro_rules! insert {
        ($begin:expr) => {{
            for chunk in rows.chunks(W10_BATCH) {
                let sql = if chunk.len() == W10_BATCH { full.clone() } else { statement(chunk.len()) };
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind("call")
                        .bind(subject)
                        .bind(None::<String>)
                        .bind("open")
                        .bind("normal")
                        .bind(due_at)
                        .bind("contact")
                        .bind(r.contact)
                        .bind(r.account)
                        .bind(r.owner)
                        .bind(r.team)
                        .bind(0i64)
                        .bind(&now)
                        .bind(by)
                        .bind(&now)
                        .bind(by)
                        .bind(1i64)
                        .bind(campaign);
                }
                let mut tx = $begin.await.map_err(e)?;
                q.execute(&mut *tx).await.map_err(e)?;
                tx.commit().await.map_err(e)?;
            }
        }};
    }
    match &cx.raw {
        Raw::Sqlite(p) => insert!(p.begin_with("BEGIN IMMEDIATE")),
        Raw::Pg(p) => insert!(p.begin()),
    }
    Ok(())
}

/// Deletes campaign `id`'s activities (with their audit rows), its members' outcomes and its audit
/// rows; with `whole`, the campaign itself and its job too. Foreign keys are not checked meanwhile:
/// `activities.follow_up_of` has no index, so each deleted activity would make the database scan every
/// activity for follow-ups (nothing refers to these rows; their one child table is emptied first).
async fn delete_campaign(cx: &Ctx, id: i64, job: Option<i64>, whole: bool) -> Result<(), String> {
    const ROWS: [&str; 4] = [
        "DELETE FROM audit_entries WHERE entity = 'activity' AND record_id IN (SELECT id FROM activities WHERE quick_campaign_id = $1)",
        "DELETE FROM activities WHERE quick_campaign_id = $1",
        "DELETE FROM quick_campaign_members WHERE campaign_id = $1",
        "DELETE FROM audit_entries WHERE entity = 'quick_campaign' AND record_id = $1",
    ];
    macro_rules! delete {
        ($conn:expr, $begin:expr) => {{
            sqlx::raw_sql($begin).execute(&mut *$conn).await.map_err(e)?;
            for sql in ROWS {
                sqlx::query(sql).bind(id).execute(&mut *$conn).await.map_err(e)?;
            }
            if whole {
                sqlx::query("DELETE FROM quick_campaigns WHERE id = $1").bind(id).execute(&mut *$conn).await.map_err(e)?;
                if let Some(job) = job {
                    sqlx::query("DELETE FROM jobs WHERE id = $1").bind(job).execute(&mut *$conn).await.map_err(e)?;
                }
            }
            sqlx::raw_sql("COMMIT").execute(&mut *$conn).await.map_err(e)?;
        }};
    }
    match &cx.raw {
        Raw::Sqlite(p) => {
            let mut c = p.acquire().await.map_err(e)?;
            sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *c).await.map_err(e)?;
            let r: Result<(), String> = async {
                delete!(c, "BEGIN IMMEDIATE");
                Ok(())
            }
            .await;
            if r.is_err() {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *c).await;
            }
            sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *c).await.map_err(e)?;
            r
        }
        Raw::Pg(p) => {
            let mut c = p.acquire().await.map_err(e)?;
            // Triggers (foreign keys among them) off for this session: needs a superuser, as the
            // harness's default Postgres user is; otherwise the deletes check them, slowly.
            let off = sqlx::raw_sql("SET session_replication_role = replica").execute(&mut *c).await.is_ok();
            let r: Result<(), String> = async {
                delete!(c, "BEGIN");
                Ok(())
            }
            .await;
            if r.is_err() {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *c).await;
            }
            if off {
                sqlx::raw_sql("RESET session_replication_role").execute(&mut *c).await.map_err(e)?;
            }
            r
        }
    }
}

/// Deletes W10's marketing list `id`: its members, its audit rows and the list.
async fn delete_list(cx: &Ctx, id: i64) -> Result<(), String> {
    cx.raw
        .transaction(
            &[
                ("DELETE FROM marketing_list_members WHERE list_id = $1", vec![A::I(id)]),
                (
                    "DELETE FROM audit_entries WHERE entity = $1 AND record_id = $2",
                    vec![A::T(app::services::marketing::ENTITY.into()), A::I(id)],
                ),
                ("DELETE FROM marketing_lists WHERE id = $1", vec![A::I(id)]),
            ],
            false,
        )
        .await
}

/// Removes what an interrupted run of W10 left: its campaigns (with their activities and jobs) and lists.
async fn remove_leftovers(cx: &Ctx) -> Result<(), String> {
    let sql = "SELECT id, job_id FROM quick_campaigns WHERE name = $1";
    let old: Vec<(i64, Option<i64>)> = match &cx.raw {
        Raw::Sqlite(p) => sqlx::query_as(sql).bind(W10_NAME).fetch_all(p).await.map_err(e)?,
        Raw::Pg(p) => sqlx::query_as(sql).bind(W10_NAME).fetch_all(p).await.map_err(e)?,
    };
    for (id, job) in old {
        delete_campaign(cx, id, job, true).await?;
    }
    for list in cx.raw.ids("SELECT id FROM marketing_lists WHERE name = $1", &[A::T(W10_NAME.into())]).await? {
        delete_list(cx, list).await?;
    }
    Ok(())
}
