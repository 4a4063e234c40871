//! Integration tests of importing spreadsheets: a messy Windows-1250 file of accounts (letter case,
//! diacritics and none, Cyrillic, a duplicate PIB in the file, a company that exists under another
//! spelling, bad PIB and e-mail) imports to exactly the expected records, rejects and updates, and is
//! undone; contacts match accounts by name and existing contacts by e-mail whatever its case; a real
//! process kill in the middle of an import is resumed without duplicates; a lead list and a price list
//! import with their own rules (sources, ratings, prices, unique product codes). Each on SQLite and Postgres.
//!
//! Run: `cargo test -p app --features ssr --test imports`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::ids::pib_with_check;
use app::domain::imports::{Decision, FieldPolicy, ImportEntity, ImportOptions, ImportStatus};
use app::domain::{LeadInput, ProductInput};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::{accounts, contacts, imports, leads, opportunities, products, Actor};
use sqlx::Row;

/// A cell's field and what is wrong with it.
type FieldProblem = (String, Option<Problem>);

/// Uploads, maps as guessed, and analyses an import (the job run here, as the server's runner would).
async fn analysed(db: &Db, actor: &Actor, entity: ImportEntity, name: &str, bytes: Vec<u8>, options: ImportOptions) -> i64 {
    let id = imports::upload(db, actor, entity, name, bytes).await.expect("upload");
    let view = imports::mapping_view(db, actor, id).await.expect("mapping view");
    imports::analyse(db, actor, id, view.import.version, view.mapping, options, "").await.expect("analyse");
    assert_eq!(imports::run_pending(db, "test-worker").await.expect("analysis job"), 1);
    id
}

async fn finish(db: &Db, actor: &Actor, id: i64) -> app::domain::imports::ImportSummary {
    let s = imports::summary(db, actor, id).await.unwrap();
    imports::start(db, actor, id, s.version).await.expect("start");
    imports::run_pending(db, "test-worker").await.expect("import job");
    imports::summary(db, actor, id).await.unwrap()
}

async fn account_by_pib(db: &Db, pib: &str) -> (i64, String, Option<String>, Option<String>, Option<String>) {
    let r = sqlx::query("SELECT id, name, email, phone, city FROM accounts WHERE pib = $1")
        .bind(pib)
        .fetch_one(&db.pool)
        .await
        .expect("account by pib");
    (r.get("id"), r.get("name"), r.get("email"), r.get("phone"), r.get("city"))
}

async fn messy_accounts(db: Db) {
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let (p_mlekara, p_delta, p_elektro) = (pib_with_check(10000001), pib_with_check(10000002), pib_with_check(10000003));
    let mut existing = account_input("Mlekara Šabac d.o.o.");
    existing.city = "Šabac".into();
    existing.pib = p_mlekara.clone();
    let mlekara = accounts::create(&db, &admin, &existing).await.unwrap();

    let text = format!(
        "Naziv firme;PIB;Grad;E-mail;Telefon;Tip\r\n\
         MLEKARA SABAC DOO;;sabac;prodaja@mlekara.rs;015/123-456;kupac\r\n\
         delta trgovina d.o.o.;{p_delta};BEOGRAD;Info@Delta.RS;011 3222 333;kupac\r\n\
         Delta Trgovina;{p_delta};Beograd;;;partner\r\n\
         Pekara Niš;123456789;Nis;;;kupac\r\n\
         \r\n\
         staklenik d.o.o.;;NIŠ;nije-email;;kupac\r\n\
         ELEKTRO KRAGUJEVAC A.D.;{p_elektro};kragujevac;;064/111-2233;distributer\r\n"
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(&text);
    assert!(!unmappable);
    let id = analysed(&db, &admin, ImportEntity::Account, "kupci.csv", bytes.into_owned(), ImportOptions::default()).await;

    let preview = imports::preview(&db, &admin, id).await.unwrap();
    assert_eq!(preview.import.encoding, "Windows-1250");
    assert_eq!(preview.import.status, ImportStatus::Review);
    assert_eq!((preview.import.total_rows, preview.import.rejected, preview.import.groups), (6, 2, 2));
    // Normalization, before → after.
    let first = &preview.rows[0];
    let name = first.cells.iter().find(|c| c.field == "name").unwrap();
    assert_eq!((name.before.as_str(), name.after.as_str()), ("MLEKARA SABAC DOO", "Mlekara Sabac d.o.o."));
    // Rejects with their reasons, still normalized.
    let reasons: Vec<(i64, Vec<FieldProblem>)> = preview
        .rejects
        .iter()
        .map(|r| (r.row_no, r.cells.iter().filter(|c| c.problem.is_some()).map(|c| (c.field.clone(), c.problem.clone())).collect()))
        .collect();
    assert_eq!(
        reasons,
        vec![(4, vec![("pib".into(), Some(Problem::InvalidPib))]), (5, vec![("email".into(), Some(Problem::InvalidEmail))])]
    );
    let cyr = preview.rejects[1].cells.iter().find(|c| c.field == "name").unwrap();
    assert_eq!(cyr.after, "Staklenik d.o.o.");
    assert_eq!(preview.rejects[1].cells.iter().find(|c| c.field == "city").unwrap().after, "Niš");
    // The groups: the existing company under another spelling, and the PIB twice in the file.
    let fuzzy = preview.groups.iter().find(|g| g.existing_id == Some(mlekara)).expect("group with the existing account");
    assert_eq!((fuzzy.rows.clone(), fuzzy.matched_by.as_str(), fuzzy.decision), (vec![1], "name", Decision::Update));
    assert!(fuzzy.similarity >= 90 && fuzzy.existing_label.as_deref() == Some("Mlekara Šabac d.o.o."));
    let pib_group = preview.groups.iter().find(|g| g.existing_id.is_none()).unwrap();
    assert_eq!((pib_group.rows.clone(), pib_group.matched_by.as_str()), (vec![2, 3], "pib"));

    // Import: the existing account gets the empty fields filled, the PIB group becomes one account.
    let done = finish(&db, &admin, id).await;
    assert_eq!(done.status, ImportStatus::Done);
    assert_eq!((done.created, done.updated, done.skipped, done.rejected), (2, 2, 0, 2));
    let m = account_by_pib(&db, &p_mlekara).await;
    assert_eq!((m.1.as_str(), m.2.as_deref(), m.3.as_deref()), ("Mlekara Šabac d.o.o.", Some("prodaja@mlekara.rs"), Some("+38115123456")));
    let d = account_by_pib(&db, &p_delta).await;
    assert_eq!(
        (d.1.as_str(), d.2.as_deref(), d.3.as_deref(), d.4.as_deref()),
        ("Delta Trgovina d.o.o.", Some("info@delta.rs"), Some("+381113222333"), Some("Beograd"))
    );
    let delta = accounts::get(&db, &admin, d.0).await.unwrap();
    assert_eq!(delta.types.iter().map(|t| t.code()).collect::<Vec<_>>(), ["customer", "partner"]);
    let e = account_by_pib(&db, &p_elektro).await;
    assert_eq!((e.1.as_str(), e.3.as_deref(), e.4.as_deref()), ("Elektro Kragujevac a.d.", Some("+381641112233"), Some("Kragujevac")));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 3);
    // Imported accounts are found by search (on SQLite the import writes their full-text rows itself).
    let hits = app::services::search::global(&db, &admin, "kragujev").await.expect("search");
    assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![e.0]);
    // The history names the import.
    let h = app::services::audit::history(&db, "account", e.0, None, 10).await.unwrap();
    assert!(h.iter().any(|x| x.field.as_deref() == Some("import") && x.new_value.as_deref() == Some(&format!("#{id} kupci.csv"))));
    // The rejected rows download with the reasons, in the file's own letters.
    let (file_name, csv) = imports::rejects_csv(&db, &admin, id, Lang::Sr).await.unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(file_name, "kupci-rejected.csv");
    assert!(csv.contains("Pekara Niš,123456789,Nis"), "{csv}");
    assert!(csv.contains("nije ispravan PIB"), "{csv}");
    assert!(csv.contains("nije-email"), "{csv}");

    // Undo: created accounts go, the updated one gets its values back.
    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 1);
    if db.backend == app::db::Backend::Sqlite {
        sqlx::query("INSERT INTO accounts_fts (accounts_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&db.pool)
            .await
            .expect("index consistent");
    }
    let m = account_by_pib(&db, &p_mlekara).await;
    assert_eq!((m.2, m.3), (None, None));
    assert_eq!(imports::summary(&db, &admin, id).await.unwrap().status, ImportStatus::Undone);
    assert!(matches!(imports::undo(&db, &admin, id).await, Err(AppError::Validation { problem: Problem::WrongState, .. })));
}
both!(messy_accounts);

