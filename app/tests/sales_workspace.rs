//! Integration tests of the sales workspace — leads and qualification, activities and follow-ups,
//! notes, the 360° timeline, My day, the calendar and the team view — each on a fresh SQLite file and
//! a fresh Postgres database (see `common/`).
//!
//! Run: `cargo test -p app --features ssr --test sales_workspace`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::clock;
use app::db::Db;
use app::domain::{
    ActivityInput, ActivityKind, ActivityStatus, CompleteInput, DisqualifyInput, LeadInput, LeadStatus, ListQuery, MatchReason, NoteInput,
    OpportunityInput, QualifyInput, TimelineKind, TimelineQuery,
};
use app::error::{AppError, Problem};
use app::services::{activities, leads, notes, picklists, timeline, Actor};

async fn source(db: &Db, code: &str) -> i64 {
    picklists::load(db).await.expect("picklists").sources.into_iter().find(|s| s.code == code).expect("seeded source").id
}

fn lead_input(company: &str, first: &str, last: &str) -> LeadInput {
    LeadInput { company: company.into(), first_name: first.into(), last_name: last.into(), rating: "hot".into(), ..Default::default() }
}

fn activity(kind: &str, subject: &str, starts: &str, regarding: (&str, i64)) -> ActivityInput {
    ActivityInput {
        kind: kind.into(),
        subject: subject.into(),
        starts_at: starts.into(),
        regarding_kind: regarding.0.into(),
        regarding_id: regarding.1.to_string(),
        ..Default::default()
    }
}

async fn counts(db: &Db) -> (i64, i64, i64) {
    (
        count(db, "SELECT COUNT(*) AS n FROM accounts").await,
        count(db, "SELECT COUNT(*) AS n FROM contacts").await,
        count(db, "SELECT COUNT(*) AS n FROM opportunities").await,
    )
}

async fn timeline_of(db: &Db, actor: &Actor, kind: &str, id: i64, filter: &str) -> Vec<app::domain::TimelineItem> {
    let q = TimelineQuery { kind: kind.into(), id, filter: filter.into(), ..Default::default() };
    timeline::page(db, actor, &q).await.expect("timeline").items
}

// ---------------------------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------------------------

/// Qualification creates exactly one account, contact and opportunity, links them to the lead and
/// each other, carries the source; the lead is closed and cannot be qualified twice.
async fn qualify_creates_and_links_once(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let web = source(&db, "fair").await;
    let mut input = lead_input("Mlekara Šabac d.o.o.", "Jovan", "Đorđević");
    input.source_id = web.to_string();
    input.email = "jovan@mlekara.rs".into();
    input.estimated = "1.500.000,00".into();
    let lead = leads::create(&db, &ana, &input).await.expect("lead");
    let before = counts(&db).await;

    let q = QualifyInput { lead_id: lead.to_string(), version: "1".into(), create_opportunity: "on".into(), ..Default::default() };
    let done = leads::qualify(&db, &ana, &q).await.expect("qualify");
    let after = counts(&db).await;
    assert_eq!((after.0 - before.0, after.1 - before.1, after.2 - before.2), (1, 1, 1));

    let l = leads::get(&db, &ana, lead).await.expect("lead");
    assert_eq!(l.status, LeadStatus::Qualified);
    assert_eq!(l.account.as_ref().map(|a| a.id), Some(done.account_id));
    assert_eq!(l.contact.as_ref().map(|c| c.id), done.contact_id);
    assert_eq!(l.opportunity.as_ref().map(|o| o.id), done.opportunity_id);
    let opp = done.opportunity_id.expect("an opportunity");
    let row = sqlx::query_as::<_, (Option<i64>, Option<String>, i64, Option<i64>, i64)>(
        "SELECT lead_id, source, account_id, contact_id, amount_minor FROM opportunities WHERE id = $1",
    )
    .bind(opp)
    .fetch_one(&db.pool)
    .await
    .expect("opportunity row");
    assert_eq!(row, (Some(lead), Some("fair".into()), done.account_id, done.contact_id, 150_000_000));
    let contact_account = count_for(&db, "SELECT account_id AS n FROM contacts WHERE id = $1", done.contact_id.expect("contact")).await;
    assert_eq!(contact_account, done.account_id);

    // Closed: a second qualification (even with the new version) changes nothing.
    let again = QualifyInput { version: l.version.to_string(), ..q.clone() };
    assert_eq!(leads::qualify(&db, &ana, &again).await, Err(invalid("status", Problem::InvalidChoice)));
    assert_eq!(counts(&db).await, after);
    // The qualification shows on the new account's timeline.
    let items = timeline_of(&db, &ana, "account", done.account_id, "all").await;
    assert!(items.iter().any(|i| i.kind == TimelineKind::Qualified), "{items:?}");
    assert!(items.iter().any(|i| i.kind == TimelineKind::Opened), "{items:?}");
}
both!(qualify_creates_and_links_once);

