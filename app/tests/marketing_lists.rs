//! Integration tests of marketing lists: static members added and removed by ids, pasted links and
//! files (with unmatched rows and malformed files), the lock, visibility of lists and of their members,
//! contact preferences and left-out members, dynamic lists that follow the data, copies to static
//! lists and a record's panel — each on a fresh SQLite file and a fresh Postgres database.
//!
//! Run: `cargo test -p app --features ssr --test marketing_lists`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::find::{Cond, FindQuery, Group, Node, Op};
use app::domain::marketing::{MarketingListInput, MemberChange, MemberRow, MemberSummary, MembersQuery};
use app::domain::{AccountInput, ContactInput, LeadInput, ListQuery};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::marketing::{self, file, members};
use app::services::{accounts, contacts, leads, Actor};

fn list_input(name: &str, kind: &str) -> MarketingListInput {
    MarketingListInput { name: name.into(), member_kind: kind.into(), purpose: "Jesenja akcija".into(), ..Default::default() }
}

async fn new_list(db: &Db, actor: &Actor, name: &str, kind: &str) -> i64 {
    marketing::create(db, actor, &list_input(name, kind)).await.expect("create list")
}

async fn person(db: &Db, actor: &Actor, first: &str, last: &str, email: &str) -> i64 {
    let input = ContactInput { first_name: first.into(), last_name: last.into(), email: email.into(), ..Default::default() };
    contacts::create(db, actor, &input).await.expect("create contact")
}

async fn lead(db: &Db, actor: &Actor, company: &str, email: &str, pib: &str) -> i64 {
    let input = LeadInput { company: company.into(), email: email.into(), pib: pib.into(), rating: "warm".into(), ..Default::default() };
    leads::create(db, actor, &input).await.expect("create lead")
}

async fn account_in(db: &Db, actor: &Actor, name: &str, region: &str) -> i64 {
    let input = AccountInput { name: name.into(), types: vec!["customer".into()], region: region.into(), ..Default::default() };
    accounts::create(db, actor, &input).await.expect("create account")
}

async fn page(db: &Db, actor: &Actor, list: i64, q: MembersQuery) -> Vec<MemberRow> {
    let l = marketing::get(db, actor, list).await.expect("list");
    members::page(db, actor, &l, &q).await.expect("members").rows
}

async fn names(db: &Db, actor: &Actor, list: i64, q: MembersQuery) -> Vec<String> {
    page(db, actor, list, q).await.into_iter().map(|r| r.name).collect()
}

async fn summary(db: &Db, actor: &Actor, list: i64) -> MemberSummary {
    marketing::view(db, actor, list).await.expect("view").summary
}

fn change(added: i64, already: i64, skipped: i64) -> MemberChange {
    MemberChange { added, already, skipped, ..Default::default() }
}