async fn contacts_match_accounts_and_people(db: Db) {
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let mgr = user(&db, "sef@firma.rs", "Šef", "manager", Some(t)).await;
    let sales = user(&db, "prodavac@firma.rs", "Prodavac", "sales", Some(t)).await;
    let delta = new_account(&db, &mgr, "Delta d.o.o.").await;
    let ana = new_contact(&db, &mgr, "Ana", "Marić", Some(delta)).await;
    sqlx::query("UPDATE contacts SET email = 'ana@delta.rs' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();

    // Salespeople do not import.
    assert!(matches!(
        imports::upload(&db, &sales, ImportEntity::Contact, "k.csv", b"Ime,Prezime\nA,B\n".to_vec()).await,
        Err(AppError::Forbidden)
    ));
    // Empty files and other types are refused with the reason.
    assert!(matches!(
        imports::upload(&db, &mgr, ImportEntity::Contact, "k.csv", vec![]).await,
        Err(AppError::Validation { problem: Problem::EmptyFile, .. })
    ));
    assert!(matches!(
        imports::upload(&db, &mgr, ImportEntity::Contact, "k.pdf", b"%PDF-1.4".to_vec()).await,
        Err(AppError::Validation { problem: Problem::FileTypeNotAllowed, .. })
    ));

    let text = "\u{feff}Ime,Prezime,Firma,E-mail,Mobilni,Vlasnik\n\
                ana,MARIĆ,Delta,ANA@DELTA.RS,064 123 4567,\n\
                Petar,Petrović,Delta,petar@delta.rs,,nepostojeci@x.rs\n\
                Jovan,Jovanović,Nepostojeća firma,,,\n\
                Milica,Milić,DELTA DOO,milica@delta.rs,,prodavac@firma.rs\n\
                ЉУБИЦА,Ђорђевић,Delta,ljubica@delta.rs,,\n";
    // Companies not in Veza are not created here: their rows are rejected.
    let options = ImportOptions { cyrillic: true, create_accounts: false, ..Default::default() };
    let id = analysed(&db, &mgr, ImportEntity::Contact, "kontakti.csv", text.as_bytes().to_vec(), options).await;
    let preview = imports::preview(&db, &mgr, id).await.unwrap();
    assert_eq!(preview.import.encoding, "UTF-8");
    let rejected: Vec<(i64, String, Option<Problem>)> = preview
        .rejects
        .iter()
        .flat_map(|r| r.cells.iter().filter(|c| c.problem.is_some()).map(move |c| (r.row_no, c.field.clone(), c.problem.clone())))
        .collect();
    assert_eq!(rejected, vec![(2, "owner".into(), Some(Problem::NotFoundByName)), (3, "account".into(), Some(Problem::NotFoundByName))]);
    assert_eq!(preview.groups.len(), 1);
    let g = &preview.groups[0];
    assert_eq!((g.existing_id, g.matched_by.as_str(), g.rows.clone()), (Some(ana), "email", vec![1]));
    // The field-by-field view shows the existing value beside the file's.
    let mobile = g.fields.iter().find(|(f, _, _)| f == "mobile").unwrap();
    assert_eq!((mobile.1.clone(), mobile.2.clone()), (None, vec!["+381641234567".to_string()]));

    // Overwrite the last name (file: "Marić" after proper case), fill the mobile.
    imports::decide(&db, &mgr, id, g.group, Decision::Update, vec![("last_name".into(), FieldPolicy::Overwrite)]).await.unwrap();
    let done = finish(&db, &mgr, id).await;
    assert_eq!((done.created, done.updated, done.rejected), (2, 1, 2));
    let lj: (String, String) =
        sqlx::query_as("SELECT first_name, last_name FROM contacts WHERE email = 'ljubica@delta.rs'").fetch_one(&db.pool).await.unwrap();
    assert_eq!(lj, ("Ljubica".to_string(), "Đorđević".to_string()));
    let a = contacts::get(&db, &mgr, ana).await.unwrap();
    assert_eq!((a.first_name.as_str(), a.last_name.as_str(), a.mobile.as_deref(), a.version), ("Ana", "Marić", Some("+381641234567"), 2));
    let milica: (Option<i64>, i64) =
        sqlx::query_as("SELECT account_id, owner_id FROM contacts WHERE email = 'milica@delta.rs'").fetch_one(&db.pool).await.unwrap();
    assert_eq!(milica, (Some(delta), sales.id));
    // A decision cannot change after the import.
    assert!(matches!(
        imports::decide(&db, &mgr, id, g.group, Decision::Skip, vec![]).await,
        Err(AppError::Validation { problem: Problem::WrongState, .. })
    ));

    // Once an imported contact is edited, the import cannot be undone (nothing is lost).
    let m = contacts::list(&db, &mgr, &all()).await.unwrap().rows.into_iter().find(|r| r.name.contains("Milić")).unwrap();
    let mut input = app::domain::ContactInput {
        id: m.id.to_string(),
        version: "1".into(),
        first_name: "Milica".into(),
        last_name: "Milić-Ilić".into(),
        ..Default::default()
    };
    input.account_id = delta.to_string();
    contacts::update(&db, &mgr, &input).await.unwrap();
    assert!(matches!(imports::undo(&db, &mgr, id).await, Err(AppError::Validation { problem: Problem::ChangedSince(1), .. })));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 3);
    // Others' imports are not visible to a manager.
    let other = user(&db, "drugi@firma.rs", "Drugi", "manager", Some(t)).await;
    assert!(matches!(imports::summary(&db, &other, id).await, Err(AppError::NotFound)));
}
both!(contacts_match_accounts_and_people);