/// The matches before qualification find an existing account whatever the case, diacritics and legal
/// form; linking it creates no second account.
async fn qualify_links_existing_account_despite_spelling(db: Db) {
    seed(&db).await;
    let t = team(&db, "Novi Sad").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let existing = new_account(&db, &ana, "MLEKARA ŠABAC d.o.o.").await;
    let other = new_account(&db, &ana, "Mlekarstvo Šabac").await;
    let person = new_contact(&db, &ana, "Jovan", "Đorđević", Some(existing)).await;
    let lead = leads::create(&db, &ana, &lead_input("mlekara sabac DOO", "Jovan", "Djordjevic")).await.expect("lead");

    let m = leads::matches(&db, &ana, lead).await.expect("matches");
    let ids: Vec<i64> = m.accounts.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![existing], "only the same company, not {other}");
    assert_eq!(m.accounts[0].reasons, vec![MatchReason::Name]);
    assert_eq!(m.contacts.iter().map(|c| c.id).collect::<Vec<_>>(), vec![person]);

    let before = counts(&db).await;
    let q = QualifyInput {
        lead_id: lead.to_string(),
        version: "1".into(),
        account_id: existing.to_string(),
        contact_id: person.to_string(),
        ..Default::default()
    };
    let done = leads::qualify(&db, &ana, &q).await.expect("qualify");
    assert_eq!((done.account_id, done.contact_id, done.opportunity_id), (existing, Some(person), None));
    assert_eq!(counts(&db).await, before, "nothing new was created");
}
both!(qualify_links_existing_account_despite_spelling);

/// A failure in the last step (an inactive stage for the opportunity) leaves no account, contact or
/// opportunity behind and the lead open.
async fn failed_qualification_leaves_nothing(db: Db) {
    seed(&db).await;
    let t = team(&db, "Niš").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let lead = leads::create(&db, &ana, &lead_input("Pekara Niš", "Mila", "Ilić")).await.expect("lead");
    let before = counts(&db).await;
    let audit_before = count(&db, "SELECT COUNT(*) AS n FROM audit_entries").await;
    let q = QualifyInput {
        lead_id: lead.to_string(),
        version: "1".into(),
        create_opportunity: "on".into(),
        stage_id: "999999".into(),
        ..Default::default()
    };
    assert_eq!(leads::qualify(&db, &ana, &q).await, Err(invalid("stage_id", Problem::InvalidChoice)));
    assert_eq!(counts(&db).await, before);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM audit_entries").await, audit_before);
    assert_eq!(leads::get(&db, &ana, lead).await.expect("lead").status, LeadStatus::New);
    // A stale version is a conflict, also without side effects.
    let stale = QualifyInput { version: "7".into(), stage_id: String::new(), ..q };
    assert_eq!(leads::qualify(&db, &ana, &stale).await, Err(AppError::Conflict));
    assert_eq!(counts(&db).await, before);
}
both!(failed_qualification_leaves_nothing);