async fn exec(db: &Db, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A static list of contacts: members added by ids and by pasted links (other kinds and text that is no
/// link are counted), removed by ids; the list's history names them.
async fn static_members_by_ids_and_links(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let ana = person(&db, &mara, "Ana", "Petrović", "ana@delta.rs").await;
    let iva = person(&db, &mara, "Iva", "Ilić", "iva@delta.rs").await;
    let zoran = person(&db, &mara, "Zoran", "Đorđević", "").await;
    let acc = new_account(&db, &mara, "Delta d.o.o.").await;
    let list = new_list(&db, &mara, "Kupci Beograd", "contact").await;

    let added = members::add(&db, &mara, list, &[ana, iva, iva, 999_999]).await.expect("add by ids");
    assert_eq!(added, change(2, 0, 1));
    assert_eq!(members::add(&db, &mara, list, &[ana]).await.unwrap(), change(0, 1, 0));
    let pasted = format!("https://crm.delta.rs/contacts/{zoran}?tab=history, /accounts/{acc}\nnije-link {ana}");
    let by_links = members::change_by_refs(&db, &mara, list, &pasted, false).await.expect("add by links");
    assert_eq!(by_links, MemberChange { added: 1, already: 1, skipped: 1, invalid: vec!["nije-link".into()], ..Default::default() });
    assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Ana Petrović", "Iva Ilić", "Zoran Đorđević"]);
    assert_eq!(summary(&db, &mara, list).await.total, 3);
    // Text finds members blind to case and diacritics.
    assert_eq!(names(&db, &mara, list, MembersQuery { q: "djordj".into(), ..Default::default() }).await, vec!["Zoran Đorđević"]);

    let removed = members::remove(&db, &mara, list, &[iva, acc + 1_000]).await.expect("remove");
    assert_eq!((removed.removed, removed.not_members, removed.skipped), (1, 0, 1));
    let again = members::remove(&db, &mara, list, &[iva]).await.unwrap();
    assert_eq!((again.removed, again.not_members), (0, 1));
    let by_links = members::change_by_refs(&db, &mara, list, &format!("/contacts/{zoran}"), true).await.unwrap();
    assert_eq!(by_links.removed, 1);
    assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Ana Petrović"]);
    assert_eq!(
        members::change_by_refs(&db, &mara, list, "  ", false).await,
        Err(AppError::Validation { field: "refs".into(), problem: Problem::Required })
    );

    let history = marketing::history(&db, &mara, list).await.expect("history");
    let mut added: Vec<String> =
        history.iter().filter(|e| e.field.as_deref() == Some("member_added")).filter_map(|e| e.new_value.clone()).collect();
    added.sort();
    assert_eq!(added, vec!["Ana Petrović", "Iva Ilić", "Zoran Đorđević"]);
    assert_eq!(history.iter().filter(|e| e.field.as_deref() == Some("member_removed")).count(), 2);
}
both!(static_members_by_ids_and_links);

/// Members from CSV and XLSX files: found by their e-mail, id or PIB column, unmatched rows reported by
/// line; files that are empty, of another type or without a key column refused by name.
async fn members_from_files(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let ana = person(&db, &mara, "Ana", "Petrović", "ana@delta.rs").await;
    let iva = person(&db, &mara, "Iva", "Ilić", "iva@delta.rs").await;
    let list = new_list(&db, &mara, "Sajam", "contact").await;

    let csv = "Ime;E-pošta\nAna;ANA@delta.rs\nNiko;niko@nigde.rs\n\nIva;iva@delta.rs\nBez adrese;\n";
    let c = file::change_by_file(&db, &mara, list, "sajam.csv", csv.as_bytes().to_vec(), false).await.expect("csv");
    assert_eq!((c.added, c.already, c.unmatched, c.unmatched_rows.clone()), (2, 0, 2, vec![3, 6]));
    // The same file again: nothing new.
    let c = file::change_by_file(&db, &mara, list, "sajam.csv", csv.as_bytes().to_vec(), false).await.unwrap();
    assert_eq!((c.added, c.already), (0, 2));

    // XLSX with an id column, removing.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Veza ID").unwrap();
    sheet.write_number(1, 0, iva as f64).unwrap();
    sheet.write_number(2, 0, 987_654.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let c = file::change_by_file(&db, &mara, list, "skini.xlsx", xlsx, true).await.expect("xlsx");
    assert_eq!((c.removed, c.unmatched, c.unmatched_rows.clone()), (1, 1, vec![3]));
    assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Ana Petrović"]);

    // A bare column of e-mail addresses, without a header.
    let c = file::change_by_file(&db, &mara, list, "adrese.txt", b"iva@delta.rs\n".to_vec(), false).await.unwrap();
    assert_eq!(c.added, 1);

    // Leads by PIB.
    let l1 = lead(&db, &mara, "Mlekara Šabac", "", "101134702").await;
    let leads_list = new_list(&db, &mara, "Mlekare", "lead").await;
    let c = file::change_by_file(&db, &mara, leads_list, "pib.csv", b"Naziv,PIB\nMlekara,RS101134702\n".to_vec(), false).await.unwrap();
    assert_eq!(c.added, 1);
    assert_eq!(page(&db, &mara, leads_list, MembersQuery::default()).await[0].id, l1);

    let refused = |problem: Problem| Err::<MemberChange, _>(AppError::Validation { field: "file".into(), problem });
    assert_eq!(file::change_by_file(&db, &mara, list, "prazno.csv", Vec::new(), false).await, refused(Problem::EmptyFile));
    assert_eq!(
        file::change_by_file(&db, &mara, list, "slika.png", b"\x89PNG\r\n".to_vec(), false).await,
        refused(Problem::FileTypeNotAllowed)
    );
    assert_eq!(
        file::change_by_file(&db, &mara, list, "firme.csv", b"Naziv;Grad\nDelta;Nis\n".to_vec(), false).await,
        refused(Problem::NoKeyColumn)
    );
    // Contacts have no PIB: a PIB column finds nothing to go by.
    assert_eq!(
        file::change_by_file(&db, &mara, list, "pib.csv", b"Naziv,PIB\nMlekara,101134702\n".to_vec(), false).await,
        refused(Problem::NoKeyColumn)
    );
    let big = vec![b'a'; app::domain::marketing::MAX_FILE_BYTES + 1];
    assert_eq!(file::change_by_file(&db, &mara, list, "veliko.csv", big, false).await, refused(Problem::FileTooLarge(10)));
    assert_eq!(summary(&db, &mara, list).await.total, 2);
    let _ = ana;
}
both!(members_from_files);

/// A locked list refuses every member change and its deletion, with one clear error; unlocked it
/// takes members again. Locking checks the version.
async fn a_locked_list_refuses_member_changes(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let ana = person(&db, &mara, "Ana", "Petrović", "ana@delta.rs").await;
    let list = new_list(&db, &mara, "Poslato 1. oktobra", "contact").await;
    members::add(&db, &mara, list, &[ana]).await.unwrap();
    let v = marketing::set_locked(&db, &mara, list, 1, true).await.expect("lock");
    assert_eq!(v, 2);
    assert!(marketing::get(&db, &mara, list).await.unwrap().locked);
    let locked = || Err::<MemberChange, _>(AppError::Validation { field: "locked".into(), problem: Problem::Locked });
    assert_eq!(members::add(&db, &mara, list, &[ana]).await, locked());
    assert_eq!(members::remove(&db, &mara, list, &[ana]).await, locked());
    assert_eq!(members::change_by_refs(&db, &mara, list, &ana.to_string(), false).await, locked());
    assert_eq!(file::change_by_file(&db, &mara, list, "a.csv", b"ana@delta.rs\n".to_vec(), true).await, locked());
    assert_eq!(
        marketing::delete(&db, &mara, list, v).await,
        Err(AppError::Validation { field: "locked".into(), problem: Problem::Locked })
    );
    // Details still change; the kind of member stays.
    let edited = MarketingListInput {
        id: list.to_string(),
        version: v.to_string(),
        name: "Poslato 1. oktobra 2026.".into(),
        member_kind: "lead".into(),
        cost: "15.000".into(),
        ..list_input("", "")
    };
    let v = marketing::update(&db, &mara, &edited).await.expect("edit a locked list's details");
    let l = marketing::get(&db, &mara, list).await.unwrap();
    assert_eq!((l.name.as_str(), l.cost_minor, l.member_kind.code()), ("Poslato 1. oktobra 2026.", 1_500_000, "contact"));
    assert_eq!(marketing::set_locked(&db, &mara, list, v - 1, false).await, Err(AppError::Conflict));
    let v = marketing::set_locked(&db, &mara, list, v, false).await.expect("unlock");
    assert_eq!(members::remove(&db, &mara, list, &[ana]).await.unwrap().removed, 1);
    marketing::delete(&db, &mara, list, v).await.expect("delete");
    assert_eq!(marketing::get(&db, &mara, list).await, Err(AppError::NotFound));
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM marketing_list_members WHERE list_id = $1", list).await, 0);
}
both!(a_locked_list_refuses_member_changes);

/// A salesperson neither sees nor changes another team's list, and cannot add records they may not
/// see; a list shared by a team shows each member only to whom may see it. Managers see their team's.
async fn lists_and_members_follow_visibility(db: Db) {
    seed(&db).await;
    let (bg, ns) = (team(&db, "Beograd").await, team(&db, "Novi Sad").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(bg)).await;
    let bojan = user(&db, "bojan@veza.rs", "Bojan", "sales", Some(ns)).await;
    let milan = user(&db, "milan@veza.rs", "Milan", "manager", Some(bg)).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let anas = person(&db, &ana, "Ana", "Kupac", "kupac@a.rs").await;
    let bojans = person(&db, &bojan, "Bojan", "Kupac", "kupac@b.rs").await;
    let theirs = new_list(&db, &bojan, "Novi Sad jesen", "contact").await;
    let mine = new_list(&db, &ana, "Beograd jesen", "contact").await;

    assert_eq!(marketing::get(&db, &ana, theirs).await, Err(AppError::NotFound));
    assert_eq!(members::add(&db, &ana, theirs, &[anas]).await, Err(AppError::NotFound));
    assert_eq!(marketing::set_locked(&db, &ana, theirs, 1, true).await, Err(AppError::NotFound));
    assert_eq!(marketing::copy_to_static(&db, &ana, theirs, Lang::En).await, Err(AppError::NotFound));
    let seen: Vec<i64> = marketing::list(&db, &ana, &all()).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(seen, vec![mine]);
    let seen: Vec<i64> = marketing::list(&db, &milan, &all()).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(seen, vec![mine]);
    assert_eq!(marketing::list(&db, &admin, &all()).await.unwrap().rows.len(), 2);

    // Another team's record is skipped as if it did not exist.
    assert_eq!(members::add(&db, &ana, mine, &[anas, bojans]).await.unwrap(), change(1, 0, 1));
    let by_file = file::change_by_file(&db, &ana, mine, "a.csv", b"kupac@b.rs\n".to_vec(), false).await.unwrap();
    assert_eq!((by_file.added, by_file.unmatched), (0, 1));
    // The administrator adds it; Ana's list still shows her only what she may see.
    assert_eq!(members::add(&db, &admin, mine, &[bojans]).await.unwrap().added, 1);
    assert_eq!(summary(&db, &admin, mine).await.total, 2);
    assert_eq!(summary(&db, &ana, mine).await.total, 1);
    assert_eq!(names(&db, &ana, mine, MembersQuery::default()).await, vec!["Ana Kupac"]);
    assert_eq!(members::remove(&db, &ana, mine, &[bojans]).await.unwrap().skipped, 1);
    assert_eq!(summary(&db, &admin, mine).await.total, 2);
    // A record's panel: only lists of its kind the viewer may see.
    let panel = members::of_record(&db, &ana, app::domain::marketing::MemberKind::Contact, anas).await.unwrap();
    assert_eq!(panel.member_of.iter().map(|l| l.id).collect::<Vec<_>>(), vec![mine]);
    assert!(panel.can_join.is_empty());
    assert_eq!(members::of_record(&db, &ana, app::domain::marketing::MemberKind::Contact, bojans).await, Err(AppError::NotFound));
    let panel = members::of_record(&db, &bojan, app::domain::marketing::MemberKind::Contact, bojans).await.unwrap();
    assert_eq!((panel.member_of.len(), panel.can_join.iter().map(|l| l.id).collect::<Vec<_>>()), (0, vec![theirs]));
    // Another team's list is found in no filter and no history.
    let q = ListQuery { q: "novi".into(), ..Default::default() };
    assert!(marketing::list(&db, &ana, &q).await.unwrap().rows.is_empty());
    assert_eq!(marketing::history(&db, &ana, theirs).await, Err(AppError::NotFound));
}
both!(lists_and_members_follow_visibility);

/// Do-not-e-mail/call/mail are shown and filtered; inactive accounts and disqualified leads are left out
/// of the members to reach unless asked for.
async fn preferences_and_left_out_members(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let ana = person(&db, &mara, "Ana", "Bez poziva", "ana@delta.rs").await;
    let iva = person(&db, &mara, "Iva", "Bez pošte", "iva@delta.rs").await;
    let ema = person(&db, &mara, "Ema", "Slobodna", "ema@delta.rs").await;
    exec(&db, "UPDATE contacts SET do_not_call = 1, do_not_email = 1 WHERE id = $1", ana).await;
    exec(&db, "UPDATE contacts SET do_not_mail = 1 WHERE id = $1", iva).await;
    let people = new_list(&db, &mara, "Ljudi", "contact").await;
    members::add(&db, &mara, people, &[ana, iva, ema]).await.unwrap();
    assert_eq!(summary(&db, &mara, people).await, MemberSummary { total: 3, left_out: 0, do_not_email: 1, do_not_call: 1, do_not_mail: 1 });
    let flagged = |f: &str| MembersQuery { flag: f.into(), ..Default::default() };
    assert_eq!(names(&db, &mara, people, flagged("do_not_call")).await, vec!["Ana Bez poziva"]);
    assert_eq!(names(&db, &mara, people, flagged("do_not_mail")).await, vec!["Iva Bez pošte"]);
    assert_eq!(names(&db, &mara, people, flagged("none")).await, vec!["Ema Slobodna"]);
    let rows = page(&db, &mara, people, MembersQuery::default()).await;
    assert_eq!(
        rows.iter().map(|r| (r.do_not_email, r.do_not_call, r.do_not_mail)).collect::<Vec<_>>(),
        vec![(true, true, false), (false, false, false), (false, false, true)]
    );

    let active = account_in(&db, &mara, "Aktivna d.o.o.", "").await;
    let closed = account_in(&db, &mara, "Zatvorena d.o.o.", "").await;
    exec(&db, "UPDATE accounts SET inactive = 1 WHERE id = $1", closed).await;
    let firms = new_list(&db, &mara, "Firme", "account").await;
    members::add(&db, &mara, firms, &[active, closed]).await.unwrap();
    let s = summary(&db, &mara, firms).await;
    assert_eq!((s.total, s.left_out, s.to_reach()), (2, 1, 1));
    assert_eq!(names(&db, &mara, firms, MembersQuery::default()).await, vec!["Aktivna d.o.o."]);
    // A campaign going through the members in batches reaches the active one only.
    let l = marketing::get(&db, &mara, firms).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(members::reach_ids_in(&mut tx, &mara, &l, 0, 10).await.unwrap(), vec![active]);
    assert_eq!(members::reach_ids_in(&mut tx, &mara, &l, active, 10).await.unwrap(), Vec::<i64>::new());
    tx.commit().await.unwrap();
    let everyone = MembersQuery { all: "1".into(), ..Default::default() };
    let rows = page(&db, &mara, firms, everyone.clone()).await;
    assert_eq!(
        rows.iter().map(|r| (r.name.as_str(), r.left_out)).collect::<Vec<_>>(),
        vec![("Aktivna d.o.o.", false), ("Zatvorena d.o.o.", true)]
    );

    let hot = lead(&db, &mara, "Vruća firma", "", "").await;
    let out = lead(&db, &mara, "Odustala firma", "", "").await;
    exec(&db, "UPDATE leads SET status = 'disqualified' WHERE id = $1", out).await;
    exec(&db, "UPDATE leads SET do_not_email = 1 WHERE id = $1", hot).await;
    let prospects = new_list(&db, &mara, "Potencijalni", "lead").await;
    members::add(&db, &mara, prospects, &[hot, out]).await.unwrap();
    assert_eq!(names(&db, &mara, prospects, MembersQuery::default()).await, vec!["Vruća firma"]);
    assert_eq!(names(&db, &mara, prospects, everyone).await, vec!["Odustala firma", "Vruća firma"]);
    assert_eq!(
        summary(&db, &mara, prospects).await,
        MemberSummary { total: 2, left_out: 1, do_not_email: 1, do_not_call: 0, do_not_mail: 0 }
    );
}
both!(preferences_and_left_out_members);

fn region_query(entity: &str, region: &str) -> String {
    let q = FindQuery {
        entity: app::domain::find::Entity::parse(entity).unwrap(),
        root: Group { any: false, items: vec![Node::Cond(Cond { field: "region".into(), op: Op::Eq, values: vec![region.into()] })] },
        ..Default::default()
    };
    serde_json::to_string(&q).unwrap()
}

/// A dynamic list's members are its query evaluated each time: they follow the data, are refused any
/// change by hand, and are copied into a static list that keeps them. A query of another kind of
/// record is refused.
async fn dynamic_lists_follow_the_data(db: Db) {
    seed(&db).await;
    let t = team(&db, "Kragujevac").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let other = user(&db, "nina@veza.rs", "Nina", "sales", Some(team(&db, "Niš").await)).await;
    let a1 = account_in(&db, &mara, "Šumadija Prom", "Šumadija").await;
    let a2 = account_in(&db, &mara, "Beogradska firma", "Beograd").await;
    account_in(&db, &other, "Tuđa šumadijska firma", "Šumadija").await;

    let input =
        MarketingListInput {
            list_type: "dynamic".into(), query: region_query("account", "Šumadija"), ..list_input("Šumadija", "account")
        };
    let list = marketing::create(&db, &mara, &input).await.expect("dynamic list");
    assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Šumadija Prom"]);
    exec(&db, "UPDATE accounts SET region = 'Šumadija' WHERE id = $1", a2).await;
    assert_eq!(summary(&db, &mara, list).await.total, 2);
    exec(&db, "UPDATE accounts SET inactive = 1 WHERE id = $1", a1).await;
    assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Beogradska firma"]);
    assert!(page(&db, &mara, list, MembersQuery::default()).await[0].added_at.is_none());
    let l = marketing::get(&db, &mara, list).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(members::reach_ids_in(&mut tx, &mara, &l, 0, 10).await.unwrap(), vec![a2]);
    tx.commit().await.unwrap();
    let dynamic = || Err::<MemberChange, _>(AppError::Validation { field: "list_type".into(), problem: Problem::DynamicMembers });
    assert_eq!(members::add(&db, &mara, list, &[a1]).await, dynamic());
    assert_eq!(members::remove(&db, &mara, list, &[a1]).await, dynamic());

    // A query of contacts for a list of accounts, and one that does not read.
    let wrong = MarketingListInput { query: region_query("contact", "Šumadija"), ..input.clone() };
    assert_eq!(
        marketing::create(&db, &mara, &wrong).await,
        Err(AppError::Validation { field: "query".into(), problem: Problem::InvalidChoice })
    );
    let broken =
        MarketingListInput { query: "{\"entity\":\"account\",\"root\":{\"items\":[{\"cond\":{\"field\":\"nema\"}}]}}".into(), ..input };
    assert_eq!(
        marketing::create(&db, &mara, &broken).await,
        Err(AppError::Validation { field: "query".into(), problem: Problem::InvalidChoice })
    );

    // The copy keeps today's members, the left out ones too; the dynamic list goes on following the data.
    let copy = marketing::copy_to_static(&db, &mara, list, Lang::Sr).await.expect("copy");
    let c = marketing::get(&db, &mara, copy).await.unwrap();
    assert_eq!((c.name.as_str(), c.list_type.code(), c.member_kind.code()), ("Šumadija (kopija)", "static", "account"));
    exec(&db, "UPDATE accounts SET region = 'Beograd' WHERE id = $1", a2).await;
    assert_eq!(summary(&db, &mara, list).await.total, 1);
    assert_eq!(summary(&db, &mara, copy).await.total, 2);
    assert_eq!(members::remove(&db, &mara, copy, &[a2]).await.unwrap().removed, 1);
    let history = marketing::history(&db, &mara, copy).await.unwrap();
    assert_eq!(history.iter().filter(|e| e.field.as_deref() == Some("member_added")).count(), 2);

    // A static list copies too.
    let again = marketing::copy_to_static(&db, &mara, copy, Lang::En).await.unwrap();
    assert_eq!(summary(&db, &mara, again).await.total, 1);
    assert_eq!(marketing::get(&db, &mara, again).await.unwrap().name, "Šumadija (kopija) (copy)");
}
both!(dynamic_lists_follow_the_data);

/// A member row older than its record — left by an earlier record with the same id — is no member, and
/// adding the record replaces it.
async fn a_row_older_than_its_record_is_no_member(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let ana = person(&db, &mara, "Ana", "Nova", "ana@delta.rs").await;
    let list = new_list(&db, &mara, "Stari", "contact").await;
    sqlx::query(
        "INSERT INTO marketing_list_members (list_id, member_id, added_at, added_by) VALUES ($1, $2, '2001-01-01T00:00:00.000Z', NULL)",
    )
    .bind(list)
    .bind(ana)
    .execute(&db.pool)
    .await
    .unwrap();
    assert_eq!(summary(&db, &mara, list).await.total, 0);
    let panel = members::of_record(&db, &mara, app::domain::marketing::MemberKind::Contact, ana).await.unwrap();
    assert_eq!((panel.member_of.len(), panel.can_join.len()), (0, 1));
    assert_eq!(members::remove(&db, &mara, list, &[ana]).await.unwrap().not_members, 1);
    sqlx::query(
        "INSERT INTO marketing_list_members (list_id, member_id, added_at, added_by) VALUES ($1, $2, '2001-01-01T00:00:00.000Z', NULL)",
    )
    .bind(list)
    .bind(ana)
    .execute(&db.pool)
    .await
    .unwrap();
    assert_eq!(members::add(&db, &mara, list, &[ana]).await.unwrap(), change(1, 0, 0));
    assert_eq!(summary(&db, &mara, list).await.total, 1);
}
both!(a_row_older_than_its_record_is_no_member);

/// Saving a list checks its form and its version; the index filters by kind, type and name.
async fn list_details_are_checked_and_versioned(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    assert_eq!(
        marketing::create(&db, &mara, &list_input(" ", "contact")).await,
        Err(AppError::Validation { field: "name".into(), problem: Problem::Required })
    );
    assert_eq!(
        marketing::create(&db, &mara, &list_input("X", "opportunity")).await,
        Err(AppError::Validation { field: "member_kind".into(), problem: Problem::InvalidChoice })
    );
    let a = new_list(&db, &mara, "Đački popust", "contact").await;
    let b = new_list(&db, &mara, "Partneri", "account").await;
    let edit = MarketingListInput { id: a.to_string(), version: "1".into(), ..list_input("Đački popust 2026", "contact") };
    marketing::update(&db, &mara, &edit).await.expect("first save");
    assert_eq!(marketing::update(&db, &mara, &edit).await, Err(AppError::Conflict));
    let ids = |rows: Vec<app::domain::marketing::MarketingListRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    let q = ListQuery { q: "DJACKI".into(), ..Default::default() };
    assert_eq!(ids(marketing::list(&db, &mara, &q).await.unwrap().rows), vec![a]);
    let q = ListQuery { kind: "account".into(), ..Default::default() };
    assert_eq!(ids(marketing::list(&db, &mara, &q).await.unwrap().rows), vec![b]);
    let q = ListQuery { status: "dynamic".into(), ..Default::default() };
    assert_eq!(ids(marketing::list(&db, &mara, &q).await.unwrap().rows), Vec::<i64>::new());
    assert_eq!(ids(marketing::list(&db, &mara, &all()).await.unwrap().rows), vec![a, b]);
    let history = marketing::history(&db, &mara, a).await.unwrap();
    assert!(history.iter().any(|e| e.field.as_deref() == Some("name") && e.new_value.as_deref() == Some("Đački popust 2026")));
}
both!(list_details_are_checked_and_versioned);

/// The "do not" preferences of one record, as its service reads them.
async fn contact_prefs(db: &Db, actor: &Actor, id: i64) -> [bool; 3] {
    contacts::get(db, actor, id).await.expect("contact").preferences.flags()
}

/// A record's history entries of `field`: (old, new).
async fn changes_of(db: &Db, entity: &str, id: i64, field: &str) -> Vec<(Option<String>, Option<String>)> {
    let mut rows: Vec<_> = app::services::audit::history(db, entity, id, None, 200)
        .await
        .expect("history")
        .into_iter()
        .filter(|e| e.field.as_deref() == Some(field))
        .map(|e| (e.old_value, e.new_value))
        .collect();
    rows.reverse();
    rows
}

fn on(b: bool) -> String {
    if b { "on" } else { "" }.to_string()
}

/// A contact's and a lead's preferences and an account's "inactive" are set by their forms, versioned
/// and in their history; a value that is not yes or no is refused by field; the lists show them and
/// export them; a qualified lead hands its preferences to the contact it becomes; a merge keeps every
/// "do not" any of the merged contacts had.
async fn preferences_are_edited_through_the_forms(db: Db) {
    use app::services::export::{self, Cell, ExportList};
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;

    // A contact created with "do not call".
    let input = ContactInput { first_name: "Ana".into(), last_name: "Tiha".into(), do_not_call: "on".into(), ..Default::default() };
    let ana = contacts::create(&db, &mara, &input).await.expect("create");
    assert_eq!(contact_prefs(&db, &mara, ana).await, [false, true, false]);
    assert_eq!(changes_of(&db, "contact", ana, "do_not_call").await, vec![(None, Some("1".into()))]);
    assert!(changes_of(&db, "contact", ana, "do_not_email").await.is_empty(), "a preference not set is not in the new record's history");
    // Edited: e-mail off limits too, calls allowed again.
    let edit = ContactInput { id: ana.to_string(), version: "1".into(), do_not_email: on(true), do_not_call: on(false), ..input.clone() };
    assert_eq!(contacts::update(&db, &mara, &edit).await, Ok(2));
    assert_eq!(contact_prefs(&db, &mara, ana).await, [true, false, false]);
    assert_eq!(changes_of(&db, "contact", ana, "do_not_email").await, vec![(Some("0".into()), Some("1".into()))]);
    assert_eq!(changes_of(&db, "contact", ana, "do_not_call").await[1], (Some("1".into()), Some("0".into())));
    assert_eq!(contacts::update(&db, &mara, &edit).await, Err(AppError::Conflict), "the version it was read at");
    let bad = ContactInput { id: ana.to_string(), version: "2".into(), do_not_mail: "maybe".into(), ..input.clone() };
    assert_eq!(
        contacts::update(&db, &mara, &bad).await,
        Err(AppError::Validation { field: "do_not_mail".into(), problem: Problem::NotYesNo })
    );
    assert_eq!(contact_prefs(&db, &mara, ana).await, [true, false, false], "nothing saved");
    // The list row and its export.
    let q = ListQuery { q: "tiha".into(), ..Default::default() };
    let rows = contacts::list(&db, &mara, &q).await.unwrap().rows;
    assert_eq!(rows[0].preferences.flags(), [true, false, false]);
    let (headers, cells) = export::table(&db, &mara, ExportList::Contacts, &q, Lang::En).await.unwrap();
    assert_eq!(headers[6..], ["Do not e-mail", "Do not call", "Do not send mail"]);
    assert_eq!(cells[0][6..], [Cell::Text("Yes".into()), Cell::Text(String::new()), Cell::Text(String::new())]);

    // A lead, then qualified: the new contact keeps what the person asked for.
    let lead_input = LeadInput {
        first_name: "Iva".into(),
        last_name: "Mirna".into(),
        company: "Mirna d.o.o.".into(),
        do_not_mail: "on".into(),
        ..Default::default()
    };
    let iva = leads::create(&db, &mara, &lead_input).await.expect("lead");
    let lead_edit = LeadInput { id: iva.to_string(), version: "1".into(), do_not_email: "true".into(), ..lead_input.clone() };
    assert_eq!(leads::update(&db, &mara, &lead_edit).await, Ok(2));
    let l = leads::get(&db, &mara, iva).await.unwrap();
    assert_eq!(l.preferences.flags(), [true, false, true]);
    assert_eq!(changes_of(&db, "lead", iva, "do_not_email").await, vec![(Some("0".into()), Some("1".into()))]);
    let q = ListQuery { q: "mirna".into(), ..Default::default() };
    assert_eq!(leads::list(&db, &mara, &q).await.unwrap().rows[0].preferences.flags(), [true, false, true]);
    let (headers, cells) = export::table(&db, &mara, ExportList::Leads, &q, Lang::En).await.unwrap();
    assert_eq!(headers[9..], ["Do not e-mail", "Do not call", "Do not send mail"]);
    assert_eq!(cells[0][9..], [Cell::Text("Yes".into()), Cell::Text(String::new()), Cell::Text("Yes".into())]);
    let qualify = app::domain::QualifyInput { lead_id: iva.to_string(), version: "2".into(), ..Default::default() };
    let done = leads::qualify(&db, &mara, &qualify).await.expect("qualify");
    assert_eq!(contact_prefs(&db, &mara, done.contact_id.expect("a contact")).await, [true, false, true]);

    // An account marked inactive: flagged in the list and its export, left out of a list's members to reach.
    let firm = AccountInput { name: "Ugašena d.o.o.".into(), types: vec!["customer".into()], ..Default::default() };
    let firm_id = accounts::create(&db, &mara, &firm).await.unwrap();
    assert!(changes_of(&db, "account", firm_id, "inactive").await.is_empty());
    let firm_edit = AccountInput { id: firm_id.to_string(), version: "1".into(), inactive: "on".into(), ..firm.clone() };
    accounts::update(&db, &mara, &firm_edit).await.expect("inactive");
    assert!(accounts::get(&db, &mara, firm_id).await.unwrap().inactive);
    assert_eq!(changes_of(&db, "account", firm_id, "inactive").await, vec![(Some("0".into()), Some("1".into()))]);
    let bad = AccountInput { version: "2".into(), inactive: "da".into(), ..firm_edit.clone() };
    assert_eq!(
        accounts::update(&db, &mara, &bad).await,
        Err(AppError::Validation { field: "inactive".into(), problem: Problem::NotYesNo })
    );
    let q = ListQuery { q: "ugasena".into(), ..Default::default() };
    assert!(accounts::list(&db, &mara, &q).await.unwrap().rows[0].inactive);
    let (headers, cells) = export::table(&db, &mara, ExportList::Accounts, &q, Lang::En).await.unwrap();
    assert_eq!((headers[6].as_str(), &cells[0][6]), ("Inactive", &Cell::Text("Yes".into())));
    let firms = new_list(&db, &mara, "Firme", "account").await;
    members::add(&db, &mara, firms, &[firm_id]).await.unwrap();
    let s = summary(&db, &mara, firms).await;
    assert_eq!((s.total, s.left_out, s.to_reach()), (1, 1, 0));

    // Two records of one person merged: the survivor keeps every "do not" either had.
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let twin = ContactInput { first_name: "Ana".into(), last_name: "Tiha".into(), do_not_mail: "on".into(), ..Default::default() };
    let twin = contacts::create(&db, &mara, &twin).await.unwrap();
    let input = app::domain::dedup::MergeInput {
        entity: "contact".into(),
        survivor: ana,
        ids: vec![ana, twin],
        versions: vec![2, 1],
        choices: vec![],
    };
    app::services::duplicates::merge(&db, &admin, &input).await.expect("merge");
    assert_eq!(contact_prefs(&db, &admin, ana).await, [true, false, true]);
    assert_eq!(changes_of(&db, "contact", ana, "do_not_mail").await.last(), Some(&(Some("0".into()), Some("1".into()))));
}
both!(preferences_are_edited_through_the_forms);

/// Uploads, maps as guessed, analyses (the job run here) and returns the import.
async fn analysed(db: &Db, actor: &Actor, entity: app::domain::imports::ImportEntity, name: &str, text: &str) -> i64 {
    use app::services::imports;
    let id = imports::upload(db, actor, entity, name, text.as_bytes().to_vec()).await.expect("upload");
    let view = imports::mapping_view(db, actor, id).await.expect("mapping view");
    imports::analyse(db, actor, id, view.import.version, view.mapping, Default::default(), "").await.expect("analyse");
    assert_eq!(imports::run_pending(db, "test-worker").await.expect("analysis job"), 1);
    id
}

/// Rejected rows of an import: (row, [(field, problem)]).
async fn rejects(db: &Db, actor: &Actor, id: i64) -> Vec<(i64, Vec<(String, Problem)>)> {
    let preview = app::services::imports::preview(db, actor, id).await.unwrap();
    preview
        .rejects
        .iter()
        .map(|r| (r.row_no, r.cells.iter().filter_map(|c| c.problem.clone().map(|p| (c.field.clone(), p))).collect()))
        .collect()
}

async fn run_import(db: &Db, actor: &Actor, id: i64) {
    use app::services::imports;
    let s = imports::summary(db, actor, id).await.unwrap();
    imports::start(db, actor, id, s.version).await.expect("start");
    imports::run_pending(db, "test-worker").await.expect("import job");
    assert_eq!(imports::summary(db, actor, id).await.unwrap().status, app::domain::imports::ImportStatus::Done);
}

async fn contact_by_email(db: &Db, email: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT id FROM contacts WHERE email = $1").bind(email).fetch_one(&db.pool).await.expect("contact").0
}

/// Preferences and "inactive" as optional import columns: headers in either language, yes/no words,
/// 1/0 and true/false; any other value rejects the row naming the column. An update fills a preference
/// the record did not have and never clears one unless told to overwrite; undo puts them back.
async fn preferences_from_an_import(db: Db) {
    use app::domain::imports::ImportEntity;
    seed(&db).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let zoran = ContactInput {
        first_name: "Zoran".into(),
        last_name: "Stari".into(),
        email: "zoran@sajam.rs".into(),
        do_not_email: "on".into(),
        ..Default::default()
    };
    let zoran = contacts::create(&db, &admin, &zoran).await.unwrap();
    let csv = "Ime;Prezime;E-mail;Ne zvati;Do not e-mail;Ne slati poštu\n\
               Ana;Ilić;ana@sajam.rs;da;ne;1\n\
               Iva;Jović;iva@sajam.rs;NE;yes;\n\
               Ema;Kos;ema@sajam.rs;možda;;\n\
               Zoran;Stari;zoran@sajam.rs;Da;0;false\n";
    let id = analysed(&db, &admin, ImportEntity::Contact, "sajam.csv", csv).await;
    let view = app::services::imports::mapping_view(&db, &admin, id).await.unwrap();
    assert_eq!(view.mapping[3..], ["do_not_call", "do_not_email", "do_not_mail"]);
    assert_eq!(rejects(&db, &admin, id).await, vec![(3, vec![("do_not_call".to_string(), Problem::NotYesNo)])]);
    run_import(&db, &admin, id).await;
    assert_eq!(contact_prefs(&db, &admin, contact_by_email(&db, "ana@sajam.rs").await).await, [false, true, true]);
    assert_eq!(contact_prefs(&db, &admin, contact_by_email(&db, "iva@sajam.rs").await).await, [true, false, false]);
    // The existing contact: "do not call" filled in, "do not e-mail" kept despite the file's "0".
    assert_eq!(contact_prefs(&db, &admin, zoran).await, [true, true, false]);
    assert_eq!(changes_of(&db, "contact", zoran, "do_not_call").await.last(), Some(&(None, Some("1".into()))));
    app::services::imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(contact_prefs(&db, &admin, zoran).await, [true, false, false]);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 1);

    // Leads and accounts.
    let id = analysed(&db, &admin, ImportEntity::Lead, "leads.csv", "Firma;Ne slati e-poštu;Ne zvati\nMlekara;true;\nCiglana;x;n\n").await;
    run_import(&db, &admin, id).await;
    let flags: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT company, do_not_email, do_not_call FROM leads ORDER BY company").fetch_all(&db.pool).await.unwrap();
    assert_eq!(flags, vec![("Ciglana".into(), 1, 0), ("Mlekara".into(), 1, 0)]);
    let id = analysed(&db, &admin, ImportEntity::Account, "firme.csv", "Naziv;Neaktivan\nAlfa;da\nBeta;aktivan\nGama;?\nDelta;\n").await;
    assert_eq!(rejects(&db, &admin, id).await, vec![(3, vec![("inactive".to_string(), Problem::NotYesNo)])]);
    run_import(&db, &admin, id).await;
    let flags: Vec<(String, i64)> = sqlx::query_as("SELECT name, inactive FROM accounts ORDER BY name").fetch_all(&db.pool).await.unwrap();
    assert_eq!(flags, vec![("Alfa".into(), 1), ("Beta".into(), 0), ("Delta".into(), 0)]);
}
both!(preferences_from_an_import);

/// A list's members chosen one by one or "all N matching" the members' filters: taken off the list
/// (a few at once, many as a job), added to another static list, exported; only members the user may
/// see are touched, a locked list refuses, a member selection neither deletes nor reassigns.
async fn bulk_actions_on_a_lists_members(db: Db) {
    use app::api::bulk::BulkOutcome;
    use app::domain::bulk::{BulkAction, BulkList, Scope, Selection};
    use app::services::{bulk, job_runner};
    seed(&db).await;
    let (bg, ns) = (team(&db, "Beograd").await, team(&db, "Novi Sad").await);
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(bg)).await;
    let bojan = user(&db, "bojan@veza.rs", "Bojan", "sales", Some(ns)).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mut people = Vec::new();
    for (i, name) in ["Ana", "Iva", "Ema", "Lana", "Mila", "Nina"].iter().enumerate() {
        people.push(person(&db, &mara, name, "Članica", &format!("c{i}@sajam.rs")).await);
    }
    let [ana, iva, ema, lana, mila, nina] = people[..] else { unreachable!() };
    for quiet in [ema, lana, mila] {
        exec(&db, "UPDATE contacts SET do_not_call = 1 WHERE id = $1", quiet).await;
    }
    let theirs = person(&db, &bojan, "Tuđa", "Članica", "tudja@sajam.rs").await;
    let fair = new_list(&db, &mara, "Sajam", "contact").await;
    let callers = new_list(&db, &mara, "Za pozive", "contact").await;
    members::add(&db, &mara, fair, &people).await.unwrap();
    members::add(&db, &admin, fair, &[theirs]).await.unwrap();
    let (va, vi) = (contacts::get(&db, &admin, ana).await.unwrap().version, contacts::get(&db, &admin, iva).await.unwrap().version);
    let ticked = |ids: Vec<(i64, i64)>| Selection { list: BulkList::Contacts, scope: Scope::Ids(ids) };
    let done = |o: BulkOutcome| match o {
        BulkOutcome::Done(v) => v,
        BulkOutcome::Started(id) => panic!("ran as job {id}"),
    };

    // Two ticked members off the list at once; one ticked record the user may not see is refused.
    let v = done(bulk::run(&db, &mara, ticked(vec![(ana, va), (iva, vi)]), BulkAction::RemoveFromList(fair)).await.expect("remove"));
    assert_eq!((v.done, v.failed), (2, 0));
    let v = done(bulk::run(&db, &mara, ticked(vec![(theirs, 1)]), BulkAction::RemoveFromList(fair)).await.unwrap());
    assert_eq!((v.done, v.failed), (0, 1));
    assert_eq!(summary(&db, &admin, fair).await.total, 5, "Bojan's contact stays: Mara may not see it");
    let history = marketing::history(&db, &mara, fair).await.unwrap();
    assert_eq!(history.iter().filter(|e| e.field.as_deref() == Some("member_removed")).count(), 2);

    // All members matching "do not call" added to another list: a job walking the filters.
    let quiet = MembersQuery { flag: "do_not_call".into(), ..Default::default() };
    let all_quiet = Selection { list: BulkList::Contacts, scope: Scope::Members(fair, Box::new(quiet.clone())) };
    let job = match bulk::run(&db, &mara, all_quiet.clone(), BulkAction::AddToList(callers)).await.expect("add") {
        BulkOutcome::Started(id) => id,
        BulkOutcome::Done(v) => panic!("ran at once: {v:?}"),
    };
    assert_eq!(app::services::jobs::get(&db, &mara, job).await.unwrap().total, 3);
    assert_eq!(job_runner::run_pending(&db, None, "server-1").await.expect("run"), 1);
    let v = app::services::jobs::get(&db, &mara, job).await.unwrap();
    assert_eq!((v.done, v.failed, v.already), (3, 0, 0));
    assert_eq!(names(&db, &mara, callers, MembersQuery::default()).await, vec!["Ema Članica", "Lana Članica", "Mila Članica"]);

    // The export of ticked members: only those.
    let l = marketing::get(&db, &mara, fair).await.unwrap();
    let some = MembersQuery { ids: format!("{nina},{ema},{iva}"), ..Default::default() };
    let rows = members::all(&db, &mara, &l, &some, 100).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ema, nina], "Iva is no member any more");

    // Refusals: a locked list, another kind of list, a member selection deleting or reassigning.
    marketing::set_locked(&db, &mara, fair, 1, true).await.unwrap();
    let locked = bulk::run(&db, &mara, all_quiet.clone(), BulkAction::RemoveFromList(fair)).await;
    assert_eq!(locked, Err(AppError::Validation { field: "locked".into(), problem: Problem::Locked }));
    let firms = new_list(&db, &mara, "Firme", "account").await;
    let wrong_kind = bulk::run(&db, &mara, all_quiet.clone(), BulkAction::AddToList(firms)).await;
    assert_eq!(wrong_kind, Err(AppError::Validation { field: "list_id".into(), problem: Problem::InvalidChoice }));
    assert_eq!(
        bulk::run(&db, &mara, all_quiet.clone(), BulkAction::Delete).await,
        Err(AppError::Validation { field: "action".into(), problem: Problem::InvalidChoice })
    );
    // A locked list's members still go to another list (the locked one does not change).
    let second = new_list(&db, &mara, "Drugi", "contact").await;
    let everyone = Selection { list: BulkList::Contacts, scope: Scope::Members(fair, Box::default()) };
    let BulkOutcome::Started(job) = bulk::run(&db, &mara, everyone, BulkAction::AddToList(second)).await.unwrap() else { panic!("a job") };
    job_runner::run_pending(&db, None, "server-1").await.unwrap();
    assert_eq!(app::services::jobs::get(&db, &mara, job).await.unwrap().done, 4);
    assert_eq!(summary(&db, &mara, second).await.total, 4);
    marketing::set_locked(&db, &mara, fair, 2, false).await.unwrap();

    // Every matching member off the list, as a job: "do not call" ones leave, the others stay.
    let BulkOutcome::Started(job) = bulk::run(&db, &mara, all_quiet, BulkAction::RemoveFromList(fair)).await.unwrap() else {
        panic!("a job")
    };
    job_runner::run_pending(&db, None, "server-1").await.unwrap();
    assert_eq!(app::services::jobs::get(&db, &mara, job).await.unwrap().done, 3);
    assert_eq!(names(&db, &mara, fair, MembersQuery::default()).await, vec!["Nina Članica"]);
    assert_eq!(summary(&db, &admin, fair).await.total, 2, "and Bojan's contact, which Mara does not see");

    // A dynamic list's members, all of them, copied into a static list.
    let q = FindQuery {
        entity: app::domain::find::Entity::Contact,
        root: Group {
            any: false, items: vec![Node::Cond(Cond { field: "last_name".into(), op: Op::Eq, values: vec!["Članica".into()] })]
        },
        ..Default::default()
    };
    let dynamic = MarketingListInput {
        list_type: "dynamic".into(),
        query: serde_json::to_string(&q).unwrap(),
        ..list_input("Sve članice", "contact")
    };
    let dynamic = marketing::create(&db, &mara, &dynamic).await.expect("dynamic list");
    let from_dynamic = Selection { list: BulkList::Contacts, scope: Scope::Members(dynamic, Box::default()) };
    let target = new_list(&db, &mara, "Prepis", "contact").await;
    let BulkOutcome::Started(job) = bulk::run(&db, &mara, from_dynamic.clone(), BulkAction::AddToList(target)).await.unwrap() else {
        panic!("a job")
    };
    job_runner::run_pending(&db, None, "server-1").await.unwrap();
    assert_eq!(app::services::jobs::get(&db, &mara, job).await.unwrap().done, 6);
    assert_eq!(summary(&db, &mara, target).await.total, 6);
    let refused = bulk::run(&db, &mara, from_dynamic, BulkAction::RemoveFromList(dynamic)).await;
    assert_eq!(refused, Err(AppError::Validation { field: "list_type".into(), problem: Problem::DynamicMembers }));
}
both!(bulk_actions_on_a_lists_members);