async fn skip_leaves_existing_alone(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = new_contact(&db, &admin, "Ana", "Marić", None).await;
    sqlx::query("UPDATE contacts SET email = 'ana@delta.rs' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();
    let text = "First name;Last name;Email;Job title\nAna;Marić;Ana@Delta.rs;Direktorka\nAna;Marić;ana@delta.rs;Nabavka\n";
    let id = analysed(&db, &admin, ImportEntity::Contact, "c.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    assert_eq!(preview.groups.len(), 1);
    assert_eq!(preview.groups[0].rows, vec![1, 2]);
    imports::decide(&db, &admin, id, preview.groups[0].group, Decision::Skip, vec![]).await.unwrap();
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.updated, done.skipped), (0, 0, 2));
    let a = contacts::get(&db, &admin, ana).await.unwrap();
    assert_eq!((a.job_title, a.version), (None, 1));

    // An import that failed while writing is undone like a finished one; one that failed while being
    // analysed wrote nothing and is analysed again instead.
    let text = "Ime;Prezime\nPera;Perić\nMika;Mikić\n";
    let id = analysed(&db, &admin, ImportEntity::Contact, "p.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    assert_eq!(finish(&db, &admin, id).await.created, 2);
    sqlx::query("UPDATE imports SET status = 'failed', error = 'analyzing' WHERE id = $1").bind(id).execute(&db.pool).await.unwrap();
    assert!(matches!(imports::undo(&db, &admin, id).await, Err(AppError::Validation { problem: Problem::WrongState, .. })));
    sqlx::query("UPDATE imports SET error = 'running' WHERE id = $1").bind(id).execute(&db.pool).await.unwrap();
    imports::undo(&db, &admin, id).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 1);

    // What was learnt about an imported competitor (a market share, a profile, its products) holds
    // the import as other records do: undo refuses rather than delete it with the account.
    let text = "Naziv;PIB\nKonkurent Plus d.o.o.;101134702\n";
    let id = analysed(&db, &admin, ImportEntity::Account, "k.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    assert_eq!(finish(&db, &admin, id).await.created, 1);
    let rival: (i64,) = sqlx::query_as("SELECT id FROM accounts WHERE pib = '101134702'").fetch_one(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO account_types (account_id, type) VALUES ($1, 'competitor')").bind(rival.0).execute(&db.pool).await.unwrap();
    let share = app::domain::competition::MarketShareInput {
        competitor_id: rival.0.to_string(),
        share: "12".into(),
        as_of: "2026-11-01".into(),
        ..Default::default()
    };
    app::services::competitors::add_market_share(&db, &admin, &share).await.expect("market share");
    assert!(matches!(imports::undo(&db, &admin, id).await, Err(AppError::Validation { problem: Problem::ChangedSince(1), .. })));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM market_shares").await, 1);
}
both!(skip_leaves_existing_alone);

/// Several rows of one batch update the same record — an existing contact, and one the batch itself
/// creates: the updates are written in turn, each with its own version and history, and undo restores
/// the existing contact and deletes the created ones.
async fn rows_of_one_batch_update_one_record(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = new_contact(&db, &admin, "Ana", "Marić", None).await;
    sqlx::query("UPDATE contacts SET email = 'ana@delta.rs' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();
    let text = "IME;PREZIME;E-mail;Mobilni;Pozicija\n\
                Ana;Marić;Ana@Delta.rs;;Direktorka\n\
                ANA;MARIĆ;ana@delta.rs;064 111 2222;Nabavka\n\
                Pera;Perić;pera@primer.rs;;Komercijalista\n\
                Pera;Perić;PERA@primer.rs;065 333 4444;\n\
                Mika;Mikić;mika@primer.rs;;\n";
    let id = analysed(&db, &admin, ImportEntity::Contact, "c.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    assert_eq!(imports::preview(&db, &admin, id).await.unwrap().groups.len(), 2);
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.updated, done.skipped, done.rejected), (2, 3, 0, 0));
    // Fill empty fields only: the first row gave the job title, the second the mobile.
    let a = contacts::get(&db, &admin, ana).await.unwrap();
    assert_eq!((a.job_title.as_deref(), a.mobile.is_some(), a.version), (Some("Direktorka"), true, 3));
    let history: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, field FROM audit_entries WHERE entity = 'contact' AND record_id = $1 AND action = 'update' ORDER BY id",
    )
    .bind(ana)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(history, vec![("update".to_string(), Some("job_title".to_string())), ("update".to_string(), Some("mobile".to_string()))]);
    let pera: (i64, Option<String>, Option<String>, i64) =
        sqlx::query_as("SELECT id, job_title, mobile, version FROM contacts WHERE email = 'pera@primer.rs'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((pera.1.as_deref(), pera.2.is_some(), pera.3), (Some("Komercijalista"), true, 2));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 3);

    imports::undo(&db, &admin, id).await.expect("undo");
    let a = contacts::get(&db, &admin, ana).await.unwrap();
    assert_eq!((a.job_title, a.mobile), (None, None));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 1);
}
both!(rows_of_one_batch_update_one_record);

/// A lead list from a trade fair: names in capitals, a value with a decimal comma, sources and ratings in
/// Serbian, a lead already in the CRM under an e-mail of another case (updated field by field), the same
/// person twice in the file, an unknown source and a row without a company or person (rejected); undone.
async fn lead_list(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let existing = LeadInput {
        company: "Kupac d.o.o.".into(),
        first_name: "Marko".into(),
        last_name: "Marković".into(),
        email: "marko@kupac.rs".into(),
        rating: "warm".into(),
        ..Default::default()
    };
    let marko = leads::create(&db, &admin, &existing).await.unwrap();
    let text = "Firma;Ime i prezime;E-mail;Telefon;Izvor;Ocena;Procenjena vrednost;Grad\n\
                MLEKARA SOMBOR;PETAR PETROVIĆ;petar@mlekara.rs;064 123 4567;Sajam;Vruć;1.250.000,50;sombor\n\
                Kupac d.o.o.;Marko Marković;Marko@Kupac.rs;;Preporuka;hladan;;Beograd\n\
                Novi Kupac;Jovan Jovanović;jovan@novi.rs;;Televizija;warm;;Niš\n\
                ;;ana@x.rs;;;;;\n\
                Mlekara Sombor;Petar Petrović;PETAR@mlekara.rs;;;;;Sombor\n";
    let id = analysed(&db, &admin, ImportEntity::Lead, "sajam.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    let reasons: Vec<Vec<FieldProblem>> = preview
        .rejects
        .iter()
        .map(|r| r.cells.iter().filter(|c| c.problem.is_some()).map(|c| (c.field.clone(), c.problem.clone())).collect())
        .collect();
    assert_eq!(reasons[0], vec![("source".to_string(), Some(Problem::InvalidChoice))]);
    assert_eq!(preview.rejects.iter().map(|r| r.row_no).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(preview.groups.len(), 2);
    let with_existing = preview.groups.iter().find(|g| g.existing_id == Some(marko)).expect("the lead in the CRM");
    assert_eq!((with_existing.rows.clone(), with_existing.matched_by.as_str()), (vec![2], "email"));
    let in_file = preview.groups.iter().find(|g| g.existing_id.is_none()).unwrap();
    assert_eq!(in_file.rows, vec![1, 5]);
    imports::decide(&db, &admin, id, with_existing.group, Decision::Update, vec![("rating".into(), FieldPolicy::Overwrite)]).await.unwrap();

    let done = finish(&db, &admin, id).await;
    assert_eq!((done.status, done.created, done.updated, done.skipped, done.rejected), (ImportStatus::Done, 1, 2, 0, 2));
    let fair: i64 = sqlx::query("SELECT id FROM picklist_values WHERE list = 'lead_source' AND code = 'fair'")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("id");
    let r = sqlx::query("SELECT id, company, first_name, last_name, phone, city, source_id, rating, estimated_minor, import_id FROM leads WHERE email = 'petar@mlekara.rs'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        (r.get::<String, _>("company"), r.get::<String, _>("first_name"), r.get::<String, _>("last_name")),
        ("Mlekara Sombor".to_string(), "Petar".to_string(), "Petrović".to_string())
    );
    assert_eq!((r.get::<String, _>("phone"), r.get::<String, _>("city")), ("+381641234567".to_string(), "Sombor".to_string()));
    assert_eq!(
        (
            r.get::<Option<i64>, _>("source_id"),
            r.get::<String, _>("rating"),
            r.get::<i64, _>("estimated_minor"),
            r.get::<Option<i64>, _>("import_id")
        ),
        (Some(fair), "hot".to_string(), 125_000_050, Some(id))
    );
    let m = leads::get(&db, &admin, marko).await.unwrap();
    let referral: i64 = sqlx::query("SELECT id FROM picklist_values WHERE list = 'lead_source' AND code = 'referral'")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("id");
    // Rating overwritten as chosen; the empty source filled; the city filled.
    assert_eq!((m.rating.code(), m.source_id, m.city.as_deref(), m.version), ("cold", Some(referral), Some("Beograd"), 2));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM leads").await, 2);
    let h = app::services::audit::history(&db, "lead", r.get("id"), None, 20).await.unwrap();
    assert!(h.iter().any(|x| x.field.as_deref() == Some("import") && x.new_value.as_deref() == Some(&format!("#{id} sajam.csv"))));

    // Undo: the new lead goes, the existing one gets its values back.
    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM leads").await, 1);
    let m = leads::get(&db, &admin, marko).await.unwrap();
    assert_eq!((m.rating.code(), m.source_id, m.city), ("warm", None, None));
}
both!(lead_list);

/// A price list update: the catalog's product matched by its code whatever the case gets the new price
/// (overwritten as chosen), a new product is created with the price read the Serbian way, a bad price and
/// a missing unit are rejected; "create anyway" cannot make a second product with a taken code; undone.
async fn price_list_update(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let cable = ProductInput {
        code: "KAB-3X25".into(),
        name: "Kabl NYY 3x2,5".into(),
        family: "Kablovi".into(),
        unit: "m".into(),
        list_price: "100".into(),
        currency: "RSD".into(),
        ..Default::default()
    };
    let cable = products::catalog::save_product(&db, &admin, &cable).await.unwrap();
    let text = "Šifra artikla,Naziv,Grupa,JM,VP cena,Valuta,Aktivan\n\
                kab-3x25,Kabl NYY 3x2.5,Kablovi,m,\"120,50\",din,da\n\
                SW-16,Sklopka 16A,Sklopke,kom,\"1.499,00\",RSD,da\n\
                SW-20,Sklopka 20A,Sklopke,kom,abc,RSD,da\n\
                LAMP-1,Lampa,Rasveta,,500,EUR,ne\n";
    let id = analysed(&db, &admin, ImportEntity::Product, "cenovnik.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    let reasons: Vec<Vec<FieldProblem>> = preview
        .rejects
        .iter()
        .map(|r| r.cells.iter().filter(|c| c.problem.is_some()).map(|c| (c.field.clone(), c.problem.clone())).collect())
        .collect();
    assert_eq!(
        reasons,
        vec![vec![("list_price".to_string(), Some(Problem::InvalidNumber))], vec![("unit".to_string(), Some(Problem::Required))]]
    );
    assert_eq!(preview.groups.len(), 1);
    let g = &preview.groups[0];
    assert_eq!((g.existing_id, g.matched_by.as_str(), g.rows.clone()), (Some(cable), "code", vec![1]));
    let price = g.fields.iter().find(|(f, _, _)| f == "list_price").unwrap();
    assert_eq!((price.1.as_deref(), price.2.clone()), (Some("100"), vec!["120.50".to_string()]));
    imports::decide(&db, &admin, id, g.group, Decision::Update, vec![("list_price".into(), FieldPolicy::Overwrite)]).await.unwrap();
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.updated, done.rejected), (1, 1, 2));
    let p = products::catalog::get_product(&db, &admin, cable).await.unwrap();
    assert_eq!((p.code.as_str(), p.name.as_str(), p.list_price_minor, p.version), ("KAB-3X25", "Kabl NYY 3x2,5", 12_050, 2));
    let sw = sqlx::query("SELECT list_price_minor, currency, unit, active FROM products WHERE code = 'SW-16'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        (sw.get::<i64, _>("list_price_minor"), sw.get::<String, _>("currency"), sw.get::<String, _>("unit"), sw.get::<i64, _>("active")),
        (149_900, "RSD".to_string(), "kom".to_string(), 1)
    );

    // "Create anyway" with a code the catalog has: the row is rejected, not a second product.
    let text = "Code;Name;Family;Unit;List price\nSW-16;Sklopka 16A nova;Sklopke;kom;1600\n";
    let again = analysed(&db, &admin, ImportEntity::Product, "nova.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let g = imports::preview(&db, &admin, again).await.unwrap().groups[0].group;
    imports::decide(&db, &admin, again, g, Decision::Create, vec![]).await.unwrap();
    let done = finish(&db, &admin, again).await;
    assert_eq!((done.created, done.rejected), (0, 1));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM products").await, 2);

    // Undo of the price list: the new product goes, the cable's price comes back.
    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM products").await, 1);
    assert_eq!(products::catalog::get_product(&db, &admin, cable).await.unwrap().list_price_minor, 10_000);
}
both!(price_list_update);

/// A pipeline kept in Excel: deals at accounts found by name, stages and forecast categories in words,
/// amounts and dates the Serbian way, the contact by e-mail. A deal already in the pipeline (its name at
/// the same account) takes the new amount, stage and date, and its stage change is recorded as the board
/// records one; unknown accounts and stages and bad dates are rejected; undone.
async fn pipeline_from_excel(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let mlekara = accounts::create(&db, &admin, &account_input("Mlekara Šabac d.o.o.")).await.unwrap();
    let delta = accounts::create(&db, &admin, &account_input("Delta Trgovina d.o.o.")).await.unwrap();
    let ana = new_contact(&db, &admin, "Ana", "Marić", Some(mlekara)).await;
    sqlx::query("UPDATE contacts SET email = 'ana@mlekara.rs' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();
    let erp = new_opportunity(&db, &admin, "ERP uvođenje", mlekara, open[0].id, "100000").await;
    let before = opportunities::get(&db, &admin, erp).await.unwrap();
    let text = format!(
        "Naziv posla;Kupac;Faza;Iznos;Rok;Verovatnoća;Kontakt;Kategorija prognoze\n\
         ERP uvođenje;Mlekara Šabac;{};1.500.000,00;31.3.2027;;Ana@Mlekara.rs;sigurno\n\
         Novi magacin;Delta Trgovina d.o.o.;{};2.000.000;15.01.27;40%;;\n\
         Servis;Nepoznata Firma;;100;1.1.2027;;;\n\
         Linija;Delta Trgovina d.o.o.;Faza X;100;1.1.2027;;;\n\
         Bez datuma;Delta Trgovina d.o.o.;;100;;;;\n\
         Obuka;Delta Trgovina d.o.o.;;100;32.13.2027;;;\n",
        open[2].name.to_uppercase(),
        open[1].name
    );
    let id = analysed(&db, &admin, ImportEntity::Opportunity, "prilike.csv", text.into_bytes(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    let reasons: Vec<(i64, Vec<String>)> = preview
        .rejects
        .iter()
        .map(|r| (r.row_no, r.cells.iter().filter(|c| c.problem.is_some()).map(|c| c.field.clone()).collect()))
        .collect();
    assert_eq!(
        reasons,
        vec![(3, vec!["account".to_string()]), (4, vec!["stage".to_string()]), (5, vec![]), (6, vec!["close_date".to_string()])]
    );
    assert_eq!(preview.groups.len(), 1);
    let g = &preview.groups[0];
    assert_eq!((g.existing_id, g.matched_by.as_str(), g.rows.clone()), (Some(erp), "name", vec![1]));
    let policies = ["amount", "stage", "close_date", "forecast_category"].iter().map(|f| (f.to_string(), FieldPolicy::Overwrite)).collect();
    imports::decide(&db, &admin, id, g.group, Decision::Update, policies).await.unwrap();
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.status, done.created, done.updated, done.rejected), (ImportStatus::Done, 1, 1, 4));

    let o = opportunities::get(&db, &admin, erp).await.unwrap();
    assert_eq!((o.amount_minor, o.stage_id, o.close_date.as_str(), o.contact_id), (150_000_000, open[2].id, "2027-03-31", Some(ana)));
    assert_eq!((o.forecast_category.code(), o.version), ("commit", 2));
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", erp).await, 2);
    let r = sqlx::query(
        "SELECT id, account_id, stage_id, amount_minor, close_date, probability, import_id FROM opportunities WHERE name = 'Novi magacin'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (r.get::<i64, _>("account_id"), r.get::<i64, _>("stage_id"), r.get::<i64, _>("amount_minor"), r.get::<String, _>("close_date")),
        (delta, open[1].id, 200_000_000, "2027-01-15".to_string())
    );
    assert_eq!((r.get::<i64, _>("probability"), r.get::<Option<i64>, _>("import_id")), (40, Some(id)));

    // Undo: the new deal goes with its stage history; the existing one is as it was.
    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM opportunities").await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id <> (SELECT MIN(id) FROM opportunities)").await,
        0
    );
    let o = opportunities::get(&db, &admin, erp).await.unwrap();
    assert_eq!(
        (o.amount_minor, o.stage_id, o.close_date, o.contact_id, o.forecast_category.code()),
        (before.amount_minor, before.stage_id, before.close_date, None, "pipeline")
    );
}
both!(pipeline_from_excel);

/// A log of calls and visits kept in Excel: kinds and "done" in Serbian, dates with and without a time,
/// the contact by e-mail. Past activities count as done in their own week; a row twice in the file is one
/// activity; a second import of the same log finds it in the database; bad kinds, dates and rows about
/// nobody are rejected; undone.
async fn activity_log(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mlekara = accounts::create(&db, &admin, &account_input("Mlekara Šabac d.o.o.")).await.unwrap();
    let ana = new_contact(&db, &admin, "Ana", "Marić", Some(mlekara)).await;
    sqlx::query("UPDATE contacts SET email = 'ana@mlekara.rs' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();
    let text = "Vrsta;Naslov;Datum;Firma;Kontakt;Ishod;Obavljeno\n\
                Poziv;Dogovor o ponudi;15.10.2026 10:30;Mlekara Šabac;Ana@Mlekara.rs;Traže ponudu;da\n\
                Poseta;Prezentacija linije;20.10.2026.;Mlekara Šabac;;;\n\
                Poziv;Dogovor o ponudi;15.10.2026 10:30;Mlekara Šabac;ana@mlekara.rs;;da\n\
                Zadatak;Poslati katalog;1.3.2099;;ana@mlekara.rs;;\n\
                Golub;Pismo golubom;1.1.2026;Mlekara Šabac;;;\n\
                Poziv;O nikome;1.1.2026;;;;\n\
                Poziv;Loš datum;35.1.2026;Mlekara Šabac;;;\n";
    let id = analysed(&db, &admin, ImportEntity::Activity, "aktivnosti.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    let rejected: Vec<i64> = preview.rejects.iter().map(|r| r.row_no).collect();
    assert_eq!(rejected, vec![5, 6, 7]);
    assert_eq!(preview.groups.len(), 1);
    assert_eq!((preview.groups[0].rows.clone(), preview.groups[0].existing_id), (vec![1, 3], None));
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.status, done.created, done.updated, done.rejected), (ImportStatus::Done, 3, 1, 3));

    let rows = sqlx::query(
        "SELECT subject, kind, status, regarding_kind, regarding_id, account_id, outcome, starts_at, completed_at, import_id FROM activities ORDER BY starts_at",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let got: Vec<(String, String, String, String, i64, Option<i64>)> = rows
        .iter()
        .map(|r| (r.get("subject"), r.get("kind"), r.get("status"), r.get("regarding_kind"), r.get("regarding_id"), r.get("account_id")))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Dogovor o ponudi".into(), "call".into(), "completed".into(), "contact".into(), ana, Some(mlekara)),
            ("Prezentacija linije".into(), "meeting".into(), "completed".into(), "account".into(), mlekara, Some(mlekara)),
            ("Poslati katalog".into(), "task".into(), "open".into(), "contact".into(), ana, Some(mlekara)),
        ]
    );
    // Done when it happened: the call at 10:30 local, the visit at the start of its working day.
    assert_eq!(rows[0].get::<Option<String>, _>("completed_at"), Some(rows[0].get::<String, _>("starts_at")));
    assert_eq!(app::clock::to_local(&rows[1].get::<String, _>("starts_at")), "2026-10-20T09:00");
    assert_eq!(rows[0].get::<Option<String>, _>("outcome").as_deref(), Some("Traže ponudu"));
    assert!(rows.iter().all(|r| r.get::<Option<i64>, _>("import_id") == Some(id)));

    // The same log again: the call is found in the database and skipped.
    let again = analysed(&db, &admin, ImportEntity::Activity, "opet.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let groups = imports::preview(&db, &admin, again).await.unwrap().groups;
    assert_eq!(groups.iter().filter(|g| g.existing_id.is_some()).count(), 3);
    for g in &groups {
        imports::decide(&db, &admin, again, g.group, Decision::Skip, vec![]).await.unwrap();
    }
    let done = finish(&db, &admin, again).await;
    assert_eq!((done.created, done.skipped), (0, 4));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities").await, 3);

    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities").await, 0);
}
both!(activity_log);

/// Phones are kept as typed ("011/555-1234"), yet a row with the same number written otherwise
/// ("+381 11 5551234", "0641234567") finds the record in the database: in an import, and when a form is
/// saved. Switched off by the phone rule.
async fn phones_find_records_written_otherwise(db: Db) {
    use app::services::{duplicates, matching};
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mut a_in = account_input("Elektro Srbija d.o.o.");
    a_in.phone = "011/555-1234".into();
    let elektro = accounts::create(&db, &admin, &a_in).await.unwrap();
    let ana = new_contact(&db, &admin, "Ana", "Marić", Some(elektro)).await;
    sqlx::query("UPDATE contacts SET mobile = '064 123 45 67' WHERE id = $1").bind(ana).execute(&db.pool).await.unwrap();

    let text = "Naziv;Telefon\nElektrosrbija Beograd;+381 11 5551234\nDrugo Preduzeće;011 999 888\n";
    let id = analysed(&db, &admin, ImportEntity::Account, "tel.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let groups = imports::preview(&db, &admin, id).await.unwrap().groups;
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].existing_id, groups[0].matched_by.as_str(), groups[0].rows.clone()), (Some(elektro), "phone", vec![1]));
    // Without the phone normalization the number is still the same number.
    let text = "Ime;Prezime;Mobilni\nAnica;Marić-Petrović;0641234567\n";
    let options = ImportOptions { phones: false, ..Default::default() };
    let id = analysed(&db, &admin, ImportEntity::Contact, "kontakti.csv", text.as_bytes().to_vec(), options).await;
    let groups = imports::preview(&db, &admin, id).await.unwrap().groups;
    assert_eq!((groups.len(), groups[0].existing_id, groups[0].matched_by.as_str()), (1, Some(ana), "phone"));

    // The form warns too.
    let mut other = account_input("Sasvim Druga Firma");
    other.phone = "+381 (0)11 555 1234".into();
    match duplicates::check_account(&db, &admin, &other).await {
        Err(AppError::Validation { problem: Problem::PossibleDuplicate(h), .. }) => {
            assert_eq!((h[0].id, h[0].matched_by.as_str()), (elektro, "phone"))
        }
        x => panic!("expected a warning by phone, got {x:?}"),
    }
    // With the phone rule off, phones find nothing.
    let rules = matching::rules(&db).await.unwrap();
    let phone_rule = rules.rules.iter().find(|r| r.entity == "account" && r.field == "phone").unwrap().id;
    duplicates::save_rule(&db, &admin, phone_rule, false, 100, false).await.unwrap();
    duplicates::check_account(&db, &admin, &other).await.unwrap();
}
both!(phones_find_records_written_otherwise);