/// Disqualification needs a reason from the list; the list filters and visibility apply to leads.
async fn disqualify_filters_and_visibility(db: Db) {
    seed(&db).await;
    let (t1, t2) = (team(&db, "A").await, team(&db, "B").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let mut cold = lead_input("Hladno d.o.o.", "", "");
    cold.rating = "cold".into();
    let l1 = leads::create(&db, &ana, &cold).await.expect("lead");
    let l2 = leads::create(&db, &ana, &lead_input("Vruće d.o.o.", "", "")).await.expect("lead");
    let theirs = leads::create(&db, &bob, &lead_input("Tuđe d.o.o.", "", "")).await.expect("lead");

    let d = DisqualifyInput { lead_id: l1.to_string(), version: "1".into(), ..Default::default() };
    assert_eq!(leads::disqualify(&db, &ana, &d).await, Err(invalid("reason_id", Problem::Required)));
    let bogus = DisqualifyInput { reason_id: source(&db, "web").await.to_string(), ..d.clone() };
    assert_eq!(leads::disqualify(&db, &ana, &bogus).await, Err(invalid("reason_id", Problem::InvalidChoice)));
    let reason = picklists::load(&db).await.expect("lists").disqualify_reasons[0].id;
    let ok = DisqualifyInput { reason_id: reason.to_string(), note: "Nema budžet do 2027.".into(), ..d };
    leads::disqualify(&db, &ana, &ok).await.expect("disqualify");
    assert_eq!(leads::get(&db, &ana, l1).await.expect("lead").status, LeadStatus::Disqualified);
    let items = timeline_of(&db, &ana, "lead", l1, "all").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, TimelineKind::Disqualified);
    assert_eq!(items[0].detail.as_deref(), Some("Nema budžet do 2027."));

    let q = |status: &str, rating: &str| ListQuery { status: status.into(), rating: rating.into(), ..Default::default() };
    let ids = |p: app::domain::Page<app::domain::LeadRow>| p.rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(leads::list(&db, &ana, &q("", "")).await.expect("list")), vec![l2, l1], "newest first, own team only");
    assert_eq!(ids(leads::list(&db, &ana, &q("new", "")).await.expect("list")), vec![l2]);
    assert_eq!(ids(leads::list(&db, &ana, &q("", "cold")).await.expect("list")), vec![l1]);
    let text = ListQuery { q: "VRUCE".into(), ..Default::default() };
    assert_eq!(ids(leads::list(&db, &ana, &text).await.expect("list")), vec![l2]);
    assert_eq!(leads::get(&db, &ana, theirs).await, Err(AppError::NotFound));
    let board = leads::board(&db, &ana, &ListQuery::default()).await.expect("board");
    let by: Vec<(LeadStatus, i64)> = board.iter().map(|c| (c.status, c.count)).collect();
    assert_eq!(by, vec![(LeadStatus::New, 1), (LeadStatus::Contacted, 0), (LeadStatus::Qualified, 0), (LeadStatus::Disqualified, 1)]);
    leads::set_status(&db, &ana, l2, 1, LeadStatus::Contacted).await.expect("contacted");
    assert_eq!(leads::set_status(&db, &ana, l2, 1, LeadStatus::New).await, Err(AppError::Conflict));
    assert_eq!(leads::set_status(&db, &ana, l2, 2, LeadStatus::Qualified).await, Err(invalid("status", Problem::InvalidChoice)));
}
both!(disqualify_filters_and_visibility);

// ---------------------------------------------------------------------------------------------------
// Activities, notes, timeline
// ---------------------------------------------------------------------------------------------------

