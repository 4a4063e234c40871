//! Integration tests of the trash (deleting moves a record with what goes with it; restoring puts it
//! back with the same ids, links and history; purges and emptying are audited) and of undoing merges —
//! each on a fresh SQLite file and a fresh Postgres database (see `common/`).
//!
//! Run: `cargo test -p app --features ssr --test trash`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::dedup::MergeInput;
use app::domain::{ActivityInput, ContactInput, LeadInput, NoteInput, RegardingKind};
use app::error::{AppError, Problem};
use app::services::{accounts, activities, audit, contacts, documents, duplicates, leads, notes, opportunities, trash, Actor};

fn lead_input(company: &str) -> LeadInput {
    LeadInput { company: company.into(), first_name: "Iva".into(), last_name: "Ivić".into(), rating: "hot".into(), ..Default::default() }
}

fn activity(kind: &str, subject: &str, regarding: (&str, i64)) -> ActivityInput {
    ActivityInput {
        kind: kind.into(),
        subject: subject.into(),
        starts_at: "2026-11-20T10:00".into(),
        regarding_kind: regarding.0.into(),
        regarding_id: regarding.1.to_string(),
        ..Default::default()
    }
}

fn note(kind: &str, id: i64, body: &str) -> NoteInput {
    NoteInput { regarding_kind: kind.into(), regarding_id: id.to_string(), body: body.into() }
}

/// The actions of a record's history, oldest first (a create's or an update's several fields as one).
async fn history_actions(db: &Db, entity: &str, id: i64) -> Vec<String> {
    let mut a: Vec<String> = audit::history(db, entity, id, None, 100).await.expect("history").into_iter().map(|e| e.action).collect();
    a.reverse();
    a.dedup();
    a
}

/// The trash item of record `id` of `entity`, as `actor` sees the trash.
async fn item_of(db: &Db, actor: &Actor, entity: &str, id: i64) -> Option<app::api::trash::TrashItem> {
    trash::list(db, actor, None).await.expect("trash").items.into_iter().find(|i| i.entity == entity && i.record_id == id)
}

fn refused(problem: Problem, field: &str) -> Result<(), AppError> {
    Err(invalid(field, problem))
}

/// A lead with a call, a note and a document goes to the trash with them (the files too) and comes
/// back with the same ids; its history shows the delete and the restore.
async fn a_lead_goes_to_the_trash_with_its_history(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let lead = leads::create(&db, &ana, &lead_input("Istorija d.o.o.")).await.expect("lead");
    let call = activities::create(&db, &ana, &activity("call", "Prvi poziv", ("lead", lead))).await.expect("call");
    let n = notes::create(&db, &ana, &note("lead", lead, "Zainteresovana")).await.expect("note");
    let bytes = b"%PDF-1.4 ponuda".to_vec();
    let doc = documents::upload(&db, &ana, RegardingKind::Lead, lead, "ponuda.pdf", &bytes).await.expect("document");

    leads::delete(&db, &ana, lead, 1).await.expect("the lead moves to the trash");
    assert_eq!(leads::get(&db, &ana, lead).await.map(|_| ()), Err(AppError::NotFound));
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activities WHERE regarding_id = $1", lead).await, 0);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE regarding_id = $1", lead).await, 0);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM document_contents WHERE document_id = $1", doc).await, 0);
    let item = item_of(&db, &ana, "lead", lead).await.expect("the lead is in the trash");
    assert_eq!(
        (item.name.as_str(), item.with_it, item.days_left, item.deleted_by.as_deref()),
        ("Iva Ivić · Istorija d.o.o.", 3, 30, Some("Ana"))
    );

    // Two restores at once: one puts it back, the other finds nothing left to restore.
    let (a, b) = tokio::join!(trash::restore(&db, &ana, item.id), trash::restore(&db, &ana, item.id));
    let mut outcomes = [a, b];
    outcomes.sort_by_key(|r| r.is_err());
    assert_eq!(outcomes, [Ok(()), Err(AppError::NotFound)]);
    let back = leads::get(&db, &ana, lead).await.expect("the lead is back with its id");
    assert_eq!(back.company.as_deref(), Some("Istorija d.o.o."));
    assert!(activities::get(&db, &ana, call).await.is_ok(), "the call is back with its id");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE id = $1", n).await, 1);
    let file = documents::download(&db, &ana, doc).await.expect("the document is back");
    assert_eq!(file.bytes, bytes, "with its file");
    assert_eq!(history_actions(&db, "lead", lead).await, vec!["create", "delete", "restore"]);
    assert!(item_of(&db, &ana, "lead", lead).await.is_none(), "a restored record leaves the trash");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM trash_rows").await, 0);
    // The lead list's text search finds it again.
    let q = app::domain::ListQuery { q: "Istorija".into(), ..all() };
    assert_eq!(leads::list(&db, &ana, &q).await.expect("list").rows.len(), 1);
}
both!(a_lead_goes_to_the_trash_with_its_history);