// ---------------------------------------------------------------------------------------------------
// A real process kill in the middle of an import, then resume.
// ---------------------------------------------------------------------------------------------------

/// Rows of an import's transaction.
const BATCH: i64 = imports::BATCH as i64;
const KILL_ROWS: i64 = 3 * BATCH + 100;

/// The worker process of `killed_import_resumes`: runs the pending import slowly until it is killed.
/// Does nothing unless started by that test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_worker_process() {
    let Ok(url) = std::env::var("VEZA_TEST_IMPORT_DB") else { return };
    let db = Db::connect(&url).await.expect("worker opens the database");
    imports::run_pending(&db, "worker-to-be-killed").await.expect("worker runs");
}

/// Starts `import_worker_process` in another process on `db`, pausing `pause_ms` after each batch.
fn import_worker(db: &Db, pause_ms: u64) -> std::process::Child {
    let exe = std::env::current_exe().expect("test binary");
    std::process::Command::new(exe)
        .args(["import_worker_process", "--exact", "--nocapture", "--test-threads=1"])
        .env("VEZA_TEST_IMPORT_DB", &db.url)
        .env("VEZA_IMPORT_BATCH_PAUSE_MS", pause_ms.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the worker process")
}

/// Waits until the import has written at least `rows` rows (a minute at most).
async fn until_rows_done(db: &Db, actor: &Actor, id: i64, rows: i64) {
    let started = std::time::Instant::now();
    while imports::summary(db, actor, id).await.unwrap().rows_done < rows {
        assert!(started.elapsed().as_secs() < 60, "the worker process wrote nothing");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn killed_import_resumes(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mut text = String::from("Ime;Prezime;E-mail;Telefon\n");
    for i in 0..KILL_ROWS {
        text.push_str(&format!("Osoba{i};Prezimenić{i};osoba{i}@primer.rs;+381 64 {:07}\n", i));
    }
    let id = analysed(&db, &admin, ImportEntity::Contact, "mnogo.csv", text.into_bytes(), ImportOptions::default()).await;
    let s = imports::summary(&db, &admin, id).await.unwrap();
    imports::start(&db, &admin, id, s.version).await.unwrap();

    // Another process takes the job, writing a batch every 400 ms, and is killed after the first batch.
    let mut child = import_worker(&db, 400);
    until_rows_done(&db, &admin, id, BATCH).await;
    child.kill().expect("kill the worker");
    child.wait().unwrap();
    let at_kill = imports::summary(&db, &admin, id).await.unwrap();
    assert_eq!(at_kill.status, ImportStatus::Running);
    assert!(at_kill.rows_done < KILL_ROWS, "killed before the end");
    let written = count(&db, "SELECT COUNT(*) AS n FROM contacts").await;
    assert_eq!(written, at_kill.rows_done, "records and the resume cursor move together");

    // Meanwhile someone edits one of the contacts already written and deletes another. (On SQLite the
    // import's full-text rows are written when it ends: until then the triggers leave them alone.)
    if db.backend == app::db::Backend::Sqlite {
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"primer.rs\"'").await, 0);
    }
    let first = |n: i64| format!("SELECT id AS n FROM contacts WHERE email = 'osoba{n}@primer.rs'");
    let (renamed, removed) = (count(&db, &first(0)).await, count(&db, &first(1)).await);
    let rename = app::domain::ContactInput {
        id: renamed.to_string(),
        version: "1".into(),
        first_name: "Preimenovana".into(),
        last_name: "Kasnije".into(),
        email: "kasnije@drugde.rs".into(),
        ..Default::default()
    };
    contacts::update(&db, &admin, &rename).await.expect("edit an imported contact during the import");
    contacts::delete(&db, &admin, removed, 1).await.expect("delete an imported contact during the import");

    // Its lease runs out; this process continues from the cursor.
    sqlx::query("UPDATE imports SET heartbeat_at = '2000-01-01T00:00:00.000Z' WHERE id = $1").bind(id).execute(&db.pool).await.unwrap();
    assert_eq!(imports::run_pending(&db, "second-worker").await.unwrap(), 1);
    let done = imports::summary(&db, &admin, id).await.unwrap();
    assert_eq!((done.status, done.created, done.rows_done), (ImportStatus::Done, KILL_ROWS, KILL_ROWS));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, KILL_ROWS - 1);
    assert_eq!(count(&db, "SELECT COUNT(DISTINCT email) AS n FROM contacts").await, KILL_ROWS - 1);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'contact' AND field = 'import'").await, KILL_ROWS);
    if db.backend == app::db::Backend::Sqlite {
        let ok: String = sqlx::query("PRAGMA integrity_check").fetch_one(&db.pool).await.unwrap().get(0);
        assert_eq!(ok, "ok");
        let fk = sqlx::query("PRAGMA foreign_key_check").fetch_all(&db.pool).await.unwrap();
        assert!(fk.is_empty());
        // The import writes the full-text rows itself as it ends: one per contact, as the contact is
        // then, and the index agrees with the table.
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"primer.rs\"'").await, KILL_ROWS - 2);
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"drugde.rs\"'").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM imports WHERE search_pending <> 0").await, 0);
        sqlx::query("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&db.pool)
            .await
            .expect("index consistent");
    }
    // Search finds imported contacts, those written before the kill and after the resume.
    for i in [3, KILL_ROWS - 2] {
        let hits = app::services::search::global(&db, &admin, &format!("osoba{i}@primer")).await.expect("search");
        assert_eq!(hits.len(), 1, "search finds contact {i}");
    }
    // The edited contact is found by its new e-mail only; the deleted one is gone.
    for (q, n) in [("kasnije@drugde", 1), ("osoba0@primer", 0), ("osoba1@primer", 0)] {
        assert_eq!(app::services::search::global(&db, &admin, q).await.expect("search").len(), n, "search for {q}");
    }
    let orphans = count(&db, "SELECT COUNT(*) AS n FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.owner_id)").await;
    assert_eq!(orphans, 0);
}
both!(killed_import_resumes);