/// A call logged on a contact, completed with a follow-up: both appear on the account's timeline with
/// the opportunity's stage history and a note, newest first, paged without gaps or repeats.
async fn follow_up_and_account_timeline(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let stage = app::services::stages::list(&db).await.expect("stages")[0].id;
    let acc = new_account(&db, &ana, "Tehnika a.d.").await;
    let person = new_contact(&db, &ana, "Petar", "Perić", Some(acc)).await;
    let opp = new_opportunity(&db, &ana, "Viljuškari", acc, stage, "100000").await;

    let call = activities::create(&db, &ana, &activity("call", "Prvi poziv", "2026-11-20T10:00", ("contact", person))).await.expect("call");
    let done = CompleteInput {
        id: call.to_string(),
        version: "1".into(),
        outcome: "Zainteresovan".into(),
        follow_up: "on".into(),
        follow_kind: "meeting".into(),
        follow_subject: "Sastanak u fabrici".into(),
        follow_starts_at: "2026-11-24T09:30".into(),
    };
    let follow = activities::complete(&db, &ana, &done).await.expect("complete").expect("a follow-up");
    let f = activities::get(&db, &ana, follow).await.expect("follow-up");
    assert_eq!((f.kind, f.status, f.starts_at.as_str()), (ActivityKind::Meeting, ActivityStatus::Open, "2026-11-24T09:30"));
    assert_eq!((f.regarding_id, f.follow_up_of, f.account_id), (person, Some(call), Some(acc)));
    // Completing twice is refused; a follow-up without a subject is refused and completes nothing.
    let again = CompleteInput { version: "2".into(), follow_up: String::new(), ..done.clone() };
    assert_eq!(activities::complete(&db, &ana, &again).await, Err(invalid("status", Problem::InvalidChoice)));
    let bad = CompleteInput { id: follow.to_string(), version: "1".into(), follow_subject: " ".into(), ..done.clone() };
    assert_eq!(activities::complete(&db, &ana, &bad).await, Err(invalid("follow_subject", Problem::Required)));
    assert_eq!(activities::get(&db, &ana, follow).await.expect("follow-up").status, ActivityStatus::Open);

    activities::create(&db, &ana, &activity("task", "Poslati ponudu", "2026-11-22T12:00", ("opportunity", opp))).await.expect("task");
    notes::create(
        &db,
        &ana,
        &NoteInput { regarding_kind: "account".into(), regarding_id: acc.to_string(), body: "**Važno**: kupac plaća avansno".into() },
    )
    .await
    .expect("note");

    let items = timeline_of(&db, &ana, "account", acc, "all").await;
    let kinds: Vec<TimelineKind> = items.iter().map(|i| i.kind).collect();
    assert!(kinds.contains(&TimelineKind::Activity(ActivityKind::Call, ActivityStatus::Completed)), "{kinds:?}");
    assert!(kinds.contains(&TimelineKind::Activity(ActivityKind::Meeting, ActivityStatus::Open)), "{kinds:?}");
    assert!(kinds.contains(&TimelineKind::Activity(ActivityKind::Task, ActivityStatus::Open)), "{kinds:?}");
    assert!(kinds.contains(&TimelineKind::Opened), "{kinds:?}");
    let note = items.iter().find(|i| i.kind == TimelineKind::Note).expect("the note");
    assert_eq!(note.body_html.as_deref(), Some("<p><strong>Važno</strong>: kupac plaća avansno</p>\n"));
    let times: Vec<&str> = items.iter().map(|i| i.at.as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    // Filters: only activities; only deals; a date range.
    assert_eq!(timeline_of(&db, &ana, "account", acc, "activities").await.len(), 3);
    assert!(timeline_of(&db, &ana, "account", acc, "deals").await.iter().all(|i| i.kind == TimelineKind::Opened));
    let q = TimelineQuery { kind: "account".into(), id: acc, from: "2026-11-21".into(), to: "2026-11-23".into(), ..Default::default() };
    let ranged = timeline::page(&db, &ana, &q).await.expect("range").items;
    assert_eq!(ranged.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(), vec!["Poslati ponudu"]);
    // The contact's timeline has only its own activities.
    assert_eq!(timeline_of(&db, &ana, "contact", person, "activities").await.len(), 2);

    // The account keeps its contact and deal: its delete is refused while they stand on it. The deal
    // goes to the trash with its task (restorable there), and leaves the account's timeline.
    let in_use =
        |r: Result<(), AppError>| matches!(r, Err(AppError::Validation { ref field, problem: Problem::InUse(_) }) if field == "delete");
    assert!(in_use(app::services::accounts::delete(&db, &ana, acc, 1).await));
    app::services::opportunities::delete(&db, &ana, opp, 1).await.expect("the deal moves to the trash");
    assert_eq!(timeline_of(&db, &ana, "account", acc, "activities").await.len(), 2);
    assert!(in_use(app::services::accounts::delete(&db, &ana, acc, 1).await));
}
both!(follow_up_and_account_timeline);

/// 60 activities at the same minute page through in 25s without repeats or gaps; another team's
/// user sees neither the timeline nor the activities.
async fn timeline_pages_and_visibility(db: Db) {
    seed(&db).await;
    let (t1, t2) = (team(&db, "A").await, team(&db, "B").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let acc = new_account(&db, &ana, "Gradnja d.o.o.").await;
    let mut ids = Vec::new();
    for i in 0..60 {
        let when = if i % 2 == 0 { "2026-11-10T08:00" } else { "2026-11-10T08:01" };
        ids.push(activities::create(&db, &ana, &activity("task", &format!("Zadatak {i}"), when, ("account", acc))).await.expect("task"));
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let q = TimelineQuery { kind: "account".into(), id: acc, cursor: cursor.clone(), ..Default::default() };
        let p = timeline::page(&db, &ana, &q).await.expect("page");
        assert!(p.items.len() <= timeline::PAGE as usize);
        seen.extend(p.items.iter().map(|i| i.activity.expect("activity").0));
        match p.next_cursor {
            Some(c) => cursor = c,
            None => break,
        }
    }
    let mut all = seen.clone();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 60, "no repeats");
    assert_eq!(all, ids, "no gaps");
    let q = TimelineQuery { kind: "account".into(), id: acc, ..Default::default() };
    assert_eq!(timeline::page(&db, &bob, &q).await, Err(AppError::NotFound));
    assert_eq!(activities::get(&db, &bob, ids[0]).await, Err(AppError::NotFound));
    // Bob cannot attach an activity to Ana's account either.
    assert_eq!(
        activities::create(&db, &bob, &activity("task", "x", "2026-11-10T08:00", ("account", acc))).await,
        Err(invalid("regarding_id", Problem::InvalidChoice))
    );
}
both!(timeline_pages_and_visibility);

/// My day sorts the user's open activities into overdue / today / this week's meetings and lists
/// opportunities closing this month and stale ones; the calendar reschedules keeping the length; the
/// team view counts per person, kind and week.
async fn my_day_calendar_and_team_view(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let boss = user(&db, "sef@veza.rs", "Šef", "manager", Some(t)).await;
    let stage = app::services::stages::list(&db).await.expect("stages")[0].id;
    let acc = new_account(&db, &ana, "Kupac d.o.o.").await;
    let today = clock::today();
    let at = |days: i64, hm: &str| format!("{}T{hm}", (today + chrono::Duration::days(days)).format("%Y-%m-%d"));
    let late = activities::create(&db, &ana, &activity("task", "Zakasnelo", &at(-2, "09:00"), ("account", acc))).await.expect("a");
    let now_task = activities::create(&db, &ana, &activity("call", "Danas", &at(0, "23:59"), ("account", acc))).await.expect("b");
    let mut done = activity("call", "Već obavljeno", &at(-1, "10:00"), ("account", acc));
    done.completed = "on".into();
    activities::create(&db, &ana, &done).await.expect("c");
    let mut meet = activity("meeting", "Sastanak", &at(1, "10:00"), ("account", acc));
    meet.ends_at = at(1, "11:30");
    let meeting = activities::create(&db, &ana, &meet).await.expect("d");

    let mut opp = app::domain::OpportunityInput {
        name: "Zatvara se".into(),
        account_id: acc.to_string(),
        stage_id: stage.to_string(),
        close_date: today.format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    let closing = app::services::opportunities::create(&db, &ana, &opp).await.expect("opp");
    opp.name = "Zaboravljena".into();
    opp.close_date = (today + chrono::Duration::days(120)).format("%Y-%m-%d").to_string();
    let stale = app::services::opportunities::create(&db, &ana, &opp).await.expect("opp");
    sqlx::query("UPDATE opportunities SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(stale)
        .execute(&db.pool)
        .await
        .expect("age");

    let day = activities::my_day(&db, &ana).await.expect("my day");
    assert_eq!(day.overdue.iter().map(|a| a.id).collect::<Vec<_>>(), vec![late]);
    assert_eq!(day.due_today.iter().map(|a| a.id).collect::<Vec<_>>(), vec![now_task]);
    let this_week_end = clock::week_start(today) + chrono::Duration::days(7);
    let expect_meeting = if today + chrono::Duration::days(1) < this_week_end { vec![meeting] } else { vec![] };
    assert_eq!(day.meetings_this_week.iter().map(|a| a.id).collect::<Vec<_>>(), expect_meeting);
    assert_eq!(day.closing_this_month.iter().map(|d| d.id).collect::<Vec<_>>(), vec![closing]);
    assert_eq!(day.stale.iter().map(|d| d.id).collect::<Vec<_>>(), vec![stale]);
    assert_eq!(day.overdue[0].regarding_label, "Kupac d.o.o.");

    // Calendar: the meeting moves two days later at 14:00 and keeps its 90 minutes.
    let v = activities::reschedule(&db, &ana, meeting, 1, &at(3, "14:00")).await.expect("reschedule");
    assert_eq!(activities::reschedule(&db, &ana, meeting, 1, &at(4, "14:00")).await, Err(AppError::Conflict));
    let m = activities::get(&db, &ana, meeting).await.expect("meeting");
    assert_eq!((m.starts_at.clone(), m.ends_at.clone(), m.version), (at(3, "14:00"), Some(at(3, "15:30")), v));
    let cal =
        activities::calendar(&db, &ana, today - chrono::Duration::days(7), today + chrono::Duration::days(7), None).await.expect("cal");
    assert_eq!(cal.len(), 4);
    assert!(cal.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));

    // Team view: Ana's activities in this and last week, by kind; only managers and admins.
    assert_eq!(activities::team_weeks(&db, &ana, 4, None).await, Err(AppError::Forbidden));
    let cells = activities::team_weeks(&db, &boss, 4, Some(t)).await.expect("team view");
    let total: i64 = cells.iter().filter(|c| c.user_id == ana.id).map(|c| c.total).sum();
    let in_range = [&at(-2, "09:00"), &at(0, "23:59"), &at(-1, "10:00"), &at(3, "14:00")]
        .iter()
        .filter(|s| s.as_str() < (this_week_end.format("%Y-%m-%dT00:00").to_string().as_str()))
        .count() as i64;
    assert_eq!(total, in_range);
    let calls: i64 = cells.iter().filter(|c| c.kind == ActivityKind::Call).map(|c| c.completed).sum();
    assert_eq!(calls, 1);
}
both!(my_day_calendar_and_team_view);

/// Global search finds leads too.
async fn search_finds_leads(db: Db) {
    seed(&db).await;
    let t = team(&db, "A").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let lead = leads::create(&db, &ana, &lead_input("Fabrika Čokolade", "Zora", "Živić")).await.expect("lead");
    let hits = app::services::search::global(&db, &ana, "cokolad").await.expect("search");
    assert_eq!(hits.iter().map(|h| (h.kind, h.id)).collect::<Vec<_>>(), vec![(app::domain::SearchKind::Lead, lead)]);
    assert_eq!(hits[0].title, "Zora Živić");
}
both!(search_finds_leads);

/// Files: an accepted one is stored whole and shows on the account timeline; a disallowed or oversized
/// one is refused and leaves nothing; another team cannot download it.
async fn documents_are_checked_stored_and_private(db: Db) {
    use app::services::documents;
    seed(&db).await;
    let (t1, t2) = (team(&db, "A").await, team(&db, "B").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let acc = new_account(&db, &ana, "Kupac d.o.o.").await;
    let person = new_contact(&db, &ana, "Petar", "Perić", Some(acc)).await;
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let id = documents::upload(&db, &ana, app::domain::RegardingKind::Contact, person, "Ponuda 2027.pdf", &pdf).await.expect("upload");
    let d = documents::download(&db, &ana, id).await.expect("download");
    assert_eq!((d.file_name.as_str(), d.content_type.as_str(), d.bytes.clone()), ("Ponuda 2027.pdf", "application/pdf", pdf.clone()));
    assert!(matches!(documents::download(&db, &bob, id).await, Err(AppError::NotFound)));

    let before = count(&db, "SELECT COUNT(*) AS n FROM documents").await;
    let refused =
        documents::upload(&db, &ana, app::domain::RegardingKind::Account, acc, "x.html", b"<html><script>alert(1)</script>").await;
    assert_eq!(refused, Err(invalid("file", Problem::FileTypeNotAllowed)));
    let big = vec![b'a'; documents::MAX_BYTES + 1];
    let refused = documents::upload(&db, &ana, app::domain::RegardingKind::Account, acc, "big.txt", &big).await;
    assert_eq!(refused, Err(invalid("file", Problem::FileTooLarge(10))));
    assert_eq!(
        documents::upload(&db, &bob, app::domain::RegardingKind::Account, acc, "ok.pdf", &pdf).await,
        Err(invalid("regarding_id", Problem::InvalidChoice)),
        "Bob cannot attach to an account he does not see"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM documents").await, before);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM document_contents").await, before);

    let items = timeline_of(&db, &ana, "account", acc, "documents").await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0].kind, items[0].title.as_str(), items[0].file),
        (TimelineKind::Document, "Ponuda 2027.pdf", Some((id, pdf.len() as i64)))
    );
}
both!(documents_are_checked_stored_and_private);

