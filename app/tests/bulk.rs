//! Integration tests of the bulk actions on the record lists and of the background jobs they run as —
//! each on a fresh SQLite file and a fresh Postgres database (see `common/`): assigning an owner by
//! ticked rows and by the list's filters (stale versions, records the user may not see, closed leads),
//! deleting with a refusal, a job resumed from its cursor after its server stopped, two servers never
//! doing a batch twice, progress counts, cancelling, exporting the ticked rows, and adding a selection
//! to a marketing list.
//!
//! Run: `cargo test -p app --features ssr --test bulk`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::api::bulk::BulkOutcome;
use app::api::jobs::{JobStatus, JobView};
use app::db::Db;
use app::domain::bulk::{BulkAction, BulkList, Scope, Selection};
use app::domain::marketing::MarketingListInput;
use app::domain::{AccountInput, LeadInput, ListQuery};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::export::{self, ExportList};
use app::services::marketing::{self, members};
use app::services::{accounts, audit, bulk, contacts, job_runner, jobs, leads, trash, Actor};

fn ids(list: BulkList, pairs: &[(i64, i64)]) -> Selection {
    Selection { list, scope: Scope::Ids(pairs.to_vec()) }
}

fn matching(list: BulkList, q: ListQuery) -> Selection {
    Selection { list, scope: Scope::Matching(Box::new(q)) }
}

fn done(outcome: BulkOutcome) -> JobView {
    match outcome {
        BulkOutcome::Done(v) => v,
        BulkOutcome::Started(id) => panic!("ran as job {id}, expected at once"),
    }
}

fn started(outcome: BulkOutcome) -> i64 {
    match outcome {
        BulkOutcome::Started(id) => id,
        BulkOutcome::Done(v) => panic!("ran at once ({v:?}), expected a job"),
    }
}

async fn account_in(db: &Db, actor: &Actor, name: &str, region: &str) -> i64 {
    let input = AccountInput { name: name.into(), types: vec!["customer".into()], region: region.into(), ..Default::default() };
    accounts::create(db, actor, &input).await.expect("create account")
}

async fn owner_of(db: &Db, table: &str, id: i64) -> i64 {
    count_for(db, &format!("SELECT owner_id AS n FROM {table} WHERE id = $1"), id).await
}

/// The owner changes of a record's history: (from, to), oldest first, names resolved.
async fn owner_changes(db: &Db, entity: &str, id: i64) -> Vec<(Option<String>, Option<String>)> {
    let mut h: Vec<_> = audit::history(db, entity, id, None, 100)
        .await
        .expect("history")
        .into_iter()
        .filter(|e| e.action == "update" && e.field.as_deref() == Some("owner_id"))
        .map(|e| (e.old_value, e.new_value))
        .collect();
    h.reverse();
    h
}

struct People {
    ana: Actor,
    marko: Actor,
    bojan: Actor,
    admin: Actor,
}

/// Ana and Marko sell in one team, Bojan in another; an administrator.
async fn people(db: &Db) -> People {
    seed(db).await;
    let north = team(db, "Sever").await;
    let south = team(db, "Jug").await;
    People {
        ana: user(db, "ana@veza.rs", "Ana", "sales", Some(north)).await,
        marko: user(db, "marko@veza.rs", "Marko", "sales", Some(north)).await,
        bojan: user(db, "bojan@veza.rs", "Bojan", "sales", Some(south)).await,
        admin: user(db, "admin@veza.rs", "Admin", "admin", None).await,
    }
}