/// The static lists (of `kind`) record `id` is in, as its page's panel shows them to `actor`.
async fn lists_of(db: &Db, actor: &Actor, kind: app::domain::marketing::MemberKind, id: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = members::of_record(db, actor, kind, id).await.expect("panel").member_of.iter().map(|l| l.id).collect();
    ids.sort_unstable();
    ids
}

/// Merges `gone` into `keep` as `actor`, and returns the merge's undo (its trash item).
async fn merged(db: &Db, actor: &Actor, entity: &str, keep: i64, gone: i64) -> i64 {
    use app::services::{duplicates, trash};
    let version = |table: &'static str, id: i64| async move {
        sqlx::query_as::<_, (i64,)>(&format!("SELECT version FROM {table} WHERE id = $1")).bind(id).fetch_one(&db.pool).await.unwrap().0
    };
    let table = if entity == "account" { "accounts" } else { "contacts" };
    let input = app::domain::dedup::MergeInput {
        entity: entity.into(),
        survivor: keep,
        ids: vec![keep, gone],
        versions: vec![version(table, keep).await, version(table, gone).await],
        choices: vec![],
    };
    duplicates::merge(db, actor, &input).await.expect("merge");
    let history = app::services::audit::history(db, entity, keep, None, 50).await.unwrap();
    let merges: Vec<i64> = history.iter().filter(|e| e.field.as_deref() == Some("merge")).map(|e| e.id).collect();
    trash::merge::undoable(db, actor, &merges).await.unwrap().first().expect("the merge may be undone").trash_id
}