/// E-mail to a contact goes out through SMTP from the user's address and is logged on the timeline;
/// without a server, or to a contact without an address, nothing is sent or logged.
async fn email_is_sent_and_logged(db: Db) {
    use app::domain::EmailInput;
    use app::services::email::{self, Mailer};
    seed(&db).await;
    let t = team(&db, "A").await;
    let ana = user(&db, "ana@veza.rs", "Ana Anić", "sales", Some(t)).await;
    let acc = new_account(&db, &ana, "Kupac d.o.o.").await;
    let person = new_contact(&db, &ana, "Petar", "Perić", Some(acc)).await;
    let nameless = new_contact(&db, &ana, "Bez", "Adrese", Some(acc)).await;
    sqlx::query("UPDATE contacts SET email = 'petar@kupac.rs' WHERE id = $1").bind(person).execute(&db.pool).await.expect("email");
    let input =
        EmailInput { contact_id: person.to_string(), subject: "Ponuda za 2027.".into(), body: "Poštovani,\nu prilogu je ponuda.".into() };

    assert_eq!(email::send(&db, None, &ana, &input).await, Err(invalid("email_to", Problem::NotConfigured)));
    let (url, mut inbox) = smtp::receiver().await;
    let mailer = Mailer::from_url(&url).expect("mailer");
    let no_address = EmailInput { contact_id: nameless.to_string(), ..input.clone() };
    assert_eq!(email::send(&db, Some(&mailer), &ana, &no_address).await, Err(invalid("email_to", Problem::Required)));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities").await, 0);

    let id = email::send(&db, Some(&mailer), &ana, &input).await.expect("sent");
    let (envelope, data) =
        tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv()).await.expect("delivered in time").expect("a message");
    assert!(envelope.iter().any(|l| l.contains("<ana@veza.rs>")), "{envelope:?}");
    assert!(envelope.iter().any(|l| l.contains("<petar@kupac.rs>")), "{envelope:?}");
    assert!(data.contains("Subject: Ponuda za 2027."), "{data}");
    assert!(data.contains("To: \"Petar Perić\" <petar@kupac.rs>") || data.contains("To: =?utf-8?"), "{data}");
    let a = activities::get(&db, &ana, id).await.expect("logged");
    assert_eq!((a.kind, a.status, a.regarding_id, a.account_id), (ActivityKind::Email, ActivityStatus::Completed, person, Some(acc)));
    let items = timeline_of(&db, &ana, "account", acc, "activities").await;
    assert_eq!(items.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(), vec!["Ponuda za 2027."]);

    // A server that is down: a clear error, nothing logged.
    let down = Mailer::from_url("smtp://127.0.0.1:9").expect("mailer");
    assert_eq!(email::send(&db, Some(&down), &ana, &input).await, Err(invalid("email_to", Problem::SendFailed)));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities").await, 1);
}
both!(email_is_sent_and_logged);