/// Ticked accounts go to Marko, as single edits would: a stale one is a conflict and keeps its owner,
/// one of another team is "not found", and each change is in the history like a form's.
async fn assign_ticked_rows(db: Db) {
    let p = people(&db).await;
    let a1 = new_account(&db, &p.ana, "Prvi d.o.o.").await;
    let a2 = new_account(&db, &p.ana, "Drugi d.o.o.").await;
    let a3 = new_account(&db, &p.ana, "Treći d.o.o.").await;
    let theirs = new_account(&db, &p.bojan, "Tuđi d.o.o.").await;
    // Someone saves the second after Ana's list showed version 1.
    let mut edit = account_input("Drugi d.o.o.");
    edit.id = a2.to_string();
    edit.version = "1".into();
    edit.city = "Niš".into();
    accounts::update(&db, &p.marko, &edit).await.expect("edit");

    // An owner Ana may not assign to (another team) is refused before anything changes.
    let refused = bulk::run(&db, &p.ana, ids(BulkList::Accounts, &[(a1, 1)]), BulkAction::AssignOwner(p.bojan.id)).await;
    assert_eq!(refused, Err(invalid("owner_id", Problem::InvalidChoice)));
    assert_eq!(owner_of(&db, "accounts", a1).await, p.ana.id);

    let sel = ids(BulkList::Accounts, &[(a1, 1), (a2, 1), (a3, 1), (theirs, 1)]);
    let v = done(bulk::run(&db, &p.ana, sel, BulkAction::AssignOwner(p.marko.id)).await.expect("assign"));
    assert_eq!((v.status, v.total, v.done, v.failed, v.percent()), (JobStatus::Done, 4, 2, 2, 100));
    let problems: Vec<(i64, &str, &AppError)> = v.problems.iter().map(|x| (x.id, x.label.as_str(), &x.error)).collect();
    assert_eq!(problems, vec![(a2, "Drugi d.o.o.", &AppError::Conflict), (theirs, "", &AppError::NotFound)]);
    for (id, owner) in [(a1, p.marko.id), (a2, p.ana.id), (a3, p.marko.id), (theirs, p.bojan.id)] {
        assert_eq!(owner_of(&db, "accounts", id).await, owner, "owner of {id}");
    }
    assert_eq!(owner_changes(&db, "account", a1).await, vec![(Some("Ana".into()), Some("Marko".into()))]);
    assert!(owner_changes(&db, "account", a2).await.is_empty());
    // The version moved on as with any edit: Marko's list shows it, and a stale tick of it conflicts.
    let shown = accounts::list(&db, &p.marko, &ListQuery { q: "Prvi".into(), ..all() }).await.expect("list");
    assert_eq!((shown.rows.len(), shown.rows[0].version), (1, 2));
    let again = done(bulk::run(&db, &p.marko, ids(BulkList::Accounts, &[(a1, 1)]), BulkAction::AssignOwner(p.ana.id)).await.unwrap());
    assert_eq!((again.done, again.failed), (0, 1));
}

/// "All matching" a filter runs as a job over what Ana sees: her team's leads of the rating, not
/// another team's; a closed lead is refused; a lead edited after the job was queued is still assigned
/// (at the version read when it is changed).
async fn assign_all_matching(db: Db) {
    let p = people(&db).await;
    let lead = |company: &str, rating: &str| LeadInput {
        company: company.into(),
        last_name: "Kupac".into(),
        rating: rating.into(),
        ..Default::default()
    };
    let mut hot = Vec::new();
    for i in 0..5 {
        hot.push(leads::create(&db, &p.ana, &lead(&format!("Vruć {i}"), "hot")).await.expect("lead"));
    }
    let cold = leads::create(&db, &p.ana, &lead("Hladan", "cold")).await.expect("lead");
    let theirs = leads::create(&db, &p.bojan, &lead("Tuđ vruć", "hot")).await.expect("lead");
    sqlx::query("UPDATE leads SET status = 'disqualified' WHERE id = $1").bind(hot[4]).execute(&db.pool).await.unwrap();

    let q = ListQuery { rating: "hot".into(), ..all() };
    let job = started(bulk::run(&db, &p.ana, matching(BulkList::Leads, q), BulkAction::AssignOwner(p.marko.id)).await.expect("start"));
    let queued = jobs::get(&db, &p.ana, job).await.expect("job");
    assert_eq!((queued.status, queued.total, queued.done, queued.percent()), (JobStatus::Queued, 5, 0, 0));
    // Edited after the job was queued: still assigned, at its new version.
    let mut edit = LeadInput { id: hot[1].to_string(), version: "1".into(), ..lead("Vruć 1 (izmenjen)", "hot") };
    edit.city = "Kragujevac".into();
    leads::update(&db, &p.ana, &edit).await.expect("edit");

    assert_eq!(job_runner::run_pending(&db, None, "server-1").await.expect("run"), 1);
    let v = jobs::get(&db, &p.ana, job).await.expect("job");
    assert_eq!((v.status, v.done, v.failed, v.percent()), (JobStatus::Done, 4, 1, 100));
    assert_eq!(v.problems.len(), 1);
    assert_eq!((v.problems[0].id, v.problems[0].label.as_str()), (hot[4], "Kupac · Vruć 4"));
    assert_eq!(v.problems[0].error, invalid("status", Problem::InvalidChoice));
    for id in &hot[..4] {
        assert_eq!(owner_of(&db, "leads", *id).await, p.marko.id);
        assert_eq!(owner_changes(&db, "lead", *id).await, vec![(Some("Ana".into()), Some("Marko".into()))]);
    }
    for (id, owner) in [(hot[4], p.ana.id), (cold, p.ana.id), (theirs, p.bojan.id)] {
        assert_eq!(owner_of(&db, "leads", id).await, owner);
    }
    // Only its creator and administrators see a job.
    assert_eq!(jobs::get(&db, &p.bojan, job).await.map(|_| ()), Err(AppError::NotFound));
    assert_eq!(jobs::get(&db, &p.admin, job).await.map(|v| v.done), Ok(4));
}