/// A contact whose account was deleted after it cannot come back before the account; the refusal
/// names the account. Its meeting attendance and a lead's link to it come back with it.
async fn a_restore_needs_what_the_record_stands_on(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", None).await;
    let acc = new_account(&db, &ana, "Alfa d.o.o.").await;
    let other = new_account(&db, &ana, "Beta d.o.o.").await;
    let person = new_contact(&db, &ana, "Petar", "Perić", Some(acc)).await;
    let meeting = ActivityInput { attendee_contacts: vec![person.to_string()], ..activity("meeting", "Sastanak", ("account", other)) };
    let meeting = activities::create(&db, &ana, &meeting).await.expect("meeting");
    activities::create(&db, &ana, &activity("call", "Poziv", ("contact", person))).await.expect("call");

    // The account stands under its contact: refused.
    assert_eq!(accounts::delete(&db, &ana, acc, 1).await, refused(Problem::InUse(2), "delete"), "the contact and its call");
    contacts::delete(&db, &ana, person, 1).await.expect("the contact moves to the trash");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activity_attendees WHERE activity_id = $1", meeting).await, 0);
    accounts::delete(&db, &ana, acc, 1).await.expect("now the account moves too");

    let contact_item = item_of(&db, &ana, "contact", person).await.expect("contact in the trash");
    assert_eq!(contact_item.with_it, 2, "its call and its attendance");
    assert_eq!(trash::restore(&db, &ana, contact_item.id).await, refused(Problem::RestoreNeeds("\"Alfa d.o.o.\"".into()), "restore"));
    let account_item = item_of(&db, &ana, "account", acc).await.expect("account in the trash");
    trash::restore(&db, &ana, account_item.id).await.expect("the account first");
    trash::restore(&db, &ana, contact_item.id).await.expect("then the contact");
    let c = contacts::get(&db, &ana, person).await.expect("contact back");
    assert_eq!(c.account_id, Some(acc));
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activity_attendees WHERE activity_id = $1", meeting).await, 1, "attendance back");
    assert_eq!(
        count_for(&db, "SELECT COUNT(*) AS n FROM activities WHERE regarding_id = $1 AND regarding_kind = 'contact'", person).await,
        1
    );
    // Search finds both again (the full-text index on SQLite follows the restore).
    let q = app::domain::ListQuery { q: "Alfa".into(), ..all() };
    assert_eq!(accounts::list(&db, &ana, &q).await.expect("list").rows.len(), 1);
}
both!(a_restore_needs_what_the_record_stands_on);