/// A meeting's attendee from another team, who may not open the meeting or its customer, gets it in
/// their calendar feed as busy time only: the subject, description, place and customer stay out.
async fn calendar_feed_shows_other_teams_meetings_as_busy(db: Db) {
    seed(&db).await;
    let (north, south) = (team(&db, "Sever").await, team(&db, "Jug").await);
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", Some(north)).await;
    let boris = user(&db, "boris@firma.rs", "Boris", "sales", Some(south)).await;
    let account = new_account(&db, &ana, "Tajni Kupac d.o.o.").await;
    let when = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT10:00").to_string();
    let input = ActivityInput {
        description: "Popust od 30 % ako potpišu do petka".into(),
        location: "Knez Mihailova 1".into(),
        attendee_users: vec![boris.id.to_string()],
        ..activity("meeting", "Pregovori o ceni", &when, ("account", account))
    };
    activities::create(&db, &ana, &input).await.expect("Ana plans the meeting with Boris");
    let feed = |actor: Actor| {
        let db = db.clone();
        async move {
            let token = app::services::ical::create_feed(&db, &actor).await.unwrap();
            app::services::ical::render(&db, &token, "veza.test").await.unwrap().expect("a feed")
        }
    };
    let theirs = feed(boris.clone()).await;
    assert_eq!(theirs.matches("BEGIN:VEVENT").count(), 1, "{theirs}");
    assert!(theirs.contains("SUMMARY:Zauzeto") && theirs.contains("CLASS:PRIVATE"), "{theirs}");
    for secret in ["Pregovori", "Popust", "Knez Mihailova", "Tajni Kupac"] {
        assert!(!theirs.contains(secret), "{secret} leaked into another team's feed: {theirs}");
    }
    let own = feed(ana).await;
    assert!(own.contains("SUMMARY:Pregovori o ceni — Tajni Kupac d.o.o.") && own.contains("LOCATION:Knez Mihailova 1"), "{own}");
}
both!(calendar_feed_shows_other_teams_meetings_as_busy);