/// An account that rows of the next batch name is deleted after that batch was checked (it is read and
/// checked while the batch before it is written): those rows are rejected, the rest is imported.
async fn account_deleted_between_check_and_write(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let gone = new_account(&db, &admin, "Prolazna Firma d.o.o.").await;
    let mut text = String::from("Ime;Prezime;Firma;E-mail\n");
    for i in 0..BATCH + 100 {
        let firm = if i >= BATCH + 50 { "Prolazna Firma d.o.o." } else { "" };
        text.push_str(&format!("Osoba{i};Prezimenić;{firm};osoba{i}@primer.rs\n"));
    }
    let id = analysed(&db, &admin, ImportEntity::Contact, "dva.csv", text.into_bytes(), ImportOptions::default()).await;
    let s = imports::summary(&db, &admin, id).await.unwrap();
    assert_eq!((s.total_rows, s.rejected), (BATCH + 100, 0));
    imports::start(&db, &admin, id, s.version).await.unwrap();

    // Another process writes the first batch (checking the second meanwhile) and pauses 2 s.
    let mut child = import_worker(&db, 2000);
    until_rows_done(&db, &admin, id, BATCH).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    accounts::delete(&db, &admin, gone, 1).await.expect("delete the account");
    assert!(child.wait().expect("the worker process ends").success());

    let done = imports::summary(&db, &admin, id).await.unwrap();
    assert_eq!((done.status, done.created, done.rejected), (ImportStatus::Done, BATCH + 50, 50));
    let rejected =
        count_for(&db, "SELECT COUNT(*) AS n FROM import_rows WHERE import_id = $1 AND kind = 'rejected' AND reasons LIKE '%account%'", id)
            .await;
    assert_eq!(rejected, 50, "the rows naming the deleted account are rejected for it");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, BATCH + 50);
}
both!(account_deleted_between_check_and_write);

/// An import that fails midway (the database refuses a row of its second batch) keeps its first batch,
/// and those records are found by search (on SQLite their full-text rows are written as it fails).
async fn failed_import_keeps_its_rows_searchable(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mut text = String::from("Ime;Prezime;E-mail\n");
    for i in 0..BATCH + 300 {
        let first = if i == BATCH + 200 { "Kvar".to_string() } else { format!("Osoba{i}") };
        text.push_str(&format!("{first};Prezimenić;osoba{i}@primer.rs\n"));
    }
    let id = analysed(&db, &admin, ImportEntity::Contact, "kvar.csv", text.into_bytes(), ImportOptions::default()).await;
    // A fault the import cannot foresee: the database refuses one row of the second batch.
    let fault = match db.backend {
        app::db::Backend::Sqlite => {
            "CREATE TRIGGER test_fault BEFORE INSERT ON contacts WHEN new.first_name = 'Kvar' BEGIN SELECT RAISE(ABORT, 'test fault'); END"
        }
        app::db::Backend::Postgres => {
            "CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.first_name = 'Kvar' THEN \
             RAISE EXCEPTION 'test fault'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER test_fault BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION test_fault()"
        }
    };
    sqlx::raw_sql(fault).execute(&db.pool).await.expect("install the fault");
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.status, done.rows_done, done.created), (ImportStatus::Failed, BATCH, BATCH));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, BATCH, "the failed batch left nothing");
    if db.backend == app::db::Backend::Sqlite {
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"primer.rs\"'").await, BATCH);
        assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM imports WHERE search_pending <> 0").await, 0);
        sqlx::query("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&db.pool)
            .await
            .expect("index consistent");
    }
    for (q, n) in [("osoba3@primer".to_string(), 1), (format!("osoba{}@primer", BATCH - 1), 1), (format!("osoba{}@primer", BATCH + 100), 0)]
    {
        assert_eq!(app::services::search::global(&db, &admin, &q).await.expect("search").len(), n, "search for {q}");
    }
    // What it wrote can be undone.
    imports::undo(&db, &admin, id).await.expect("undo the failed import");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 0);
}
both!(failed_import_keeps_its_rows_searchable);

/// SQLite: migration 0011 runs while an import is in the middle (its rows were indexed batch by batch
/// before): their full-text rows leave the index, edits and deletions meanwhile leave it alone, and the
/// import's end indexes the rows as they are then; the index is consistent before and after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_rows_of_an_import_running_at_upgrade() {
    use app::db::migrate;
    let path = std::env::temp_dir().join(format!("veza-test-{}.db", unique()));
    let db = Db::open(&format!("sqlite://{}", path.to_str().expect("utf-8 temp path"))).await.expect("open");
    migrate::run_until(&db, 10).await.expect("migrations up to 10");

    // Before the upgrade: an import of four contacts is running; its code then indexed each batch itself.
    let ts = "2026-12-01T10:00:00.000Z";
    let exec = |sql: String| {
        let pool = db.pool.clone();
        async move { sqlx::raw_sql(&sql).execute(&pool).await.expect(&sql) }
    };
    exec(format!(
        "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (1, 'admin@firma.rs', 'Admin', 'x', 'admin', '{ts}', '{ts}'); \
         INSERT INTO imports (id, entity, file_name, file_size, encoding, delimiter, headers, status, worker, heartbeat_at, created_by, created_at) \
         VALUES (1, 'contact', 'nadogradnja.csv', 1, 'utf-8', ';', '[]', 'running', 'w', '{ts}', 1, '{ts}')"
    ))
    .await;
    for (i, import) in [(1, "1"), (2, "1"), (3, "1"), (4, "1"), (5, "NULL")] {
        exec(format!(
            "INSERT INTO contacts (id, first_name, last_name, search_key, owner_id, created_at, updated_at, search_text, import_id) \
             VALUES ({i}, 'Osoba{i}', 'Prezime', 'osoba{i} prezime', 1, '{ts}', '{ts}', 'osoba{i} prezime osoba{i}@primer.rs', {import})"
        ))
        .await;
    }
    exec("INSERT INTO contacts_fts (rowid, search_text) SELECT id, search_text FROM contacts WHERE import_id = 1".into()).await;
    let matches = |q: &str| format!("SELECT COUNT(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"{q}\"'");
    // FTS5's integrity check compares the index with the table: it holds only while no import is pending
    // (a 'delete' of a row the index does not hold, by a trigger, would leave it broken for good).
    let consistent = || exec("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 1)".into());
    consistent().await;
    assert_eq!(count(&db, &matches("primer.rs")).await, 5);

    // The upgrade: the running import's rows leave the index; the other contact stays.
    migrate::run(&db).await.expect("migration 0011");
    assert_eq!(count(&db, "SELECT search_pending AS n FROM imports WHERE id = 1").await, 1);
    assert_eq!(count(&db, &matches("primer.rs")).await, 1);

    // Meanwhile one imported contact is edited and another deleted: the triggers leave the index alone.
    exec("UPDATE contacts SET search_text = 'preimenovana kasnije@drugde.rs' WHERE id = 1".into()).await;
    exec("DELETE FROM contacts WHERE id = 2".into()).await;

    // The import (nothing left to write) ends and indexes its rows as they are now.
    imports::work(&db, 1, "w").await.expect("the import ends");
    consistent().await;
    assert_eq!(count(&db, "SELECT search_pending AS n FROM imports WHERE id = 1").await, 0);
    assert_eq!(count(&db, &matches("primer.rs")).await, 3, "contacts 3, 4 and 5");
    assert_eq!(count(&db, &matches("drugde.rs")).await, 1, "the edited contact by its new text");
    let status: String = sqlx::query("SELECT status FROM imports WHERE id = 1").fetch_one(&db.pool).await.unwrap().get(0);
    assert_eq!(status, "done");
    db.pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

// ---------------------------------------------------------------------------------------------------
// Duplicates in daily work: the warning, the scan and merge.
// ---------------------------------------------------------------------------------------------------