/// Ticked contacts go to the trash; one named on a deal is refused with its reason and the others go
/// on; each deleted one is in the trash.
async fn delete_with_a_refusal(db: Db) {
    let p = people(&db).await;
    let account = new_account(&db, &p.ana, "Kupac d.o.o.").await;
    let c1 = new_contact(&db, &p.ana, "Iva", "Prva", Some(account)).await;
    let c2 = new_contact(&db, &p.ana, "Jovan", "Drugi", Some(account)).await;
    let c3 = new_contact(&db, &p.ana, "Lena", "Treća", None).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let mut deal = opportunity_input("Ugovor", account, open[0].id, "1000");
    deal.contact_id = c2.to_string();
    app::services::opportunities::create(&db, &p.ana, &deal).await.expect("deal");

    let sel = ids(BulkList::Contacts, &[(c1, 1), (c2, 1), (c3, 1)]);
    let v = done(bulk::run(&db, &p.ana, sel, BulkAction::Delete).await.expect("delete"));
    assert_eq!((v.done, v.failed), (2, 1));
    assert_eq!((v.problems[0].id, v.problems[0].label.as_str()), (c2, "Jovan Drugi"));
    assert_eq!(v.problems[0].error, invalid("delete", Problem::InUse(1)));
    assert_eq!(contacts::get(&db, &p.ana, c2).await.map(|c| c.id), Ok(c2));
    let in_trash: Vec<i64> = trash::list(&db, &p.ana, None).await.expect("trash").items.iter().map(|i| i.record_id).collect();
    assert!(in_trash.contains(&c1) && in_trash.contains(&c3) && !in_trash.contains(&c2), "{in_trash:?}");
    assert_eq!(
        count_for(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'contact' AND record_id = $1 AND action = 'delete'", c1)
            .await,
        1
    );
}

/// `n` accounts of Ana's in region `region`, in id order.
async fn many_accounts(db: &Db, ana: &Actor, n: usize, region: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(account_in(db, ana, &format!("Firma {i:04}"), region).await);
    }
    out
}

async fn owner_updates(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'account' AND action = 'update' AND field = 'owner_id'").await
}