/// The same write of the same version sent twice at once (two tabs, a double click, two people):
/// exactly one succeeds and the other is refused. On Postgres the second writer waits for the first
/// and then finds no row at its version; that used to pass as a success (two completions made two
/// follow-ups, a delete removed a record just edited). Repeated, as the race is timing's.
async fn parallel_writes_of_one_version_succeed_once(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let stage = app::services::stages::list(&db).await.expect("stages")[0].id;
    let reason = picklists::load(&db).await.expect("lists").disqualify_reasons[0].id;
    fn once<T: std::fmt::Debug, U: std::fmt::Debug>(what: &str, a: &Result<T, AppError>, b: &Result<U, AppError>) {
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{what}: {a:?} {b:?}");
    }
    for round in 0..6 {
        let acc = new_account(&db, &ana, &format!("Firma {round} d.o.o.")).await;
        let at = ("account", acc);

        let call = activities::create(&db, &ana, &activity("call", "Poziv", "2026-11-20T10:00", at)).await.expect("call");
        let done = CompleteInput {
            id: call.to_string(),
            version: "1".into(),
            follow_up: "on".into(),
            follow_kind: "task".into(),
            follow_subject: "Ponuda".into(),
            follow_starts_at: "2026-11-24T09:30".into(),
            ..Default::default()
        };
        let (a, b) = tokio::join!(activities::complete(&db, &ana, &done), activities::complete(&db, &ana, &done));
        once("complete", &a, &b);
        assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activities WHERE follow_up_of = $1", call).await, 1, "one follow-up");

        let task = activities::create(&db, &ana, &activity("task", "Zadatak", "2026-11-21T10:00", at)).await.expect("task");
        let (a, b) = tokio::join!(activities::cancel(&db, &ana, task, 1), activities::cancel(&db, &ana, task, 1));
        once("cancel", &a, &b);

        let visit = activities::create(&db, &ana, &activity("meeting", "Poseta", "2026-11-22T10:00", at)).await.expect("visit");
        let (a, b) = tokio::join!(
            activities::reschedule(&db, &ana, visit, 1, "2026-11-23T10:00"),
            activities::reschedule(&db, &ana, visit, 1, "2026-11-25T12:00")
        );
        once("reschedule", &a, &b);

        let lead = leads::create(&db, &ana, &lead_input(&format!("Lid {round}"), "", "")).await.expect("lead");
        let d = DisqualifyInput { lead_id: lead.to_string(), version: "1".into(), reason_id: reason.to_string(), ..Default::default() };
        let (a, b) = tokio::join!(leads::disqualify(&db, &ana, &d), leads::disqualify(&db, &ana, &d));
        once("disqualify", &a, &b);

        // A delete racing an edit of the version it read: the edit wins or the delete does, never both.
        let opp = new_opportunity(&db, &ana, &format!("Posao {round}"), acc, stage, "1000").await;
        let edit = OpportunityInput {
            id: opp.to_string(),
            version: "1".into(),
            ..opportunity_input(&format!("Posao {round}"), acc, stage, "2000")
        };
        let (a, b) =
            tokio::join!(app::services::opportunities::update(&db, &ana, &edit), app::services::opportunities::delete(&db, &ana, opp, 1));
        once("edit or delete an opportunity", &a, &b);
        let person = new_contact(&db, &ana, "Pera", &format!("Perić {round}"), None).await;
        let (a, b) =
            tokio::join!(app::services::contacts::delete(&db, &ana, person, 1), app::services::contacts::delete(&db, &ana, person, 1));
        once("delete a contact", &a, &b);
        let lone = new_account(&db, &ana, &format!("Prazna {round} d.o.o.")).await;
        let (a, b) = tokio::join!(app::services::accounts::delete(&db, &ana, lone, 1), app::services::accounts::delete(&db, &ana, lone, 1));
        once("delete an account", &a, &b);
        let spare = leads::create(&db, &ana, &lead_input(&format!("Rezerva {round}"), "", "")).await.expect("lead");
        let (a, b) = tokio::join!(leads::delete(&db, &ana, spare, 1), leads::delete(&db, &ana, spare, 1));
        once("delete a lead", &a, &b);
    }
}
both!(parallel_writes_of_one_version_succeed_once);