/// A deal goes with its activities, notes and stage changes; the observation made on it loses the link
/// while it is in the trash and gets it back on restore.
async fn an_opportunity_comes_back_with_its_links(db: Db) {
    seed(&db).await;
    let mgr = user(&db, "mgr@veza.rs", "Mira", "manager", None).await;
    let stage = app::services::stages::list(&db).await.expect("stages")[0].id;
    let acc = new_account(&db, &mgr, "Kupac d.o.o.").await;
    let rival =
        accounts::create(&db, &mgr, &app::domain::AccountInput { types: vec!["competitor".into()], ..account_input("Rival d.o.o.") })
            .await
            .expect("competitor");
    let opp = new_opportunity(&db, &mgr, "Viljuškari", acc, stage, "100000").await;
    activities::create(&db, &mgr, &activity("task", "Ponuda", ("opportunity", opp))).await.expect("task");
    notes::create(&db, &mgr, &note("opportunity", opp, "Budžet potvrđen")).await.expect("note");
    let obs = app::domain::ObservationInput {
        competitor_id: rival.to_string(),
        opportunity_id: opp.to_string(),
        price: "5".into(),
        observed_on: "2026-10-01".into(),
        ..Default::default()
    };
    app::services::competitors::record_observation(&db, &mgr, &obs).await.expect("observation");
    let changes = count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", opp).await;
    assert!(changes >= 1);

    opportunities::delete(&db, &mgr, opp, 1).await.expect("the deal moves to the trash");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM field_observations WHERE opportunity_id = $1", opp).await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM field_observations WHERE opportunity_id IS NULL").await, 1);
    let item = item_of(&db, &mgr, "opportunity", opp).await.expect("in the trash");
    trash::restore(&db, &mgr, item.id).await.expect("restore");
    assert_eq!(opportunities::get(&db, &mgr, opp).await.expect("back").name, "Viljuškari");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM field_observations WHERE opportunity_id = $1", opp).await, 1, "link back");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", opp).await, changes);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activities WHERE regarding_id = $1", opp).await, 1);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE regarding_id = $1", opp).await, 1);
    // A new record holding a deleted one's number blocks its restore.
    let person = new_contact(&db, &mgr, "Lena", "Lenić", None).await;
    contacts::delete(&db, &mgr, person, 1).await.expect("delete");
    let other = new_contact(&db, &mgr, "Novi", "Nović", None).await;
    sqlx::query("UPDATE contacts SET id = $1 WHERE id = $2").bind(person).bind(other).execute(&db.pool).await.expect("take the number");
    let item = item_of(&db, &mgr, "contact", person).await.expect("in the trash");
    assert_eq!(trash::restore(&db, &mgr, item.id).await, refused(Problem::IdTaken, "restore"));
}
both!(an_opportunity_comes_back_with_its_links);