async fn duplicates_are_warned_found_and_merged(db: Db) {
    use app::domain::dedup::MergeInput;
    use app::services::{duplicates, notes};
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let other_team = team(&db, "Sever").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let stranger = user(&db, "drugi@firma.rs", "Drugi", "sales", Some(other_team)).await;
    let (stages, _, _) = open_and_closed_stages(&db).await;
    let pib = pib_with_check(20000001);
    let mut a_in = account_input("Delta d.o.o.");
    a_in.city = "Beograd".into();
    a_in.pib = pib.clone();
    let a = accounts::create(&db, &admin, &a_in).await.unwrap();
    let mut b_in = account_input("DELTA D.O.O.");
    b_in.city = "Beograd".into();
    b_in.email = "office@delta.rs".into();
    b_in.types = vec!["partner".into()];
    let b = accounts::create(&db, &admin, &b_in).await.unwrap();
    let _sigma = new_account(&db, &admin, "Sigma a.d.").await;

    // The warning: a new account with the same PIB, or a similar name in the same city.
    let mut new_in = account_input("Delta Trgovina d.o.o.");
    new_in.pib = pib.clone();
    match duplicates::check_account(&db, &admin, &new_in).await {
        Err(AppError::Validation { field, problem: Problem::PossibleDuplicate(h) }) => {
            assert_eq!(field, "duplicate");
            assert_eq!((h[0].id, h[0].matched_by.as_str(), h[0].label.as_str()), (a, "pib", "Delta d.o.o."));
        }
        other => panic!("expected a duplicate warning, got {other:?}"),
    }
    let mut similar = account_input("Delta doo");
    similar.city = "beograd".into();
    assert!(matches!(
        duplicates::check_account(&db, &admin, &similar).await,
        Err(AppError::Validation { problem: Problem::PossibleDuplicate(_), .. })
    ));
    // Confirmed, or a different company, or an edit that leaves the keys alone: no warning.
    new_in.allow_duplicate = "1".into();
    duplicates::check_account(&db, &admin, &new_in).await.unwrap();
    duplicates::check_account(&db, &admin, &account_input("Omega Soft")).await.unwrap();
    let mut edit = a_in.clone();
    edit.id = a.to_string();
    edit.version = "1".into();
    edit.notes = "Novi komentar".into();
    duplicates::check_account(&db, &admin, &edit).await.unwrap();
    // Bad input is named before any duplicate.
    assert!(matches!(
        duplicates::check_account(&db, &admin, &account_input("")).await,
        Err(AppError::Validation { problem: Problem::Required, .. })
    ));
    // The rules decide: a typo in the name is found while names compare by similarity, not once they
    // must be equal; a switched-off PIB rule finds nothing by PIB. Only administrators change rules.
    let mut typo = account_input("Deltta d.o.o.");
    typo.city = "Beograd".into();
    assert!(matches!(
        duplicates::check_account(&db, &admin, &typo).await,
        Err(AppError::Validation { problem: Problem::PossibleDuplicate(_), .. })
    ));
    let rules = app::services::matching::rules(&db).await.unwrap();
    let rule = |field: &str| rules.rules.iter().find(|r| r.entity == "account" && r.field == field).unwrap().id;
    assert!(matches!(duplicates::save_rule(&db, &stranger, rule("name"), false, 100, true).await, Err(AppError::Forbidden)));
    assert!(matches!(
        duplicates::save_rule(&db, &admin, rule("name"), true, 50, true).await,
        Err(AppError::Validation { problem: Problem::OutOfRange(70, 100), .. })
    ));
    duplicates::save_rule(&db, &admin, rule("name"), false, 90, true).await.unwrap();
    duplicates::check_account(&db, &admin, &typo).await.unwrap();
    duplicates::save_rule(&db, &admin, rule("pib"), false, 100, false).await.unwrap();
    let mut by_pib = account_input("Omega Trade");
    by_pib.pib = pib.clone();
    duplicates::check_account(&db, &admin, &by_pib).await.unwrap();
    duplicates::save_rule(&db, &admin, rule("pib"), false, 100, true).await.unwrap();
    duplicates::save_rule(&db, &admin, rule("name"), true, 90, true).await.unwrap();
    assert!(matches!(
        duplicates::check_account(&db, &admin, &by_pib).await,
        Err(AppError::Validation { problem: Problem::PossibleDuplicate(_), .. })
    ));

    // Others' records are not revealed by the warning.
    let mut theirs = account_input("Delta d.o.o.");
    theirs.city = "Beograd".into();
    duplicates::check_account(&db, &stranger, &theirs).await.unwrap();

    // The scan finds A and B by their folded name.
    let scan = duplicates::scan(&db, &admin, "account", "name", "").await.unwrap();
    assert_eq!(scan.sets.len(), 1);
    assert_eq!(scan.sets[0].records.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a, b]);
    assert!(duplicates::scan(&db, &stranger, "account", "name", "").await.unwrap().sets.is_empty());

    // Related records of B: a contact, an opportunity, a note.
    let c = new_contact(&db, &admin, "Ana", "Marić", Some(b)).await;
    let o = new_opportunity(&db, &admin, "Delta posao", b, stages[0].id, "1000").await;
    notes::create(
        &db,
        &admin,
        &app::domain::NoteInput { regarding_kind: "account".into(), regarding_id: b.to_string(), body: "Beleška".into() },
    )
    .await
    .unwrap();
    let view = duplicates::merge_view(&db, &admin, "account", &[a, b]).await.unwrap();
    assert_eq!(view.records.iter().map(|r| r.related).collect::<Vec<_>>(), vec![0, 3]);
    assert!(matches!(duplicates::merge_view(&db, &stranger, "account", &[a, b]).await, Err(AppError::NotFound)));

    // A stale version is a conflict; nothing changes.
    let stale = MergeInput { entity: "account".into(), survivor: a, ids: vec![a, b], versions: vec![1, 0], choices: vec![] };
    assert!(matches!(duplicates::merge(&db, &admin, &stale).await, Err(AppError::Conflict)));
    // A stays; it keeps its own name and takes B's e-mail (A had none) and its relationship type.
    let input =
        MergeInput { entity: "account".into(), survivor: a, ids: vec![a, b], versions: vec![1, 1], choices: vec![format!("name:{a}")] };
    assert_eq!(duplicates::merge(&db, &admin, &input).await.unwrap(), a);
    let merged = accounts::get(&db, &admin, a).await.unwrap();
    assert_eq!(
        (merged.name.as_str(), merged.email.as_deref(), merged.pib.as_deref()),
        ("Delta d.o.o.", Some("office@delta.rs"), Some(pib.as_str()))
    );
    assert_eq!(merged.types.iter().map(|t| t.code()).collect::<Vec<_>>(), ["customer", "partner"]);
    assert!(matches!(accounts::get(&db, &admin, b).await, Err(AppError::NotFound)));
    assert_eq!(contacts::get(&db, &admin, c).await.unwrap().account_id, Some(a));
    let moved: i64 =
        sqlx::query("SELECT account_id FROM opportunities WHERE id = $1").bind(o).fetch_one(&db.pool).await.unwrap().get("account_id");
    assert_eq!(moved, a);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM notes WHERE regarding_kind = 'account' AND regarding_id = $1", a).await, 1);
    let h = app::services::audit::history(&db, "account", a, None, 20).await.unwrap();
    assert!(h.iter().any(|x| x.field.as_deref() == Some("merge") && x.new_value.as_deref() == Some(&format!("#{b} DELTA D.O.O.") as &str)));
    assert!(h.iter().any(|x| x.field.as_deref() == Some("email") && x.new_value.as_deref() == Some("office@delta.rs")));
    let gone = app::services::audit::history(&db, "account", b, None, 5).await.unwrap();
    assert_eq!(gone[0].action, "delete");
    assert!(duplicates::scan(&db, &admin, "account", "name", "").await.unwrap().sets.is_empty());

    // Similar names in the same city (names compare from 90 %): a typo of Delta in Beograd is found with
    // it; "Delta doo" in Niš and Sigma are not; the stranger sees none of them.
    let mut typo_in = account_input("Deltta d.o.o.");
    typo_in.city = "Beograd".into();
    let typo_id = accounts::create(&db, &admin, &typo_in).await.unwrap();
    let mut far_in = account_input("Delta doo");
    far_in.city = "Niš".into();
    accounts::create(&db, &admin, &far_in).await.unwrap();
    let similar = duplicates::scan(&db, &admin, "account", "similar", "").await.unwrap();
    assert_eq!(similar.key, "similar");
    let ids: Vec<Vec<i64>> = similar.sets.iter().map(|s| s.records.iter().map(|r| r.id).collect()).collect();
    assert_eq!((ids, similar.next), (vec![vec![a, typo_id]], None));
    assert!(duplicates::scan(&db, &stranger, "account", "similar", "").await.unwrap().sets.is_empty());
    // Continuing after the last name read finds nothing more.
    assert!(duplicates::scan(&db, &admin, "account", "similar", "zzz").await.unwrap().sets.is_empty());
    // While names must be equal, the key is not offered (the scan falls back to the first key).
    duplicates::save_rule(&db, &admin, rule("name"), false, 90, true).await.unwrap();
    let exact = duplicates::scan(&db, &admin, "account", "similar", "").await.unwrap();
    assert!(!exact.keys.contains(&"similar".to_string()) && exact.key == "name");
    duplicates::save_rule(&db, &admin, rule("name"), true, 90, true).await.unwrap();
    accounts::delete(&db, &admin, typo_id, 1).await.unwrap();

    // Contacts: the same e-mail twice; the opportunity's contact moves to the survivor.
    let c2 = new_contact(&db, &admin, "Ana", "Marić-Ilić", Some(a)).await;
    sqlx::query("UPDATE contacts SET email = 'ana@delta.rs' WHERE id IN ($1, $2)").bind(c).bind(c2).execute(&db.pool).await.unwrap();
    sqlx::query("UPDATE opportunities SET contact_id = $1 WHERE id = $2").bind(c2).bind(o).execute(&db.pool).await.unwrap();
    let scan = duplicates::scan(&db, &admin, "contact", "email", "").await.unwrap();
    assert_eq!(scan.sets.len(), 1);
    let input = MergeInput {
        entity: "contact".into(),
        survivor: c,
        ids: vec![c, c2],
        versions: vec![1, 1],
        choices: vec![format!("last_name:{c2}")],
    };
    duplicates::merge(&db, &admin, &input).await.unwrap();
    let kept = contacts::get(&db, &admin, c).await.unwrap();
    assert_eq!((kept.last_name.as_str(), kept.email.as_deref()), ("Marić-Ilić", Some("ana@delta.rs")));
    let contact_of: Option<i64> =
        sqlx::query("SELECT contact_id FROM opportunities WHERE id = $1").bind(o).fetch_one(&db.pool).await.unwrap().get("contact_id");
    assert_eq!(contact_of, Some(c));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 1);
}
both!(duplicates_are_warned_found_and_merged);

/// A generated export from an old system: 120 companies, each written on one to four rows in several
/// ways (case, diacritics or none, "dj" or a dropped "đ", Cyrillic, legal forms, phones in several
/// forms, PIB given or not, a few bad PIBs), with its contact people's e-mail addresses. Among them,
/// companies a name-only matcher merges: the same name with a number ("Građevinar" and "Građevinar 4"
/// in Niš), the same name in another city, and names a letter apart — each with its own PIB.
struct MessyList {
    /// The file's rows after the header, with the company (index) each row belongs to.
    rows: Vec<(Vec<String>, usize)>,
    /// Each company's PIB.
    pibs: Vec<String>,
    /// Rows with a bad PIB (rejected), by row number.
    bad: Vec<i64>,
}

const MESSY_BASES: &[&str] = &[
    "Građevinar",
    "Kolubara Plast",
    "Mlekara Zlatibor",
    "Elektro Sistem",
    "Elektro Sistemi",
    "Drvo Promet",
    "Agro Sever",
    "Metal Kovina",
    "Tekstil Jug",
    "Pekara Zlatno Zrno",
    "Auto Prevoz",
    "Stakloplastika",
    "Termo Gas",
    "Vodoinstal",
    "Žitopromet",
    "Čelik Trade",
    "Šumadija Vino",
    "Đurđevak",
    "Ćuprija Beton",
    "Hemija Plus",
];
const MESSY_CITIES: &[(&str, &str)] = &[("Niš", "Ниш"), ("Beograd", "Београд"), ("Novi Sad", "Нови Сад"), ("Čačak", "Чачак")];

