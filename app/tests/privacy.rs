//! Integration tests of personal-data requests: a person's export (one zip: `person.json` and the
//! files) and erasure (anonymized in place, in the history, the text search and what is only about
//! them), for administrators only — each on a fresh SQLite file and a fresh Postgres database (see
//! `common/`).
//!
//! Run: `cargo test -p app --features ssr --test privacy`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::{Backend, Db};
use app::domain::dedup::MergeInput;
use app::domain::{ActivityInput, ContactInput, LeadInput, ListQuery, NoteInput, QualifyInput, RegardingKind};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::privacy::{self, EraseRequest};
use app::services::{activities, contacts, documents, duplicates, leads, notes, search, Actor};
use serde_json::Value;
use std::io::Read;

const PDF: &[u8] = b"%PDF-1.7 Ana's signed contract";

/// Everything a person can be linked to: a contact at an account, with a call about her, a meeting
/// about the account she alone attends, a meeting she attends with a colleague, a note, a document, an
/// edit in her history, the lead she came from (qualified into her) and a deal naming her as contact.
struct World {
    admin: Actor,
    sales: Actor,
    contact: i64,
    colleague: i64,
    lead: i64,
    call: i64,
    solo_meeting: i64,
    shared_meeting: i64,
    document: i64,
    deal: i64,
}

fn activity(kind: &str, subject: &str, regarding: (&str, i64), attendees: &[i64]) -> ActivityInput {
    ActivityInput {
        kind: kind.into(),
        subject: subject.into(),
        description: format!("{subject}: Ana said her mobile is 064 111 2222"),
        starts_at: "2026-11-20T10:00".into(),
        location: "Ana's office, Knez Mihailova 5".into(),
        outcome: "Ana Petrović agreed".into(),
        regarding_kind: regarding.0.into(),
        regarding_id: regarding.1.to_string(),
        attendee_contacts: attendees.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    }
}

async fn world(db: &Db) -> World {
    seed(db).await;
    let team = team(db, "Beograd").await;
    let admin = user(db, "admin@x.rs", "Admin", "admin", None).await;
    let sales = user(db, "prodaja@x.rs", "Prodavac", "sales", Some(team)).await;
    let account = new_account(db, &sales, "Acme d.o.o.").await;
    let contact = contacts::create(
        db,
        &sales,
        &ContactInput {
            first_name: "Ana".into(),
            last_name: "Petrović".into(),
            account_id: account.to_string(),
            job_title: "Referent".into(),
            email: "ana.petrovic@acme.rs".into(),
            phone: "011 222 3333".into(),
            mobile: "064 111 2222".into(),
            ..Default::default()
        },
    )
    .await
    .expect("contact");
    // An edit, so her history holds an old and a new e-mail.
    contacts::update(
        db,
        &sales,
        &ContactInput {
            id: contact.to_string(),
            version: "1".into(),
            first_name: "Ana".into(),
            last_name: "Petrović".into(),
            account_id: account.to_string(),
            job_title: "Glavni referent".into(),
            email: "ana@acme.rs".into(),
            phone: "011 222 3333".into(),
            mobile: "064 111 2222".into(),
            ..Default::default()
        },
    )
    .await
    .expect("edit contact");
    let colleague = new_contact(db, &sales, "Marko", "Marković", Some(account)).await;
    let call = activities::create(db, &sales, &activity("call", "Poziv Ani Petrović", ("contact", contact), &[])).await.expect("call");
    let solo_meeting =
        activities::create(db, &sales, &activity("meeting", "Sastanak sa Anom", ("account", account), &[contact])).await.expect("meeting");
    let shared_meeting = {
        let shared = activity("meeting", "Sastanak o planu", ("account", account), &[contact, colleague]);
        let shared = ActivityInput { description: "Plan za 2027.".into(), location: String::new(), outcome: String::new(), ..shared };
        activities::create(db, &sales, &shared).await.expect("shared meeting")
    };
    notes::create(
        db,
        &sales,
        &NoteInput { regarding_kind: "contact".into(), regarding_id: contact.to_string(), body: "Ana prefers calls after 10".into() },
    )
    .await
    .expect("note");
    let document =
        documents::upload(db, &sales, RegardingKind::Contact, contact, "../../Ugovor Ana Petrović.pdf", PDF).await.expect("document");
    let lead = leads::create(
        db,
        &sales,
        &LeadInput {
            company: "Acme d.o.o.".into(),
            first_name: "Ana".into(),
            last_name: "Petrović".into(),
            email: "ana.petrovic@acme.rs".into(),
            phone: "011 222 3333".into(),
            notes: "Met Ana at the fair".into(),
            ..Default::default()
        },
    )
    .await
    .expect("lead");
    let q = leads::qualify(
        db,
        &sales,
        &QualifyInput {
            lead_id: lead.to_string(),
            version: "1".into(),
            account_id: account.to_string(),
            contact_id: contact.to_string(),
            create_opportunity: "on".into(),
            ..Default::default()
        },
    )
    .await
    .expect("qualify");
    World { admin, sales, contact, colleague, lead, call, solo_meeting, shared_meeting, document, deal: q.opportunity_id.expect("deal") }
}