/// Who sees and restores what; administrators delete forever, empty the trash and set its days; the
/// purge of old items is audited.
async fn trash_access_purge_and_retention(db: Db) {
    seed(&db).await;
    let (t1, t2) = (team(&db, "A").await, team(&db, "B").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let a1 = new_account(&db, &ana, "Prva d.o.o.").await;
    let a2 = new_account(&db, &ana, "Druga d.o.o.").await;
    let a3 = new_account(&db, &ana, "Treća d.o.o.").await;
    for a in [a1, a2, a3] {
        accounts::delete(&db, &ana, a, 1).await.expect("delete");
    }
    let item = item_of(&db, &ana, "account", a1).await.expect("Ana sees what she deleted");
    assert!(trash::list(&db, &bob, None).await.expect("trash").items.is_empty(), "Bob sees none of it");
    assert_eq!(trash::restore(&db, &bob, item.id).await, Err(AppError::NotFound));
    assert_eq!(trash::purge_item(&db, &ana, item.id).await, Err(AppError::Forbidden));
    assert_eq!(trash::empty(&db, &ana).await, Err(AppError::Forbidden));
    assert_eq!(trash::set_retention_days(&db, &ana, "10").await, Err(AppError::Forbidden));
    assert_eq!(trash::set_retention_days(&db, &admin, "0").await, Err(invalid("trash_days", Problem::OutOfRange(1, 365))));
    trash::set_retention_days(&db, &admin, "10").await.expect("retention");
    assert_eq!(trash::retention_days(&db).await, Ok(10));
    let page = trash::list(&db, &admin, None).await.expect("trash");
    assert_eq!((page.items.len(), page.admin, page.retention_days), (3, true, 10));
    assert!(page.items.iter().all(|i| i.days_left == 10));

    trash::purge_item(&db, &admin, item.id).await.expect("delete forever");
    assert_eq!(history_actions(&db, "account", a1).await, vec!["create", "delete", "purge"]);
    // The retention purge takes what is older than the days, nothing else.
    let old = item_of(&db, &admin, "account", a2).await.expect("a2").id;
    sqlx::query("UPDATE trash SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(old)
        .execute(&db.pool)
        .await
        .expect("age it");
    assert_eq!(trash::purge_expired(&db).await, Ok(1));
    assert!(item_of(&db, &admin, "account", a2).await.is_none());
    assert_eq!(history_actions(&db, "account", a2).await.last().map(String::as_str), Some("purge"));
    assert_eq!(trash::empty(&db, &admin).await, Ok(1));
    assert_eq!(history_actions(&db, "account", a3).await.last().map(String::as_str), Some("purge"));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM trash_rows").await, 0, "rows go with their items");
}
both!(trash_access_purge_and_retention);

async fn merge(db: &Db, actor: &Actor, entity: &str, survivor: i64, other: i64, choices: Vec<String>) -> i64 {
    let input = MergeInput { entity: entity.into(), survivor, ids: vec![survivor, other], versions: vec![1, 1], choices };
    duplicates::merge(db, actor, &input).await.expect("merge")
}

/// The merge entry of `id`'s history and its undo, as `actor` may see it.
async fn undo_of(db: &Db, actor: &Actor, entity: &str, id: i64) -> Option<i64> {
    let entries = audit::history(db, entity, id, None, 100).await.expect("history");
    let merges: Vec<i64> = entries.iter().filter(|e| e.field.as_deref() == Some("merge")).map(|e| e.id).collect();
    trash::merge::undoable(db, actor, &merges).await.expect("undoable").first().map(|u| u.trash_id)
}

/// Undoing an account merge brings the other account back with its values and types, moves its
/// contact, note and call back to it and gives the survivor its values from before.
async fn an_account_merge_is_undone(db: Db) {
    seed(&db).await;
    let t = team(&db, "A").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t)).await;
    let keep = new_account(&db, &ana, "Građevinar d.o.o.").await;
    let gone =
        accounts::create(&db, &ana, &app::domain::AccountInput { types: vec!["partner".into()], ..account_input("Gradjevinar doo") })
            .await
            .expect("account");
    let person = new_contact(&db, &ana, "Marko", "Marković", Some(gone)).await;
    let n = notes::create(&db, &ana, &note("account", gone, "Stari kupac")).await.expect("note");
    let call = activities::create(&db, &ana, &activity("call", "Poziv", ("account", gone))).await.expect("call");
    merge(&db, &ana, "account", keep, gone, vec![format!("name:{gone}")]).await;
    assert_eq!(accounts::get(&db, &ana, keep).await.expect("survivor").name, "Gradjevinar doo");
    assert_eq!(contacts::get(&db, &ana, person).await.expect("contact").account_id, Some(keep));
    assert_eq!(accounts::get(&db, &ana, keep).await.expect("survivor").types.len(), 2, "customer and partner");

    assert_eq!(undo_of(&db, &bob, "account", keep).await, None, "only the owner and administrators undo");
    let undo = undo_of(&db, &ana, "account", keep).await.expect("the owner may undo");
    assert_eq!(trash::merge::undo(&db, &bob, undo).await, Err(AppError::NotFound));
    trash::merge::undo(&db, &ana, undo).await.expect("undo");
    let s = accounts::get(&db, &ana, keep).await.expect("survivor");
    assert_eq!((s.name.as_str(), s.version), ("Građevinar d.o.o.", 3));
    let back = accounts::get(&db, &ana, gone).await.expect("the merged account is back with its id");
    assert_eq!(back.name, "Gradjevinar doo");
    assert_eq!(back.types, vec![app::domain::RelationshipType::Partner]);
    assert_eq!(s.types, vec![app::domain::RelationshipType::Customer], "the survivor's types from before");
    assert_eq!(contacts::get(&db, &ana, person).await.expect("contact").account_id, Some(gone));
    assert_eq!(count_for(&db, "SELECT regarding_id AS n FROM notes WHERE id = $1", n).await, gone);
    let a = activities::get(&db, &ana, call).await.expect("call");
    assert_eq!((a.regarding_id, a.account_id), (gone, Some(gone)));
    assert_eq!(history_actions(&db, "account", gone).await, vec!["create", "delete", "restore"]);
    assert!(history_actions(&db, "account", keep).await.contains(&"unmerge".to_string()));
    assert_eq!(undo_of(&db, &ana, "account", keep).await, None, "undone once");
}
both!(an_account_merge_is_undone);