fn messy_list(cyrillic: bool) -> MessyList {
    use app::domain::normalize::cyrillic_to_latin;
    let mut seed: u64 = 0x5eed_1234_abcd;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    // 120 companies: (base, number, city), all different.
    let mut companies: Vec<(String, Option<u32>, usize)> = Vec::new();
    'outer: for number in [None, Some(4), Some(2000)] {
        for (b, base) in MESSY_BASES.iter().enumerate() {
            for city in 0..MESSY_CITIES.len() {
                // Spread them: not every base in every city with every number.
                if (b + city + number.unwrap_or(0) as usize) % 2 == 1 && number.is_some() {
                    continue;
                }
                companies.push((base.to_string(), number, city));
                if companies.len() == 120 {
                    break 'outer;
                }
            }
        }
    }
    assert_eq!(companies.len(), 120);
    let pibs: Vec<String> = (0..120).map(|i| pib_with_check(30_000_000 + i as u32 * 7)).collect();
    let people = ["Ana Marić", "Petar Petrović", "Jelena Đorđević", "Marko Ilić", "Ivana Čolić"];
    let mut rows: Vec<(Vec<String>, usize)> = Vec::new();
    let mut bad = Vec::new();
    // Each company's first row in order, then the other rows shuffled in.
    let mut extra: Vec<usize> = Vec::new();
    for c in 0..120 {
        for _ in 0..(next(4) as usize).min(3) {
            extra.push(c);
        }
    }
    while rows.len() + extra.len() < 270 {
        extra.push(next(120) as usize);
    }
    extra.truncate(270 - 120);
    let mut order: Vec<(usize, bool)> = (0..120).map(|c| (c, true)).collect();
    for c in extra {
        let at = 1 + next(order.len() as u64) as usize;
        order.insert(at.min(order.len()), (c, false));
    }
    // The first row of a company is the first in the file: move it there.
    let mut seen = [false; 120];
    for item in order.iter_mut() {
        item.1 = !seen[item.0];
        seen[item.0] = true;
    }
    for (row_idx, (c, first)) in order.iter().enumerate() {
        let (base, number, city) = &companies[*c];
        let mut name = match number {
            Some(n) => format!("{base} {n}"),
            None => base.clone(),
        };
        let forms = ["d.o.o.", "DOO", "d. o. o.", "doo", "", "a.d.", "AD"];
        let form = forms[if *first { 0 } else { next(forms.len() as u64) as usize }];
        let style = if *first { 0 } else { next(if cyrillic { 6 } else { 5 }) };
        let (city_latin, city_cyr) = MESSY_CITIES[*city];
        let mut city_cell = city_latin.to_string();
        match style {
            1 => {
                name = name.to_uppercase();
                city_cell = city_cell.to_uppercase();
            }
            2 => name = name.to_lowercase(),
            // Without diacritics: "đ" as "dj".
            3 => {
                name = app::domain::text::search_key(&name).split(' ').map(cap).collect::<Vec<_>>().join(" ");
                city_cell = app::domain::text::search_key(&city_cell);
            }
            // Without diacritics: "đ" dropped to "d".
            4 => {
                name = name.replace(['đ', 'Đ'], "d");
                name = app::domain::text::search_key(&name).split(' ').map(cap).collect::<Vec<_>>().join(" ");
            }
            5 => {
                name = latin_to_cyrillic(&name);
                city_cell = city_cyr.to_string();
                assert_eq!(app::domain::text::search_key(&cyrillic_to_latin(&name)), app::domain::text::search_key(&name));
            }
            _ => {}
        }
        let full_name = if form.is_empty() { name.clone() } else { format!("{name} {form}") };
        // PIB: always on a company's first row; on others mostly, sometimes left out, sometimes mistyped.
        let pib = &pibs[*c];
        let pib_cell = if *first {
            pib.clone()
        } else {
            match next(10) {
                0..=2 => String::new(),
                3 => {
                    let mut digits: Vec<u8> = pib.bytes().collect();
                    digits[3] = b'0' + (digits[3] - b'0' + 1) % 10;
                    let wrong = String::from_utf8(digits).unwrap();
                    if app::domain::ids::pib_is_valid(&wrong) {
                        pib.clone()
                    } else {
                        bad.push(row_idx as i64 + 1);
                        wrong
                    }
                }
                _ => pib.clone(),
            }
        };
        let phone_digits = format!("{}{:07}", [11, 18, 21, 32][*city], 2_000_000 + *c as u32 * 13);
        let (area, local) = phone_digits.split_at(2);
        let phone = match if *first { 0 } else { next(4) } {
            0 => format!("0{area}/{}-{}", &local[..3], &local[3..]),
            1 => format!("+381 {area} {local}"),
            2 => format!("0{area}{local}"),
            _ => format!("381{area}{local}"),
        };
        let person = people[next(people.len() as u64) as usize];
        let (first_name, last_name) = person.split_once(' ').unwrap();
        let slug: String = app::domain::text::search_key(base).chars().filter(|ch| ch.is_ascii_alphanumeric()).collect();
        let email = format!(
            "{}.{}@{slug}{}{}.rs",
            app::domain::text::search_key(first_name),
            app::domain::text::search_key(last_name),
            number.map(|n| n.to_string()).unwrap_or_default(),
            ["nis", "bg", "ns", "ca"][*city]
        );
        rows.push((vec![full_name, pib_cell, city_cell, phone, email, first_name.to_string(), last_name.to_string()], *c));
    }
    assert_eq!(rows.len(), 270);
    MessyList { rows, pibs, bad }
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Serbian Latin to Cyrillic (the generator's other script; digraphs first).
fn latin_to_cyrillic(s: &str) -> String {
    let pairs = [
        ("Lj", "Љ"),
        ("LJ", "Љ"),
        ("lj", "љ"),
        ("Nj", "Њ"),
        ("NJ", "Њ"),
        ("nj", "њ"),
        ("Dž", "Џ"),
        ("DŽ", "Џ"),
        ("dž", "џ"),
        ("A", "А"),
        ("B", "Б"),
        ("V", "В"),
        ("G", "Г"),
        ("D", "Д"),
        ("Đ", "Ђ"),
        ("E", "Е"),
        ("Ž", "Ж"),
        ("Z", "З"),
        ("I", "И"),
        ("J", "Ј"),
        ("K", "К"),
        ("L", "Л"),
        ("M", "М"),
        ("N", "Н"),
        ("O", "О"),
        ("P", "П"),
        ("R", "Р"),
        ("S", "С"),
        ("T", "Т"),
        ("Ć", "Ћ"),
        ("U", "У"),
        ("F", "Ф"),
        ("H", "Х"),
        ("C", "Ц"),
        ("Č", "Ч"),
        ("Š", "Ш"),
        ("a", "а"),
        ("b", "б"),
        ("v", "в"),
        ("g", "г"),
        ("d", "д"),
        ("đ", "ђ"),
        ("e", "е"),
        ("ž", "ж"),
        ("z", "з"),
        ("i", "и"),
        ("j", "ј"),
        ("k", "к"),
        ("l", "л"),
        ("m", "м"),
        ("n", "н"),
        ("o", "о"),
        ("p", "п"),
        ("r", "р"),
        ("s", "с"),
        ("t", "т"),
        ("ć", "ћ"),
        ("u", "у"),
        ("f", "ф"),
        ("h", "х"),
        ("c", "ц"),
        ("č", "ч"),
        ("š", "ш"),
    ];
    let mut out = String::new();
    let mut rest = s;
    'next: while !rest.is_empty() {
        for (lat, cyr) in pairs {
            if let Some(r) = rest.strip_prefix(lat) {
                out.push_str(cyr);
                rest = r;
                continue 'next;
            }
        }
        let ch = rest.chars().next().unwrap();
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// Imports the generated list as accounts with the preview's default decisions and checks it against
/// the ground truth: every company created exactly once, no row written into another company's account,
/// the bad PIBs rejected, the summary's counts; then a second import of the same file creates nothing.
async fn messy_list_imports_each_company_once(db: &Db, cyrillic: bool) {
    seed(db).await;
    let t = team(db, "Prodaja").await;
    let admin = user(db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let list = messy_list(cyrillic);
    let mut text = String::from("Naziv firme;PIB;Grad;Telefon;E-mail;Ime;Prezime\r\n");
    for (cells, _) in &list.rows {
        text.push_str(&cells.join(";"));
        text.push_str("\r\n");
    }
    let bytes = if cyrillic {
        text.into_bytes()
    } else {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(&text);
        assert!(!unmappable);
        bytes.into_owned()
    };
    let upload = |bytes: Vec<u8>| {
        let (db, admin) = (db.clone(), admin.clone());
        async move {
            let id = imports::upload(&db, &admin, ImportEntity::Account, "stari-sistem.csv", bytes).await.expect("upload");
            let view = imports::mapping_view(&db, &admin, id).await.expect("mapping view");
            // The people's names are not the company's: not imported.
            let mapping: Vec<String> =
                view.mapping.iter().map(|f| if f == "first_name" || f == "last_name" { String::new() } else { f.clone() }).collect();
            assert_eq!(mapping[..5], ["name", "pib", "city", "phone", "email"]);
            imports::analyse(&db, &admin, id, view.import.version, mapping, ImportOptions::default(), "").await.expect("analyse");
            assert_eq!(imports::run_pending(&db, "test-worker").await.expect("analysis job"), 1);
            id
        }
    };
    let id = upload(bytes.clone()).await;
    let preview = imports::preview(db, &admin, id).await.unwrap();
    assert_eq!(preview.import.encoding, if cyrillic { "UTF-8" } else { "Windows-1250" });
    assert_eq!(preview.import.rejected, list.bad.len() as i64, "bad PIBs {:?}", list.bad);
    let mut rejected: Vec<i64> = preview.rejects.iter().map(|r| r.row_no).collect();
    rejected.sort_unstable();
    assert_eq!(rejected, list.bad);
    // No group holds rows of two companies; a suggestion is never joined by default.
    for g in &preview.groups {
        let companies: std::collections::BTreeSet<usize> = g.rows.iter().map(|r| list.rows[*r as usize - 1].1).collect();
        assert_eq!(companies.len(), 1, "group {} mixes companies: rows {:?}", g.group, g.rows);
        assert!(g.suggestion.as_ref().is_none_or(|s| !s.joined));
    }
    let done = finish(db, &admin, id).await;
    assert_eq!(done.status, ImportStatus::Done);
    assert_eq!(done.created, 120, "every company created once");
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM accounts").await, 120);
    for (c, pib) in list.pibs.iter().enumerate() {
        let n = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE pib = $1")
            .bind(pib)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get::<i64, _>("n");
        assert_eq!(n, 1, "company {c} ({pib})");
    }
    // Every row that went to a record went to its own company's.
    let written = sqlx::query("SELECT r.row_no, a.pib FROM import_rows r JOIN accounts a ON a.id = r.record_id WHERE r.import_id = $1 AND r.outcome IN ('created', 'updated')")
        .bind(id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(!written.is_empty());
    for r in written {
        let (row_no, pib): (i64, Option<String>) = (r.get("row_no"), r.get("pib"));
        let company = list.rows[row_no as usize - 1].1;
        assert_eq!(pib.as_deref(), Some(list.pibs[company].as_str()), "row {row_no} went to another company's account");
    }
    // The two companies the issue found merged are two accounts, each with its own PIB.
    let gradjevinar: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT name, pib FROM accounts WHERE search_key LIKE 'gradjevinar%' AND city = 'Niš' ORDER BY name")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(gradjevinar.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(), ["Građevinar 4 d.o.o.", "Građevinar d.o.o."]);
    let outcome = imports::preview(db, &admin, id).await.unwrap().outcome.expect("outcome");
    assert_eq!((outcome.distinct, outcome.created, outcome.updated_existing, outcome.rejected), (120, 120, 0, list.bad.len() as i64));

    // The same file again: nothing new, every company found by its PIB or its name.
    let again = upload(bytes).await;
    let preview = imports::preview(db, &admin, again).await.unwrap();
    assert!(
        preview.groups.iter().all(|g| g.suggestion.is_none() || g.existing_id.is_some()),
        "{:?}",
        preview.groups.iter().filter(|g| g.suggestion.is_some()).collect::<Vec<_>>()
    );
    let done = finish(db, &admin, again).await;
    assert_eq!((done.created, done.rejected), (0, list.bad.len() as i64));
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM accounts").await, 120);
    let outcome = imports::preview(db, &admin, again).await.unwrap().outcome.expect("outcome");
    assert_eq!((outcome.distinct, outcome.created, outcome.updated_existing + outcome.skipped_existing), (120, 0, 120));
    assert!(outcome.existing.len() <= 200 && !outcome.existing.is_empty());
}

async fn messy_list_in_utf8(db: Db) {
    messy_list_imports_each_company_once(&db, true).await;
}
both!(messy_list_in_utf8);

async fn messy_list_in_windows_1250(db: Db) {
    messy_list_imports_each_company_once(&db, false).await;
}
both!(messy_list_in_windows_1250);

/// A name only alike is a suggestion: the row creates its own account unless the user joins it, then it
/// updates the existing one; a different PIB is never even suggested.
async fn similar_names_are_suggestions(db: Db) {
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let mut existing = account_input("Mlekara Zlatibor d.o.o.");
    existing.city = "Čajetina".into();
    let mlekara = accounts::create(&db, &admin, &existing).await.unwrap();
    let mut other = account_input("Termo Gas d.o.o.");
    other.city = "Niš".into();
    other.pib = pib_with_check(40000001);
    accounts::create(&db, &admin, &other).await.unwrap();
    let text = format!(
        "Naziv firme;PIB;Grad;E-mail\r\nMlekara Zlatibr;;Čajetina;prodaja@zlatibor.rs\r\nTermo Gass;{};Niš;\r\nMlekara Zlatibr a.d.;;Čajetina;\r\n",
        pib_with_check(40000002)
    );
    let id = analysed(&db, &admin, ImportEntity::Account, "slicni.csv", text.into_bytes(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    // Rows 1 and 3 are one company (the same name), possibly the existing one; "Termo Gass" has another PIB.
    assert_eq!(preview.groups.len(), 1, "{:?}", preview.groups);
    let g = &preview.groups[0];
    assert_eq!((g.rows.clone(), g.existing_id), (vec![1, 3], None));
    let s = g.suggestion.clone().expect("suggestion");
    assert_eq!((s.existing_id, s.label.as_str(), s.joined), (Some(mlekara), "Mlekara Zlatibor d.o.o.", false));
    assert!(s.similarity >= 90 && s.similarity < 100);
    // Joined: the rows update the existing account.
    imports::join(&db, &admin, id, g.group, true).await.expect("join");
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.updated), (1, 2));
    let m = accounts::get(&db, &admin, mlekara).await.unwrap();
    assert_eq!(m.email.as_deref(), Some("prodaja@zlatibor.rs"));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 3);
    let outcome = imports::preview(&db, &admin, id).await.unwrap().outcome.unwrap();
    assert_eq!((outcome.distinct, outcome.created, outcome.updated_existing), (2, 1, 1));
    assert_eq!((outcome.existing[0].id, outcome.existing[0].rows.clone()), (mlekara, vec![1, 3]));
    // Not joined (the default): the same rows make an account of their own.
    let text = "Naziv firme;PIB;Grad\r\nMlekara Zlatibr Plus;;Čajetina\r\n".to_string();
    let id = analysed(&db, &admin, ImportEntity::Account, "slicni2.csv", text.into_bytes(), ImportOptions::default()).await;
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.updated), (1, 0));
    // A decision on a suggestion after the review is refused.
    assert!(matches!(imports::join(&db, &admin, id, 1, true).await, Err(AppError::Validation { problem: Problem::WrongState, .. })));
}
both!(similar_names_are_suggestions);

/// The rules of identifiers and numbers hold outside imports too: the warning on save does not name
/// "Građevinar 4" for "Građevinar"; the scan does not list same-named companies with different PIBs as
/// one set (a third without a PIB goes with the first); a merge of them is refused.
async fn identifiers_keep_companies_apart_everywhere(db: Db) {
    use app::domain::dedup::MergeInput;
    use app::services::duplicates;
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let company = |name: &str, pib: Option<String>| {
        let mut a = account_input(name);
        a.city = "Niš".into();
        a.pib = pib.unwrap_or_default();
        a
    };
    let first = accounts::create(&db, &admin, &company("Građevinar d.o.o.", Some(pib_with_check(50000001)))).await.unwrap();
    let second = accounts::create(&db, &admin, &company("Građevinar d.o.o.", Some(pib_with_check(50000002)))).await.unwrap();
    let third = accounts::create(&db, &admin, &company("Građevinar d.o.o.", None)).await.unwrap();
    // Saving "Građevinar 4" warns of nothing; saving the name again without a PIB warns of them.
    duplicates::check_account(&db, &admin, &company("Građevinar 4 d.o.o.", None)).await.expect("a number sets it apart");
    match duplicates::check_account(&db, &admin, &company("Gradjevinar a.d.", Some(pib_with_check(50000003)))).await {
        // Another PIB: only the record without one may be it.
        Err(AppError::Validation { problem: Problem::PossibleDuplicate(hints), .. }) => {
            assert_eq!(hints.iter().map(|h| h.id).collect::<Vec<_>>(), vec![third]);
        }
        other => panic!("{other:?}"),
    }
    let scan = duplicates::scan(&db, &admin, "account", "name", "").await.unwrap();
    assert_eq!(scan.sets.iter().map(|s| s.records.iter().map(|r| r.id).collect::<Vec<_>>()).collect::<Vec<_>>(), vec![vec![first, third]]);
    let versions = |n: usize| vec![1; n];
    let refused = duplicates::merge(
        &db,
        &admin,
        &MergeInput { entity: "account".into(), survivor: first, ids: vec![first, second], versions: versions(2), choices: vec![] },
    )
    .await;
    assert!(matches!(refused, Err(AppError::Validation { problem: Problem::DifferentCompanies, .. })), "{refused:?}");
    assert!(duplicates::merge_view(&db, &admin, "account", &[first, second, third]).await.is_err());
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 3);
    // The one without a PIB merges into the first.
    duplicates::merge(
        &db,
        &admin,
        &MergeInput { entity: "account".into(), survivor: first, ids: vec![first, third], versions: versions(2), choices: vec![] },
    )
    .await
    .expect("merge");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 2);
}
both!(identifiers_keep_companies_apart_everywhere);