/// A lead with a call and a note goes to the trash with them (nothing is deleted silently: the trash
/// can restore all of it, see tests/trash.rs); a lead without any goes too.
async fn a_lead_goes_to_the_trash_with_its_history(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let lead = leads::create(&db, &ana, &lead_input("Istorija d.o.o.", "Iva", "Ivić")).await.expect("lead");
    let note = NoteInput { regarding_kind: "lead".into(), regarding_id: lead.to_string(), body: "Zvala, zainteresovana".into() };
    notes::create(&db, &ana, &note).await.expect("note");
    activities::create(&db, &ana, &activity("call", "Prvi poziv", "2026-11-20T10:00", ("lead", lead))).await.expect("call");
    leads::delete(&db, &ana, lead, 1).await.expect("the lead moves to the trash");
    assert_eq!(leads::get(&db, &ana, lead).await.map(|_| ()), Err(AppError::NotFound));
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE regarding_id = $1", lead).await, 0);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM trash WHERE entity = 'lead' AND record_id = $1", lead).await, 1);
    let empty = leads::create(&db, &ana, &lead_input("Prazno d.o.o.", "", "")).await.expect("lead");
    leads::delete(&db, &ana, empty, 1).await.expect("a lead without history is deleted");
    assert_eq!(leads::get(&db, &ana, empty).await.map(|_| ()), Err(AppError::NotFound));
}
both!(a_lead_goes_to_the_trash_with_its_history);