async fn member_rows(db: &Db, member: i64) -> i64 {
    count_for(db, "SELECT COUNT(*) AS n FROM marketing_list_members WHERE member_id = $1", member).await
}

/// A merge of two contacts gives the survivor every static list the other was in — one row per list
/// (a list both were in keeps one), a locked list too, a row an earlier record of the survivor's id
/// left replaced — and the lists' histories say so; undoing the merge gives each contact its own lists
/// back. Accounts the same.
async fn a_merge_carries_list_memberships_and_undo_restores_them(db: Db) {
    use app::domain::marketing::MemberKind;
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let mara = user(&db, "mara@veza.rs", "Mara", "marketing", Some(t)).await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let gone = person(&db, &mara, "Ana", "Dupla", "ana@dupla.rs").await;
    let both = new_list(&db, &mara, "Oba", "contact").await;
    let only_gone = new_list(&db, &mara, "Samo stari", "contact").await;
    let locked = new_list(&db, &mara, "Zaključan", "contact").await;
    let only_keep = new_list(&db, &mara, "Samo novi", "contact").await;
    for list in [both, only_gone, locked] {
        members::add(&db, &mara, list, &[gone]).await.unwrap();
    }
    marketing::set_locked(&db, &mara, locked, 1, true).await.unwrap();
    // The survivor was created after the other joined its lists (the common case: a duplicate entered later).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let keep = person(&db, &mara, "Ana", "Dupla", "ana.dupla@drugi.rs").await;
    members::add(&db, &mara, both, &[keep]).await.unwrap();
    members::add(&db, &mara, only_keep, &[keep]).await.unwrap();
    // A row an earlier contact with the survivor's id left in a list it is about to join.
    sqlx::query("INSERT INTO marketing_list_members (list_id, member_id, added_at) VALUES ($1, $2, '2001-01-01T00:00:00.000Z')")
        .bind(only_gone)
        .bind(keep)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(lists_of(&db, &mara, MemberKind::Contact, keep).await, vec![both, only_keep]);

    let undo = merged(&db, &admin, "contact", keep, gone).await;
    assert_eq!(lists_of(&db, &mara, MemberKind::Contact, keep).await, vec![both, only_gone, locked, only_keep]);
    assert_eq!(member_rows(&db, keep).await, 4, "one row per list");
    assert_eq!(member_rows(&db, gone).await, 0);
    for list in [both, only_gone, locked] {
        assert_eq!(names(&db, &mara, list, MembersQuery::default()).await, vec!["Ana Dupla"], "list {list}");
    }
    let history = marketing::history(&db, &mara, only_gone).await.unwrap();
    let last = |field: &str| history.iter().find(|e| e.field.as_deref() == Some(field)).cloned().expect(field);
    assert_eq!(last("member_added").new_value.as_deref(), Some("Ana Dupla"));
    assert_eq!(last("member_removed").old_value, Some(format!("#{gone}")));

    app::services::trash::merge::undo(&db, &admin, undo).await.expect("undo");
    assert_eq!(lists_of(&db, &mara, MemberKind::Contact, keep).await, vec![both, only_keep]);
    assert_eq!(lists_of(&db, &mara, MemberKind::Contact, gone).await, vec![both, only_gone, locked]);
    assert_eq!(summary(&db, &mara, both).await.total, 2);
    assert_eq!(summary(&db, &mara, locked).await.total, 1);
    let history = marketing::history(&db, &mara, only_gone).await.unwrap();
    assert_eq!(history[0].field.as_deref(), Some("member_added"));
    assert_eq!(history[0].new_value.as_deref(), Some("Ana Dupla"));
    assert!(history.iter().any(|e| e.field.as_deref() == Some("member_removed") && e.old_value.as_deref() == Some("Ana Dupla")));

    // Accounts: the other's list passes to the survivor, and back.
    let old_firm = account_in(&db, &mara, "Delta d.o.o.", "").await;
    let firms = new_list(&db, &mara, "Firme", "account").await;
    members::add(&db, &mara, firms, &[old_firm]).await.unwrap();
    let firm = account_in(&db, &mara, "Delta doo", "").await;
    let undo = merged(&db, &admin, "account", firm, old_firm).await;
    assert_eq!(lists_of(&db, &mara, MemberKind::Account, firm).await, vec![firms]);
    assert_eq!(names(&db, &mara, firms, MembersQuery::default()).await, vec!["Delta doo"]);
    app::services::trash::merge::undo(&db, &admin, undo).await.expect("undo");
    assert_eq!(lists_of(&db, &mara, MemberKind::Account, old_firm).await, vec![firms]);
    assert!(lists_of(&db, &mara, MemberKind::Account, firm).await.is_empty());
}
both!(a_merge_carries_list_memberships_and_undo_restores_them);