/// A job whose server stopped after its first batch is taken over once its lease runs out and resumed
/// from its cursor: the stopped server's late batch is rolled back, nothing is done twice, and the
/// progress counts add up.
async fn a_job_resumes_from_its_cursor(db: Db) {
    let p = people(&db).await;
    let n = jobs::BATCH * 2 + 50;
    let created = many_accounts(&db, &p.ana, n, "Šumadija").await;
    account_in(&db, &p.ana, "Van regiona", "Srem").await;
    let q = ListQuery { region: "Šumadija".into(), ..all() };
    let job = started(bulk::run(&db, &p.ana, matching(BulkList::Accounts, q), BulkAction::AssignOwner(p.marko.id)).await.unwrap());

    assert_eq!(jobs::claim(&db, "server-1", None).await.unwrap(), Some(job));
    // Another server finds nothing to claim while the lease is fresh.
    assert_eq!(jobs::claim(&db, "server-2", None).await.unwrap(), None);
    assert_eq!(job_runner::step(&db, None, job, "server-1").await, Ok(job_runner::Step::More));
    let v = jobs::get(&db, &p.ana, job).await.unwrap();
    assert_eq!((v.status, v.total, v.done, v.failed, v.percent()), (JobStatus::Running, n as i64, jobs::BATCH as i64, 0, 44));
    assert_eq!(count_for(&db, "SELECT after_id AS n FROM jobs WHERE id = $1", job).await, created[jobs::BATCH - 1]);

    // Server 1 stops reporting: its lease runs out and server 2 takes the job over.
    sqlx::query("UPDATE jobs SET heartbeat_at = '2000-01-01T00:00:00Z' WHERE id = $1").bind(job).execute(&db.pool).await.unwrap();
    assert_eq!(jobs::claim(&db, "server-2", None).await.unwrap(), Some(job));
    // Server 1 wakes up: its batch finds the job no longer its own and leaves nothing behind.
    assert_eq!(job_runner::step(&db, None, job, "server-1").await, Err(AppError::Conflict));
    assert_eq!(owner_updates(&db).await, jobs::BATCH as i64);

    job_runner::work(&db, None, job, "server-2").await.expect("the rest");
    let v = jobs::get(&db, &p.ana, job).await.unwrap();
    assert_eq!((v.status, v.done, v.failed), (JobStatus::Done, n as i64, 0));
    assert_eq!(owner_updates(&db).await, n as i64, "each account changed once");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts WHERE region = 'Šumadija' AND owner_id <> (SELECT id FROM users WHERE email = 'marko@veza.rs')").await, 0);
    assert_eq!(count_for(&db, "SELECT attempts AS n FROM jobs WHERE id = $1", job).await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts WHERE region = 'Srem' AND version = 1").await, 1);
}

/// Two servers' runners look for work at the same time: the job is run by one, every account once.
async fn two_runners_never_double_process(db: Db) {
    let p = people(&db).await;
    let n = jobs::BATCH + 30;
    let created = many_accounts(&db, &p.ana, n, "Srem").await;
    let sel = ids(BulkList::Accounts, &created.iter().map(|id| (*id, 1)).collect::<Vec<_>>());
    assert!(!sel.runs_directly());
    let job = started(bulk::run(&db, &p.ana, sel, BulkAction::AssignOwner(p.marko.id)).await.unwrap());
    let (a, b) = tokio::join!(job_runner::run_pending(&db, None, "server-1"), job_runner::run_pending(&db, None, "server-2"));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one server runs the job");
    let v = jobs::get(&db, &p.ana, job).await.unwrap();
    assert_eq!((v.status, v.total, v.done, v.failed), (JobStatus::Done, n as i64, n as i64, 0));
    assert_eq!(owner_updates(&db).await, n as i64);
    assert_eq!(count_for(&db, "SELECT attempts AS n FROM jobs WHERE id = $1", job).await, 1);
}

/// A cancelled job stops: a queued one never runs, a running one stops at its next batch with what its
/// finished batches did; a finished job cannot be cancelled, and only its creator or an admin may.
async fn cancelling_a_job(db: Db) {
    let p = people(&db).await;
    many_accounts(&db, &p.ana, jobs::BATCH + 10, "Banat").await;
    let q = ListQuery { region: "Banat".into(), ..all() };
    let queued =
        started(bulk::run(&db, &p.ana, matching(BulkList::Accounts, q.clone()), BulkAction::AssignOwner(p.marko.id)).await.unwrap());
    assert_eq!(jobs::cancel(&db, &p.bojan, queued).await, Err(AppError::NotFound));
    jobs::cancel(&db, &p.ana, queued).await.expect("cancel");
    assert_eq!(job_runner::run_pending(&db, None, "server-1").await.unwrap(), 0);
    assert_eq!(jobs::get(&db, &p.ana, queued).await.unwrap().status, JobStatus::Cancelled);
    assert_eq!(jobs::cancel(&db, &p.ana, queued).await, Err(invalid("job", Problem::WrongState)));

    let running = started(bulk::run(&db, &p.ana, matching(BulkList::Accounts, q), BulkAction::AssignOwner(p.marko.id)).await.unwrap());
    assert_eq!(jobs::claim(&db, "server-1", None).await.unwrap(), Some(running));
    assert_eq!(job_runner::step(&db, None, running, "server-1").await, Ok(job_runner::Step::More));
    jobs::cancel(&db, &p.admin, running).await.expect("an administrator cancels");
    assert_eq!(job_runner::step(&db, None, running, "server-1").await, Err(AppError::Conflict));
    let v = jobs::get(&db, &p.ana, running).await.unwrap();
    assert_eq!((v.status, v.done), (JobStatus::Cancelled, jobs::BATCH as i64));
    assert_eq!(owner_updates(&db).await, jobs::BATCH as i64);
}

/// A job whose creator was deactivated fails with a reason instead of acting in their name.
async fn a_deactivated_creators_job_fails(db: Db) {
    let p = people(&db).await;
    many_accounts(&db, &p.ana, 3, "Bačka").await;
    let q = ListQuery { region: "Bačka".into(), ..all() };
    let job = started(bulk::run(&db, &p.ana, matching(BulkList::Accounts, q), BulkAction::Delete).await.unwrap());
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1").bind(p.ana.id).execute(&db.pool).await.unwrap();
    job_runner::run_pending(&db, None, "server-1").await.unwrap();
    let v = jobs::get(&db, &p.ana, job).await.unwrap();
    assert_eq!((v.status, v.done, v.error), (JobStatus::Failed, 0, Some(invalid("job", Problem::WrongState))));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts WHERE region = 'Bačka'").await, 3);
}

/// The export of ticked rows is the list's own export narrowed to them (and a narrowing of nothing
/// valid exports nothing, not everything).
async fn exporting_ticked_rows(db: Db) {
    let p = people(&db).await;
    let a1 = new_account(&db, &p.ana, "Izvoz Jedan").await;
    new_account(&db, &p.ana, "Izvoz Dva").await;
    let a3 = new_account(&db, &p.ana, "=Izvoz Tri").await;
    let theirs = new_account(&db, &p.bojan, "Izvoz Tuđi").await;
    let q = ListQuery { ids: format!("{a1},{a3},{theirs}"), ..all() };
    let (_, rows) = export::table(&db, &p.ana, ExportList::Accounts, &q, Lang::En).await.expect("export");
    let names: Vec<String> = rows.iter().map(|r| format!("{:?}", r[0])).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let csv = String::from_utf8(
        export::to_csv(Lang::En, &["Name".into()], &rows.iter().map(|r| vec![r[0].clone()]).collect::<Vec<_>>()).unwrap(),
    )
    .unwrap();
    assert!(csv.contains("'=Izvoz Tri") && csv.contains("Izvoz Jedan") && !csv.contains("Dva"), "{csv}");
    let nothing = ListQuery { ids: "x".into(), ..all() };
    assert!(export::table(&db, &p.ana, ExportList::Accounts, &nothing, Lang::En).await.unwrap().1.is_empty());
    assert_eq!(accounts::list(&db, &p.ana, &q).await.unwrap().total, 2);
}

async fn new_list(db: &Db, actor: &Actor, name: &str, kind: &str) -> i64 {
    let input = MarketingListInput { name: name.into(), member_kind: kind.into(), ..Default::default() };
    marketing::create(db, actor, &input).await.expect("create list")
}

async fn members_of(db: &Db, list: i64) -> i64 {
    count_for(db, "SELECT COUNT(*) AS n FROM marketing_list_members WHERE list_id = $1", list).await
}

async fn members_added(db: &Db, list: i64) -> i64 {
    count_for(
        db,
        "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'marketing_list' AND record_id = $1 AND field = 'member_added'",
        list,
    )
    .await
}

/// Ticked accounts and every account of a region go to Ana's static list: the lists offered are hers
/// of that kind and unlocked; members already in are counted, not added twice; a record she may not see
/// is skipped; each member added is on the list's history; a locked list, a list of another kind or
/// someone else's, and the opportunities list are refused before anything changes.
async fn add_to_a_marketing_list(db: Db) {
    let p = people(&db).await;
    let autumn = new_list(&db, &p.ana, "Jesen", "account").await;
    let people_list = new_list(&db, &p.ana, "Kontakti", "contact").await;
    let locked = new_list(&db, &p.ana, "Zaključana", "account").await;
    marketing::set_locked(&db, &p.ana, locked, 1, true).await.expect("lock");
    let theirs_list = new_list(&db, &p.bojan, "Tuđa", "account").await;

    let names = |v: Vec<app::domain::marketing::ListChoice>| v.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(names(bulk::list_choices(&db, &p.ana, BulkList::Accounts).await.unwrap()), vec!["Jesen".to_string()]);
    assert_eq!(names(bulk::list_choices(&db, &p.ana, BulkList::Contacts).await.unwrap()), vec!["Kontakti".to_string()]);
    assert!(bulk::list_choices(&db, &p.ana, BulkList::Opportunities).await.unwrap().is_empty());

    let a1 = new_account(&db, &p.ana, "Prvi d.o.o.").await;
    let a2 = new_account(&db, &p.ana, "Drugi d.o.o.").await;
    let theirs = new_account(&db, &p.bojan, "Tuđi d.o.o.").await;
    members::add(&db, &p.ana, autumn, &[a1]).await.expect("first member");

    let sel = || ids(BulkList::Accounts, &[(a1, 1), (a2, 1), (theirs, 1)]);
    for (list, refusal) in [
        (people_list, invalid("list_id", Problem::InvalidChoice)),
        (theirs_list, invalid("list_id", Problem::InvalidChoice)),
        (locked, invalid("locked", Problem::Locked)),
    ] {
        assert_eq!(bulk::run(&db, &p.ana, sel(), BulkAction::AddToList(list)).await, Err(refusal), "list {list}");
    }
    let opps = ids(BulkList::Opportunities, &[(1, 1)]);
    assert_eq!(bulk::run(&db, &p.ana, opps, BulkAction::AddToList(autumn)).await, Err(invalid("action", Problem::InvalidChoice)));
    assert_eq!(members_of(&db, autumn).await, 1);

    let v = done(bulk::run(&db, &p.ana, sel(), BulkAction::AddToList(autumn)).await.expect("add"));
    assert_eq!((v.status, v.total, v.done, v.already, v.failed), (JobStatus::Done, 3, 2, 1, 1));
    let problems: Vec<(i64, &AppError)> = v.problems.iter().map(|x| (x.id, &x.error)).collect();
    assert_eq!(problems, vec![(theirs, &AppError::NotFound)]);
    assert_eq!(members_of(&db, autumn).await, 2);
    assert_eq!(members_added(&db, autumn).await, 2, "a1 once, a2 once");

    // Every account of a region, as a job batch by batch.
    let n = jobs::BATCH + 10;
    many_accounts(&db, &p.ana, n, "Srem").await;
    let q = ListQuery { region: "Srem".into(), ..all() };
    let job = started(bulk::run(&db, &p.ana, matching(BulkList::Accounts, q), BulkAction::AddToList(autumn)).await.unwrap());
    assert_eq!(job_runner::run_pending(&db, None, "server-1").await.unwrap(), 1);
    let v = jobs::get(&db, &p.ana, job).await.unwrap();
    assert_eq!((v.status, v.total, v.done, v.already, v.failed), (JobStatus::Done, n as i64, n as i64, 0, 0));
    assert_eq!(members_of(&db, autumn).await, 2 + n as i64);
    assert_eq!(members_added(&db, autumn).await, 2 + n as i64);
}

both!(assign_ticked_rows);
both!(assign_all_matching);
both!(delete_with_a_refusal);
both!(a_job_resumes_from_its_cursor);
both!(two_runners_never_double_process);
both!(cancelling_a_job);
both!(a_deactivated_creators_job_fails);
both!(exporting_ticked_rows);
both!(add_to_a_marketing_list);