async fn version_of(db: &Db, table: &str, id: i64) -> i64 {
    count_for(db, &format!("SELECT version AS n FROM {table} WHERE id = $1"), id).await
}

/// The export of `kind`/`id` as the administrator takes it: `person.json` and the other entries.
async fn export(db: &Db, actor: &Actor, kind: RegardingKind, id: i64) -> (Value, Vec<(String, Vec<u8>)>) {
    let (out, name) = privacy::export(db, actor, kind, id, std::io::Cursor::new(Vec::new())).await.expect("export");
    assert!(name.starts_with(&format!("personal-data-{}-{id}-", kind.code())) && name.ends_with(".zip"), "{name}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(out.into_inner())).expect("a zip");
    let mut person = None;
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("read entry");
        let name = f.name().expect("entry name").to_string();
        if name == "person.json" {
            person = Some(serde_json::from_slice::<Value>(&bytes).expect("person.json is JSON"));
        } else {
            files.push((name, bytes));
        }
    }
    (person.expect("person.json"), files)
}

fn erase_request(kind: RegardingKind, id: i64, version: i64) -> EraseRequest<'static> {
    EraseRequest { kind, id, version, confirm: "ERASE", reason: "Request by e-mail, ticket 42" }
}

/// How many texts of `table`'s `columns` still contain any of `needles` (case-insensitive).
async fn traces(db: &Db, table: &str, columns: &[&str], needles: &[&str]) -> i64 {
    let mut total = 0;
    for c in columns {
        for n in needles {
            let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE LOWER({c}) LIKE '%' || LOWER($1) || '%'");
            let found: i64 = sqlx::query_scalar(&sql).bind(*n).fetch_one(&db.pool).await.expect("count traces");
            total += found;
        }
    }
    total
}

const HER: &[&str] =
    &["Petrovi", "ana@acme", "ana.petrovic", "222 3333", "111 2222", "referent", "Knez Mihailova", "Ugovor Ana", "after 10", "at the fair"];