/// A sheet with the company and the person on each row, imported as contacts: the companies not in Veza
/// are created, each once however the rows write it (case, legal form, Cyrillic), named in the preview;
/// undo removes them with their people; with the switch off such rows are rejected instead.
async fn contacts_import_creates_their_companies(db: Db) {
    seed(&db).await;
    let t = team(&db, "Prodaja").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", Some(t)).await;
    let delta = accounts::create(&db, &admin, &account_input("Delta d.o.o.")).await.unwrap();
    let text = "Ime;Prezime;Firma;E-mail\r\nAna;Marić;Delta d.o.o.;ana@delta.rs\r\nPetar;Perić;NOVA FIRMA DOO;petar@nova.rs\r\n\
                Jelena;Jović;Nova Firma d.o.o.;jelena@nova.rs\r\nMarko;Ilić;Нова Фирма;marko@nova.rs\r\nIva;Ivić;100000024;iva@x.rs\r\n";
    let id = analysed(&db, &admin, ImportEntity::Contact, "ljudi.csv", text.as_bytes().to_vec(), ImportOptions::default()).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    let new = preview.new_accounts.clone().expect("companies to be created");
    assert_eq!((new.count, new.names), (1, vec!["NOVA FIRMA DOO".to_string()]));
    // A company named by a PIB that is not in Veza cannot be created from it.
    assert_eq!(preview.rejects.iter().map(|r| r.row_no).collect::<Vec<_>>(), vec![5]);
    let done = finish(&db, &admin, id).await;
    assert_eq!((done.created, done.rejected), (4, 1));
    let companies: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM accounts ORDER BY id").fetch_all(&db.pool).await.unwrap();
    assert_eq!(companies.len(), 2);
    let (nova, name) = companies[1].clone();
    assert_eq!(name, "Nova Firma d.o.o.");
    let at_nova = sqlx::query("SELECT COUNT(*) AS n FROM contacts WHERE account_id = $1").bind(nova).fetch_one(&db.pool).await.unwrap().get::<i64, _>("n");
    assert_eq!(at_nova, 3);
    let at_delta = sqlx::query("SELECT COUNT(*) AS n FROM contacts WHERE account_id = $1").bind(delta).fetch_one(&db.pool).await.unwrap().get::<i64, _>("n");
    assert_eq!(at_delta, 1);
    let h = app::services::audit::history(&db, "account", nova, None, 10).await.unwrap();
    assert!(h.iter().any(|x| x.field.as_deref() == Some("import")));
    // The new company is found by search like any other.
    let hits = app::services::search::global(&db, &admin, "nova firma").await.expect("search");
    assert!(hits.iter().any(|h| h.id == nova), "{hits:?}");
    // Undo takes the people and the company made for them; the existing company stays.
    imports::undo(&db, &admin, id).await.expect("undo");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM contacts").await, 0);
    let left: Vec<(i64,)> = sqlx::query_as("SELECT id FROM accounts").fetch_all(&db.pool).await.unwrap();
    assert_eq!(left, vec![(delta,)]);
    // With the switch off, the rows of unknown companies are rejected and nothing is created for them.
    let options = ImportOptions { create_accounts: false, ..Default::default() };
    let id = analysed(&db, &admin, ImportEntity::Contact, "ljudi2.csv", text.as_bytes().to_vec(), options).await;
    let preview = imports::preview(&db, &admin, id).await.unwrap();
    assert!(preview.new_accounts.is_none());
    assert_eq!(preview.rejects.iter().map(|r| r.row_no).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    let done = finish(&db, &admin, id).await;
    assert_eq!(done.created, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 1);
}
both!(contacts_import_creates_their_companies);