/// Undo is refused when the survivor was edited after the merge, or a record it moved was moved on.
async fn an_unsafe_merge_undo_is_refused(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let keep = new_account(&db, &admin, "Kolubara Plast d.o.o.").await;
    let gone = new_account(&db, &admin, "Kolubara plast").await;
    let third = new_account(&db, &admin, "Treći d.o.o.").await;
    let person = new_contact(&db, &admin, "Ana", "Anić", Some(gone)).await;
    merge(&db, &admin, "account", keep, gone, vec![]).await;
    // The contact the merge moved was moved to another account since.
    let c = contacts::get(&db, &admin, person).await.expect("contact");
    let input = ContactInput {
        id: person.to_string(),
        version: c.version.to_string(),
        first_name: "Ana".into(),
        last_name: "Anić".into(),
        account_id: third.to_string(),
        ..Default::default()
    };
    contacts::update(&db, &admin, &input).await.expect("move the contact on");
    let undo = undo_of(&db, &admin, "account", keep).await.expect("undo offered");
    assert_eq!(trash::merge::undo(&db, &admin, undo).await, refused(Problem::ChangedSince(1), "undo"));
    // The survivor edited after the merge.
    let s = accounts::get(&db, &admin, keep).await.expect("survivor");
    let edit = app::domain::AccountInput { id: keep.to_string(), version: s.version.to_string(), ..account_input("Kolubara Plast a.d.") };
    accounts::update(&db, &admin, &edit).await.expect("edit");
    assert_eq!(trash::merge::undo(&db, &admin, undo).await, refused(Problem::EditedSince, "undo"));
    assert_eq!(accounts::get(&db, &admin, gone).await.map(|_| ()), Err(AppError::NotFound), "nothing came back");
}
both!(an_unsafe_merge_undo_is_refused);

/// Undoing a contact merge gives the other contact back its meeting attendance and its deal.
async fn a_contact_merge_is_undone(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let stage = app::services::stages::list(&db).await.expect("stages")[0].id;
    let acc = new_account(&db, &admin, "Firma d.o.o.").await;
    let keep = new_contact(&db, &admin, "Jovan", "Jovanović", Some(acc)).await;
    let gone = new_contact(&db, &admin, "Jovan", "Jovanovic", Some(acc)).await;
    let both_attend =
        ActivityInput { attendee_contacts: vec![keep.to_string(), gone.to_string()], ..activity("meeting", "Oba", ("account", acc)) };
    let both_attend = activities::create(&db, &admin, &both_attend).await.expect("meeting");
    let one_attends = ActivityInput { attendee_contacts: vec![gone.to_string()], ..activity("meeting", "Jedan", ("account", acc)) };
    let one_attends = activities::create(&db, &admin, &one_attends).await.expect("meeting");
    let deal = app::domain::OpportunityInput { contact_id: gone.to_string(), ..opportunity_input("Posao", acc, stage, "1000") };
    let deal = opportunities::create(&db, &admin, &deal).await.expect("deal");
    merge(&db, &admin, "contact", keep, gone, vec![]).await;
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activity_attendees WHERE contact_id = $1", keep).await, 2);

    let undo = undo_of(&db, &admin, "contact", keep).await.expect("undo offered");
    trash::merge::undo(&db, &admin, undo).await.expect("undo");
    assert_eq!(contacts::get(&db, &admin, gone).await.expect("back").last_name, "Jovanovic");
    assert_eq!((attends(&db, both_attend, keep).await, attends(&db, both_attend, gone).await), (1, 1));
    assert_eq!((attends(&db, one_attends, keep).await, attends(&db, one_attends, gone).await), (0, 1));
    assert_eq!(opportunities::get(&db, &admin, deal).await.expect("deal").contact_id, Some(gone));
}
both!(a_contact_merge_is_undone);

async fn attends(db: &Db, activity: i64, contact: i64) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM activity_attendees WHERE activity_id = $1 AND contact_id = {contact}");
    count_for(db, &sql, activity).await
}