async fn export_holds_everything_about_the_person(db: Db) {
    let w = world(&db).await;
    let (person, files) = export(&db, &w.admin, RegardingKind::Contact, w.contact).await;
    assert_eq!(person["format"], "veza-personal-data/1");
    assert_eq!(person["exported_by"], "Admin");
    assert_eq!(person["record"]["first_name"], "Ana");
    assert_eq!(person["record"]["email"], "ana@acme.rs");
    assert_eq!(person["record"]["mobile"], "064 111 2222");
    assert_eq!(person["account"]["name"], "Acme d.o.o.");
    let acts = person["activities"].as_array().expect("activities");
    let relation = |id: i64| acts.iter().find(|a| a["id"] == id).map(|a| a["relation"].as_str().unwrap_or("").to_string());
    assert_eq!(relation(w.call).as_deref(), Some("regarding"));
    assert_eq!(relation(w.solo_meeting).as_deref(), Some("attendee"));
    assert_eq!(relation(w.shared_meeting).as_deref(), Some("attendee"));
    assert_eq!(acts.len(), 3, "no one else's activities: {acts:?}");
    assert_eq!(person["notes"][0]["body"], "Ana prefers calls after 10");
    let doc = &person["documents"][0];
    assert_eq!(doc["id"], w.document);
    assert_eq!(doc["file_name"], "Ugovor Ana Petrović.pdf");
    let path = format!("files/{}-Ugovor Ana Petrović.pdf", w.document);
    assert_eq!(doc["file"], path.as_str());
    assert_eq!(files, vec![(path, PDF.to_vec())], "the file itself, under files/, nowhere else");
    let history = person["history"].as_array().expect("history");
    assert!(
        history.iter().any(|h| h["field"] == "email" && h["old"] == "ana.petrovic@acme.rs" && h["new"] == "ana@acme.rs"),
        "{history:?}"
    );
    assert_eq!(person["source_leads"][0]["id"], w.lead);
    assert_eq!(person["opportunities"][0]["id"], w.deal);
    assert!(person["consents"].as_array().is_some_and(|c| c.is_empty()));
    // The export is in the record's history, and in the administration's list.
    assert_eq!(
        count_for(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'personal_export' AND record_id = $1", w.contact).await,
        1
    );
    let listed = privacy::requests(&db, &w.admin, None, 10).await.expect("requests");
    assert_eq!((listed[0].action.as_str(), listed[0].entity.as_str(), listed[0].record_id), ("personal_export", "contact", w.contact));
    assert_eq!(listed[0].record_name.as_deref(), Some("Ana Petrović"));

    // The lead's export names what it was qualified into.
    let (lead, files) = export(&db, &w.admin, RegardingKind::Lead, w.lead).await;
    assert_eq!(lead["record"]["notes"], "Met Ana at the fair");
    assert_eq!(lead["qualified_into"]["contact"]["id"], w.contact);
    assert_eq!(lead["qualified_into"]["opportunity"]["id"], w.deal);
    assert_eq!(lead["account"]["name"], "Acme d.o.o.");
    assert!(files.is_empty());

    // Only administrators: the record's owner may not, and nothing is recorded for the try.
    let refused = privacy::export(&db, &w.sales, RegardingKind::Contact, w.contact, std::io::Cursor::new(Vec::new())).await;
    assert_eq!(refused.err(), Some(AppError::Forbidden));
    assert_eq!(privacy::status(&db, &w.sales, RegardingKind::Contact, w.contact).await.err(), Some(AppError::Forbidden));
    assert_eq!(privacy::requests(&db, &w.sales, None, 10).await.err(), Some(AppError::Forbidden));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'personal_export'").await, 2);
    // No such person: NotFound, also for a kind that is not a person.
    let missing = privacy::export(&db, &w.admin, RegardingKind::Contact, 999_999, std::io::Cursor::new(Vec::new())).await;
    assert_eq!(missing.err(), Some(AppError::NotFound));
    assert_eq!(privacy::person_kind("account"), Err(AppError::NotFound));
}
both!(export_holds_everything_about_the_person);

async fn erasure_leaves_no_trace_of_the_person(db: Db) {
    let w = world(&db).await;
    // A duplicate of her, merged into her record: its history and the trash's copy name her too.
    let dup = new_contact(&db, &w.sales, "Ana", "Petrovićka", None).await;
    let merge = MergeInput {
        entity: "contact".into(),
        survivor: w.contact,
        ids: vec![w.contact, dup],
        versions: vec![version_of(&db, "contacts", w.contact).await, 1],
        choices: vec![],
    };
    duplicates::merge(&db, &w.admin, &merge).await.expect("merge");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM trash WHERE record_id = $1 AND entity = 'contact'", w.contact).await, 1);
    let version = version_of(&db, "contacts", w.contact).await;
    // Refused: not an administrator, a stale version, no confirmation, no reason.
    let refused = privacy::erase(&db, &w.sales, Lang::En, &erase_request(RegardingKind::Contact, w.contact, version)).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    let stale = privacy::erase(&db, &w.admin, Lang::En, &erase_request(RegardingKind::Contact, w.contact, version - 1)).await;
    assert_eq!(stale, Err(AppError::Conflict));
    let unconfirmed = EraseRequest { confirm: "Ana", ..erase_request(RegardingKind::Contact, w.contact, version) };
    assert_eq!(privacy::erase(&db, &w.admin, Lang::En, &unconfirmed).await, Err(invalid("erase_confirm", Problem::Mismatch(None))));
    let no_reason = EraseRequest { reason: "  ", ..erase_request(RegardingKind::Contact, w.contact, version) };
    assert_eq!(privacy::erase(&db, &w.admin, Lang::En, &no_reason).await, Err(invalid("erase_reason", Problem::Required)));
    assert_eq!(version_of(&db, "contacts", w.contact).await, version, "nothing changed");

    // Confirmed by her name as shown.
    let by_name = EraseRequest { confirm: " ana petrović ", ..erase_request(RegardingKind::Contact, w.contact, version) };
    let new_version = privacy::erase(&db, &w.admin, Lang::En, &by_name).await.expect("erase");
    assert_eq!(new_version, version + 1);

    // The record keeps its id, account and deal, under its new name.
    let c = contacts::get(&db, &w.admin, w.contact).await.expect("still there");
    assert_eq!(format!("{} {}", c.first_name, c.last_name), format!("Erased person #{}", w.contact));
    assert_eq!((c.email, c.phone, c.mobile, c.job_title), (None, None, None, None));
    assert!(c.account_id.is_some());
    assert_eq!(count_for(&db, "SELECT contact_id AS n FROM opportunities WHERE id = $1", w.deal).await, w.contact);

    // Nothing names her: the record, the lead she came from, activities only about her, the history.
    assert_eq!(traces(&db, "contacts", &["first_name", "last_name", "search_key", "search_text"], HER).await, 0);
    assert_eq!(traces(&db, "leads", &["first_name", "last_name", "email", "phone", "notes", "search_key", "search_text"], HER).await, 0);
    assert_eq!(traces(&db, "audit_entries", &["old_value", "new_value"], HER).await, 0, "the history forgets her");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM trash").await, 0, "nor does the trash keep the merged duplicate");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM trash_rows").await, 0);
    assert_eq!(traces(&db, "opportunities", &["name", "search_text"], HER).await, 0, "the deal named after the lead follows it");
    for a in [w.call, w.solo_meeting] {
        let row: (String, Option<String>, Option<String>, Option<String>) =
            sqlx::query_as("SELECT subject, description, outcome, location FROM activities WHERE id = $1")
                .bind(a)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(row, ("Activity with an erased person".to_string(), None, None, None), "activity {a}");
    }
    // A meeting with a colleague is not hers alone: it keeps its text (and its link to her record).
    let shared: String =
        sqlx::query_scalar("SELECT subject FROM activities WHERE id = $1").bind(w.shared_meeting).fetch_one(&db.pool).await.unwrap();
    assert_eq!(shared, "Sastanak o planu");
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM activity_attendees WHERE contact_id = $1", w.colleague).await, 1);
    // Notes and documents about her are gone, file contents too.
    assert_eq!(
        count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE regarding_kind = 'contact' AND regarding_id = $1", w.contact).await,
        0
    );
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM documents WHERE id = $1", w.document).await, 0);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM document_contents WHERE document_id = $1", w.document).await, 0);

    // The text search no longer finds her, by name, e-mail or phone; it finds the erased record.
    for q in ["Petrović", "petrovic", "ana@acme", "064 111", "0642"] {
        let list = contacts::list(&db, &w.admin, &ListQuery { q: q.into(), ..Default::default() }).await.expect("search contacts");
        assert!(list.rows.is_empty(), "contacts by {q:?}: {:?}", list.rows);
        let list = leads::list(&db, &w.admin, &ListQuery { q: q.into(), ..Default::default() }).await.expect("search leads");
        assert!(list.rows.is_empty(), "leads by {q:?}");
        let hits = search::global(&db, &w.admin, q).await.expect("global search");
        assert!(hits.iter().all(|h| !format!("{h:?}").contains("Petrovi")), "global search by {q:?}: {hits:?}");
    }
    let found = contacts::list(&db, &w.admin, &ListQuery { q: "erased person".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![w.contact]);
    if db.backend == Backend::Sqlite {
        // The full-text index itself agrees, and is intact.
        let indexed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM contacts_fts WHERE contacts_fts MATCH 'petrov'").fetch_one(&db.pool).await.unwrap();
        assert_eq!(indexed, 0);
        sqlx::query("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").execute(&db.pool).await.expect("index intact");
        sqlx::query("INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')").execute(&db.pool).await.expect("index intact");
    }

    // One entry for the erasure (who, when, why), on her and on the lead erased with her.
    let entries: Vec<(String, i64, Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT entity, record_id, new_value, user_id FROM audit_entries WHERE action = 'personal_erase' ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let reason = Some("Request by e-mail, ticket 42".to_string());
    assert_eq!(
        entries,
        vec![("contact".into(), w.contact, reason.clone(), Some(w.admin.id)), ("lead".into(), w.lead, reason, Some(w.admin.id))]
    );
    let status = privacy::status(&db, &w.admin, RegardingKind::Contact, w.contact).await.unwrap();
    assert!(status.erased.is_some_and(|(_, by)| by.as_deref() == Some("Admin")));
    assert_eq!(status.version, new_version);

    // Export and erasure still work, and show the anonymized person.
    let (person, files) = export(&db, &w.admin, RegardingKind::Contact, w.contact).await;
    assert_eq!(person["record"]["first_name"], "Erased person");
    assert!(person["notes"].as_array().is_some_and(|n| n.is_empty()) && files.is_empty());
    assert!(!person.to_string().contains("Petrovi"), "{person}");
    let again = privacy::erase(&db, &w.admin, Lang::Sr, &erase_request(RegardingKind::Contact, w.contact, new_version)).await;
    assert_eq!(again, Ok(new_version + 1));
    let listed = privacy::requests(&db, &w.admin, None, 2).await.unwrap();
    assert_eq!(listed.len(), 2, "a page at a time");
    assert_eq!(listed[0].action, "personal_erase");
    let older = privacy::requests(&db, &w.admin, Some(listed[1].id), 10).await.unwrap();
    assert!(older.iter().all(|r| r.id < listed[1].id) && !older.is_empty());
}
both!(erasure_leaves_no_trace_of_the_person);

async fn a_lead_keeps_its_company_and_leaves_its_contact_alone(db: Db) {
    let w = world(&db).await;
    // Erasing the lead: the company stays (it is not the person), the contact it became is untouched.
    let version = version_of(&db, "leads", w.lead).await;
    privacy::erase(&db, &w.admin, Lang::Sr, &EraseRequest { confirm: "obriši", ..erase_request(RegardingKind::Lead, w.lead, version) })
        .await
        .expect("erase lead");
    let l = leads::get(&db, &w.admin, w.lead).await.unwrap();
    assert_eq!(l.company.as_deref(), Some("Acme d.o.o."));
    assert_eq!((l.first_name, l.last_name.as_deref()), (None, Some(format!("Izbrisana osoba #{}", w.lead).as_str())));
    assert_eq!((l.email, l.phone, l.notes), (None, None, None));
    let c = contacts::get(&db, &w.admin, w.contact).await.unwrap();
    assert_eq!((c.first_name.as_str(), c.email.as_deref()), ("Ana", Some("ana@acme.rs")));
    let status = privacy::status(&db, &w.admin, RegardingKind::Lead, w.lead).await.unwrap();
    assert_eq!(status.became_contact, Some((w.contact, "Ana Petrović".to_string())));

    // A lead without a company is a person: its city, region and PIB go too.
    let solo = leads::create(
        &db,
        &w.sales,
        &LeadInput {
            first_name: "Jovan".into(),
            last_name: "Jovanović".into(),
            city: "Kraljevo".into(),
            region: "Raška".into(),
            pib: "101134702".into(),
            ..Default::default()
        },
    )
    .await
    .expect("person lead");
    privacy::erase(&db, &w.admin, Lang::En, &erase_request(RegardingKind::Lead, solo, 1)).await.expect("erase person lead");
    let row: (Option<String>, Option<String>, Option<String>, String) =
        sqlx::query_as("SELECT city, region, pib, search_text FROM leads WHERE id = $1").bind(solo).fetch_one(&db.pool).await.unwrap();
    assert_eq!((row.0, row.1, row.2), (None, None, None));
    assert!(!row.3.contains("jovan") && !row.3.contains("kraljevo") && !row.3.contains("101134702"), "{}", row.3);
    assert_eq!(traces(&db, "audit_entries", &["old_value", "new_value"], &["Jovanovi", "Kraljevo", "101134702"]).await, 0);
    // A lead that is not a person's cannot be asked for with another kind.
    let wrong = privacy::erase(&db, &w.admin, Lang::En, &erase_request(RegardingKind::Contact, solo + 1000, 1)).await;
    assert_eq!(wrong, Err(AppError::NotFound));
}
both!(a_lead_keeps_its_company_and_leaves_its_contact_alone);
