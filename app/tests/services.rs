//! Integration tests of the server-side services, each run twice: on a fresh SQLite file and on a fresh
//! Postgres database.
//!
//! Postgres: `postgres://postgres@127.0.0.1:5432/postgres` (override with `VEZA_TEST_POSTGRES_URL`, a URL
//! of a maintenance database on which `CREATE DATABASE` is allowed). When it is unreachable the Postgres
//! variants print a warning and pass, unless `VEZA_REQUIRE_POSTGRES=1`, in which case they fail.
//!
//! Run: `cargo test -p app --features ssr --test services`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::money::Currency;
use app::domain::{AccountInput, ContactInput, ListQuery, OpportunityInput, Role};
use app::error::{AppError, Problem};
use app::services::{accounts, audit, auth, contacts, demo, opportunities, opportunities::board, stages, Actor};
use std::collections::HashSet;

// ---------------------------------------------------------------------------------------------------
// 1. Sign-in, sessions, sign-out, lockout
// ---------------------------------------------------------------------------------------------------

async fn sign_in_sessions_and_lockout(db: Db) {
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let ip = "10.0.0.7";

    assert_eq!(auth::sign_in(&db, "ana@firma.rs", "pogresna-lozinka", ip).await, Err(invalid("password", Problem::WrongCredentials)));
    assert_eq!(auth::sign_in(&db, "nobody@firma.rs", PASSWORD, ip).await, Err(invalid("password", Problem::WrongCredentials)));

    // The email is matched case-insensitively and trimmed, as typed in a sign-in form.
    let (token, user_id) = auth::sign_in(&db, "  Ana@Firma.RS ", PASSWORD, ip).await.expect("right password signs in");
    assert_eq!(user_id, ana.id);
    assert!(token.len() >= 32, "token too short: {token:?}");
    let me = auth::session_user(&db, &token).await.unwrap().expect("the session is valid");
    assert_eq!(me, ana);
    assert_eq!(auth::session_user(&db, "not-a-token").await.unwrap(), None);

    // A second session is independent of the first.
    let (token2, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, ip).await.unwrap();
    assert_ne!(token, token2);

    auth::sign_out(&db, &token).await.unwrap();
    assert_eq!(auth::session_user(&db, &token).await.unwrap(), None, "signed out session still valid");
    assert_eq!(auth::session_user(&db, &token2).await.unwrap().map(|u| u.id), Some(ana.id), "sign-out ended another session");

    // One failure so far for ana; four more make five, each still answered as wrong credentials.
    for i in 2..=5 {
        assert_eq!(
            auth::sign_in(&db, "ana@firma.rs", "pogresna-lozinka", ip).await,
            Err(invalid("password", Problem::WrongCredentials)),
            "failure #{i}"
        );
    }
    // The sixth attempt is refused even with the right password.
    assert_eq!(
        auth::sign_in(&db, "ana@firma.rs", PASSWORD, ip).await,
        Err(invalid("password", Problem::TooManyAttempts(auth::LOCKOUT_MINUTES)))
    );
    // The lock is per email: another (unknown) email from the same address is still checked normally.
    assert_eq!(auth::sign_in(&db, "other@firma.rs", PASSWORD, ip).await, Err(invalid("password", Problem::WrongCredentials)));
    // Sessions opened before the lockout stay valid.
    assert!(auth::session_user(&db, &token2).await.unwrap().is_some());
}
both!(sign_in_sessions_and_lockout);

/// Failing at an e-mail from one address refuses that address only: the user, signing in from another,
/// still gets in (held back a second per failure at the e-mail, at most `MAX_DELAY_SECONDS`), so no
/// one can keep an administrator locked out by guessing wrong on purpose.
async fn guesses_from_one_address_do_not_lock_the_user_out(db: Db) {
    seed(&db).await;
    user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let attacker = "203.0.113.66";
    for _ in 0..auth::MAX_FAILURES {
        let r = auth::sign_in(&db, "admin@firma.rs", "pogresna-lozinka", attacker).await;
        assert!(matches!(r, Err(AppError::Validation { problem: Problem::WrongCredentials, .. })), "{r:?}");
    }
    let refused = auth::sign_in(&db, "admin@firma.rs", PASSWORD, attacker).await;
    assert!(matches!(refused, Err(AppError::Validation { problem: Problem::TooManyAttempts(_), .. })), "{refused:?}");
    let started = std::time::Instant::now();
    auth::sign_in(&db, "admin@firma.rs", PASSWORD, "198.51.100.10").await.expect("the user signs in from another address");
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "attempts at a guessed e-mail are slowed");
    assert_eq!((auth::sign_in_delay(4), auth::sign_in_delay(5), auth::sign_in_delay(9), auth::sign_in_delay(500)), (0, 1, 5, 10));
}
both!(guesses_from_one_address_do_not_lock_the_user_out);

// ---------------------------------------------------------------------------------------------------
// 2. First-run setup
// ---------------------------------------------------------------------------------------------------

async fn setup_first_admin_only_once(db: Db) {
    assert_eq!(auth::user_count(&db).await.unwrap(), 0);
    let id = auth::setup_first_admin(&db, "Admin@Firma.rs", "Prvi Admin", PASSWORD, "Uprava").await.expect("first setup");
    let admin = auth::user_by_id(&db, id).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.email, "admin@firma.rs");
    assert_eq!(admin.team_name.as_deref(), Some("Uprava"));
    assert!(auth::sign_in(&db, "admin@firma.rs", PASSWORD, "127.0.0.1").await.is_ok(), "the new admin can sign in");

    assert_eq!(auth::setup_first_admin(&db, "drugi@firma.rs", "Drugi Admin", PASSWORD, "Uprava").await, Err(AppError::Forbidden));
    assert_eq!(auth::user_count(&db).await.unwrap(), 1, "the refused setup created a user");
    assert_eq!(auth::sign_in(&db, "drugi@firma.rs", PASSWORD, "127.0.0.1").await, Err(invalid("password", Problem::WrongCredentials)));
}
both!(setup_first_admin_only_once);

// ---------------------------------------------------------------------------------------------------
// 3. Accounts: create, read back, validation writes nothing
// ---------------------------------------------------------------------------------------------------

async fn account_create_get_and_invalid_pib(db: Db) {
    seed(&db).await;
    let t = team(&db, "Prodaja Vojvodina").await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", Some(t)).await;

    let input = AccountInput {
        name: "  Delta Agrar d.o.o. ".into(),
        types: vec!["partner".into(), "customer".into(), "customer".into()],
        category: "A".into(),
        industry: "Poljoprivreda".into(),
        region: "Vojvodina".into(),
        city: "Novi Sad".into(),
        address: "Bulevar oslobođenja 1".into(),
        phone: "+381 21 123 4567".into(),
        email: " Office@Delta.RS ".into(),
        website: "www.delta.rs".into(),
        pib: "100002887".into(),
        mb: "07534183".into(),
        notes: "Ključni kupac".into(),
        ..Default::default()
    };
    let id = accounts::create(&db, &ana, &input).await.expect("valid account is created");
    let a = accounts::get(&db, &ana, id).await.expect("creator sees the account");
    assert_eq!(a.id, id);
    assert_eq!(a.name, "Delta Agrar d.o.o.");
    assert_eq!(a.types, vec![app::domain::RelationshipType::Customer, app::domain::RelationshipType::Partner]);
    assert_eq!(a.category, Some(app::domain::Category::A));
    assert_eq!(a.industry.as_deref(), Some("Poljoprivreda"));
    assert_eq!(a.region.as_deref(), Some("Vojvodina"));
    assert_eq!(a.city.as_deref(), Some("Novi Sad"));
    assert_eq!(a.address.as_deref(), Some("Bulevar oslobođenja 1"));
    assert_eq!(a.phone.as_deref(), Some("+381 21 123 4567"));
    assert_eq!(a.email.as_deref(), Some("office@delta.rs"));
    assert_eq!(a.website.as_deref(), Some("www.delta.rs"));
    assert_eq!(a.pib.as_deref(), Some("100002887"));
    assert_eq!(a.mb.as_deref(), Some("07534183"));
    assert_eq!(a.notes.as_deref(), Some("Ključni kupac"));
    assert_eq!(a.owner_id, ana.id);
    assert_eq!(a.owner_name, "Ana Petrović");
    assert_eq!(a.version, 1);

    let before = accounts::list(&db, &ana, &all()).await.unwrap();
    assert_eq!(before.total, 1);
    assert_eq!(before.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);

    let mut bad = account_input("Firma sa lošim PIB-om");
    bad.pib = "123456789".into();
    assert_eq!(accounts::create(&db, &ana, &bad).await, Err(invalid("pib", Problem::InvalidPib)));
    let mut bad_mb = account_input("Firma sa lošim MB-om");
    bad_mb.mb = "07534184".into();
    assert_eq!(accounts::create(&db, &ana, &bad_mb).await, Err(invalid("mb", Problem::InvalidMb)));
    assert_eq!(accounts::create(&db, &ana, &account_input("   ")).await, Err(invalid("name", Problem::Required)));

    let after = accounts::list(&db, &ana, &all()).await.unwrap();
    assert_eq!(after.total, 1, "a refused account was written");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 1);

    // Search finds the account by its PIB and by a name typed without diacritics or case.
    let by_pib = accounts::list(&db, &ana, &ListQuery { q: "100002887".into(), ..Default::default() }).await.unwrap();
    assert_eq!(by_pib.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    let by_name = accounts::list(&db, &ana, &ListQuery { q: "DELTA agrar".into(), ..Default::default() }).await.unwrap();
    assert_eq!(by_name.total, 1);
    let none = accounts::list(&db, &ana, &ListQuery { q: "gama".into(), ..Default::default() }).await.unwrap();
    assert_eq!(none.total, 0);
    assert!(none.rows.is_empty());
}
both!(account_create_get_and_invalid_pib);

// ---------------------------------------------------------------------------------------------------
// 4. Visibility by role and team
// ---------------------------------------------------------------------------------------------------

async fn visibility_by_team_and_role(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let team_a = team(&db, "Tim A").await;
    let team_b = team(&db, "Tim B").await;
    let a_sales = user(&db, "a.sales@firma.rs", "Aca Prodaja", "sales", Some(team_a)).await;
    let b_sales = user(&db, "b.sales@firma.rs", "Bora Prodaja", "sales", Some(team_b)).await;
    let b_manager = user(&db, "b.manager@firma.rs", "Biljana Menadžer", "manager", Some(team_b)).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;

    let alfa = new_account(&db, &a_sales, "Alfa d.o.o.").await;
    let beta = new_account(&db, &b_sales, "Beta d.o.o.").await;
    let beta_contact = new_contact(&db, &b_sales, "Bojan", "Bojić", Some(beta)).await;
    let beta_deal = new_opportunity(&db, &b_sales, "Beta posao", beta, open[0].id, "1.000").await;
    let alfa_deal = new_opportunity(&db, &a_sales, "Alfa posao", alfa, open[0].id, "2.000").await;

    // Team A's salesperson: Beta's records do not exist for them.
    assert_eq!(accounts::get(&db, &a_sales, beta).await, Err(AppError::NotFound));
    assert_eq!(opportunities::get(&db, &a_sales, beta_deal).await, Err(AppError::NotFound));
    assert_eq!(contacts::get(&db, &a_sales, beta_contact).await, Err(AppError::NotFound));
    let list = accounts::list(&db, &a_sales, &all()).await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![alfa]);
    let deals = opportunities::list(&db, &a_sales, &all()).await.unwrap();
    assert_eq!(deals.total, 1);
    assert_eq!(deals.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![alfa_deal]);
    assert_eq!(contacts::list(&db, &a_sales, &all()).await.unwrap().total, 0);
    let board = board::board(&db, &a_sales, &Default::default()).await.unwrap();
    assert_eq!(column(&board, open[0].id).count, 1, "the board counts another team's deal");
    assert_eq!(column(&board, open[0].id).total_minor, 200_000);
    // Nor can they change, delete, move or attach to them.
    let mut edit = account_input("Beta preuzeta");
    edit.id = beta.to_string();
    edit.version = "1".into();
    assert_eq!(accounts::update(&db, &a_sales, &edit).await, Err(AppError::NotFound));
    assert_eq!(accounts::delete(&db, &a_sales, beta, 1).await, Err(AppError::NotFound));
    assert_eq!(board::move_opportunity(&db, &a_sales, beta_deal, open[1].id, 1).await.map(|c| c.id), Err(AppError::NotFound));
    assert_eq!(
        opportunities::create(&db, &a_sales, &opportunity_input("Tuđi posao", beta, open[0].id, "1")).await,
        Err(invalid("account_id", Problem::InvalidChoice))
    );
    let untouched = accounts::get(&db, &admin, beta).await.unwrap();
    assert_eq!((untouched.name.as_str(), untouched.version), ("Beta d.o.o.", 1));
    assert_eq!(opportunities::get(&db, &admin, beta_deal).await.unwrap().stage_id, open[0].id);

    // Team B's manager sees team B's records (owned by someone else), not team A's.
    assert_eq!(accounts::get(&db, &b_manager, beta).await.unwrap().owner_id, b_sales.id);
    assert_eq!(opportunities::get(&db, &b_manager, beta_deal).await.unwrap().account_name, "Beta d.o.o.");
    assert_eq!(accounts::get(&db, &b_manager, alfa).await, Err(AppError::NotFound));
    let list = accounts::list(&db, &b_manager, &all()).await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![beta]);

    // The administrator sees everything.
    assert!(accounts::get(&db, &admin, alfa).await.is_ok());
    assert!(accounts::get(&db, &admin, beta).await.is_ok());
    assert!(opportunities::get(&db, &admin, beta_deal).await.is_ok());
    assert!(opportunities::get(&db, &admin, alfa_deal).await.is_ok());
    let list = accounts::list(&db, &admin, &all()).await.unwrap();
    assert_eq!(list.total, 2);
    assert_eq!(list.rows.iter().map(|r| r.id).collect::<HashSet<_>>(), HashSet::from([alfa, beta]));
    assert_eq!(opportunities::list(&db, &admin, &all()).await.unwrap().total, 2);
    let board = board::board(&db, &admin, &Default::default()).await.unwrap();
    assert_eq!(column(&board, open[0].id).count, 2);
}
both!(visibility_by_team_and_role);

// ---------------------------------------------------------------------------------------------------
// 5. Versioned updates and history
// ---------------------------------------------------------------------------------------------------

async fn versioned_update_conflict_and_history(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let id = new_account(&db, &ana, "Delta Agrar").await;
    let loaded = accounts::get(&db, &ana, id).await.unwrap();
    assert_eq!(loaded.version, 1);

    // Two people edit the same loaded version: the first save wins, the second is a conflict.
    let mut first = account_input("Delta Agrar Novi");
    first.id = id.to_string();
    first.version = loaded.version.to_string();
    first.city = "Novi Sad".into();
    let mut second = account_input("Delta Drugačija");
    second.id = id.to_string();
    second.version = loaded.version.to_string();
    assert_eq!(accounts::update(&db, &ana, &first).await, Ok(2));
    assert_eq!(accounts::update(&db, &ana, &second).await, Err(AppError::Conflict));

    let now = accounts::get(&db, &ana, id).await.unwrap();
    assert_eq!(now.name, "Delta Agrar Novi");
    assert_eq!(now.city.as_deref(), Some("Novi Sad"));
    assert_eq!(now.version, 2);
    // The renamed account is found under its new name, not its old one.
    let found = accounts::list(&db, &ana, &ListQuery { q: "agrar novi".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(accounts::list(&db, &ana, &ListQuery { q: "drugacija".into(), ..Default::default() }).await.unwrap().total, 0);

    let history = audit::history(&db, "account", id, None, 100).await.unwrap();
    let name_updates: Vec<_> = history.iter().filter(|e| e.action == "update" && e.field.as_deref() == Some("name")).collect();
    assert_eq!(name_updates.len(), 1, "{history:#?}");
    let e = name_updates[0];
    assert_eq!(e.old_value.as_deref(), Some("Delta Agrar"));
    assert_eq!(e.new_value.as_deref(), Some("Delta Agrar Novi"));
    assert_eq!(e.user_name.as_deref(), Some("Ana Petrović"));
    let city = history.iter().find(|e| e.action == "update" && e.field.as_deref() == Some("city")).expect("city change recorded");
    assert_eq!((city.old_value.as_deref(), city.new_value.as_deref()), (None, Some("Novi Sad")));
    // Unchanged fields are not recorded as updates; the refused save left no trace.
    assert!(!history.iter().any(|e| e.action == "update" && e.field.as_deref() == Some("types")), "{history:#?}");
    assert!(!history.iter().any(|e| e.new_value.as_deref() == Some("Delta Drugačija")), "{history:#?}");
    assert!(history
        .iter()
        .any(|e| e.action == "create" && e.field.as_deref() == Some("name") && e.new_value.as_deref() == Some("Delta Agrar")));
    // Newest first.
    assert!(history.windows(2).all(|w| w[0].id > w[1].id));

    // A save based on the new version succeeds again.
    second.version = "2".into();
    assert_eq!(accounts::update(&db, &ana, &second).await, Ok(3));
    assert_eq!(accounts::get(&db, &ana, id).await.unwrap().name, "Delta Drugačija");
}
both!(versioned_update_conflict_and_history);

// ---------------------------------------------------------------------------------------------------
// 6. Deletion refused while contacts depend on the account
// ---------------------------------------------------------------------------------------------------

async fn delete_refused_while_contacts_depend(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let account = new_account(&db, &ana, "Gama d.o.o.").await;
    let contact = new_contact(&db, &ana, "Goran", "Gavrilović", Some(account)).await;
    assert_eq!(contacts::get(&db, &ana, contact).await.unwrap().account_name.as_deref(), Some("Gama d.o.o."));

    assert_eq!(accounts::delete(&db, &ana, account, 1).await, Err(invalid("delete", Problem::InUse(1))));
    assert!(accounts::get(&db, &ana, account).await.is_ok(), "a refused delete removed the account");
    assert!(contacts::get(&db, &ana, contact).await.is_ok());

    contacts::delete(&db, &ana, contact, 1).await.expect("contact deleted");
    assert_eq!(contacts::get(&db, &ana, contact).await, Err(AppError::NotFound));
    // A stale version is refused even when nothing depends on the account any more.
    assert_eq!(accounts::delete(&db, &ana, account, 0).await, Err(AppError::Conflict));
    accounts::delete(&db, &ana, account, 1).await.expect("account deleted");
    assert_eq!(accounts::get(&db, &ana, account).await, Err(AppError::NotFound));
    assert_eq!(accounts::list(&db, &ana, &all()).await.unwrap().total, 0);
    assert_eq!(accounts::delete(&db, &ana, account, 1).await, Err(AppError::NotFound));
    let history = audit::history(&db, "account", account, None, 100).await.unwrap();
    let deletion = history.first().expect("history survives deletion");
    assert_eq!(deletion.action, "delete");
    assert_eq!(deletion.old_value.as_deref(), Some("Gama d.o.o."));
    assert_eq!(deletion.user_name.as_deref(), Some("Ana Petrović"));
}
both!(delete_refused_while_contacts_depend);

// ---------------------------------------------------------------------------------------------------
// 7. Opportunities: amounts, dates, probability, contact must belong to the account
// ---------------------------------------------------------------------------------------------------

async fn opportunity_parsing_and_contact_check(db: Db) {
    seed(&db).await;
    let (open, won, _) = open_and_closed_stages(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let delta = new_account(&db, &ana, "Delta").await;
    let omega = new_account(&db, &ana, "Omega").await;
    let dragan = new_contact(&db, &ana, "Dragan", "Dragić", Some(delta)).await;
    let olga = new_contact(&db, &ana, "Olga", "Olić", Some(omega)).await;

    let stage = &open[2]; // Needs analysis, 40 %
    let mut input = opportunity_input("Linija za pakovanje", delta, stage.id, "1.234.567,89");
    input.currency = "EUR".into();
    input.close_date = "31.12.2026.".into();
    input.contact_id = dragan.to_string();
    let id = opportunities::create(&db, &ana, &input).await.expect("opportunity created");
    let o = opportunities::get(&db, &ana, id).await.unwrap();
    assert_eq!(o.amount_minor, 123_456_789);
    assert_eq!(o.currency, Currency::EUR);
    assert_eq!(o.close_date, "2026-12-31");
    assert_eq!(o.stage_id, stage.id);
    assert_eq!(o.stage_name, "Needs analysis");
    assert_eq!(o.probability, stage.probability);
    assert_eq!(o.probability, 40);
    assert!(!o.probability_manual);
    assert_eq!(o.account_name, "Delta");
    assert_eq!(o.contact_id, Some(dragan));
    assert_eq!(o.contact_name.as_deref(), Some("Dragan Dragić"));
    assert_eq!(o.owner_id, ana.id);
    assert_eq!(o.version, 1);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", id).await, 1);

    // A deal is won by closing it (with the actual value), never created in a won stage.
    let mut won_input = opportunity_input("Dobijen posao", delta, won.id, "10");
    won_input.probability = "30".into();
    assert_eq!(
        opportunities::create(&db, &ana, &won_input).await,
        Err(AppError::Validation { field: "stage_id".into(), problem: Problem::UseClose })
    );
    won_input.stage_id = open[0].id.to_string();
    let won_id = opportunities::create(&db, &ana, &won_input).await.unwrap();
    let close = app::domain::CloseInput {
        id: won_id.to_string(),
        version: "1".into(),
        outcome: "won".into(),
        amount: "10".into(),
        close_date: app::db::today(),
        ..Default::default()
    };
    app::services::opportunities::closing::close(&db, &ana, &close).await.unwrap();
    assert_eq!(opportunities::get(&db, &ana, won_id).await.unwrap().probability, 100);
    // A typed probability in an open stage is kept and marked manual.
    let mut manual = opportunity_input("Ručna verovatnoća", delta, open[0].id, "10");
    manual.probability = "35".into();
    let manual_id = opportunities::create(&db, &ana, &manual).await.unwrap();
    let m = opportunities::get(&db, &ana, manual_id).await.unwrap();
    assert_eq!((m.probability, m.probability_manual), (35, true));

    let before = opportunities::list(&db, &ana, &all()).await.unwrap().total;
    assert_eq!(before, 3);
    let mut wrong = input.clone();
    wrong.contact_id = olga.to_string();
    assert_eq!(opportunities::create(&db, &ana, &wrong).await, Err(invalid("contact_id", Problem::InvalidChoice)));
    let mut bad_amount = input.clone();
    bad_amount.amount = "1.23.4".into();
    assert_eq!(opportunities::create(&db, &ana, &bad_amount).await, Err(invalid("amount", Problem::InvalidNumber)));
    let mut bad_date = input.clone();
    bad_date.close_date = "31.02.2026.".into();
    assert_eq!(opportunities::create(&db, &ana, &bad_date).await, Err(invalid("close_date", Problem::InvalidDate)));
    let mut bad_stage = input.clone();
    bad_stage.stage_id = "999999".into();
    assert_eq!(opportunities::create(&db, &ana, &bad_stage).await, Err(invalid("stage_id", Problem::InvalidChoice)));
    assert_eq!(opportunities::list(&db, &ana, &all()).await.unwrap().total, before, "a refused opportunity was written");

    // Switching the contact to one of another account is refused on update too.
    let mut update = input.clone();
    update.id = id.to_string();
    update.version = "1".into();
    update.contact_id = olga.to_string();
    assert_eq!(opportunities::update(&db, &ana, &update).await, Err(invalid("contact_id", Problem::InvalidChoice)));
    assert_eq!(opportunities::get(&db, &ana, id).await.unwrap().contact_id, Some(dragan));
}
both!(opportunity_parsing_and_contact_check);

// ---------------------------------------------------------------------------------------------------
// 8. Pipeline board and moving cards
// ---------------------------------------------------------------------------------------------------

async fn pipeline_board_totals_and_moves(db: Db) {
    seed(&db).await;
    let (open, won, _) = open_and_closed_stages(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let acc = new_account(&db, &ana, "Delta").await;

    let o1 = new_opportunity(&db, &ana, "Prvi", acc, open[0].id, "1.000,00").await; // 100 000 minor at 10 %
    let o2 = new_opportunity(&db, &ana, "Drugi", acc, open[0].id, "2.500,50").await; // 250 050 minor at 10 %
    let o3 = new_opportunity(&db, &ana, "Treći", acc, open[1].id, "333,33").await; // 33 333 minor at 20 %
    let _closed = closed_opportunity(&db, &ana, "Zatvoren", acc, won.id, "9.999.999").await;

    let board = board::board(&db, &ana, &Default::default()).await.unwrap();
    assert_eq!(
        board.columns.iter().map(|c| c.stage.id).collect::<Vec<_>>(),
        open.iter().map(|s| s.id).collect::<Vec<_>>(),
        "one column per open stage"
    );
    assert_eq!(board.stages.len(), 7);
    let c0 = column(&board, open[0].id);
    assert_eq!(c0.count, 2);
    assert_eq!(c0.total_minor, 350_050);
    assert_eq!(c0.weighted_minor, 35_005); // 350 050 × 10 %
    assert_eq!(c0.cards.iter().map(|c| c.id).collect::<HashSet<_>>(), HashSet::from([o1, o2]));
    assert_eq!(c0.next_cursor, None);
    let c1 = column(&board, open[1].id);
    assert_eq!(c1.count, 1);
    assert_eq!(c1.total_minor, 33_333);
    assert_eq!(c1.weighted_minor, 6_667); // 33 333 × 20 % = 6 666.6, rounded half up
    assert_eq!(c1.cards.iter().map(|c| c.id).collect::<Vec<_>>(), vec![o3]);
    for c in &board.columns[2..] {
        assert_eq!((c.count, c.total_minor, c.weighted_minor, c.cards.len()), (0, 0, 0, 0), "column {}", c.stage.name);
    }

    // Move o1 to the next open stage: stage and probability follow, the version goes up.
    let card = board::move_opportunity(&db, &ana, o1, open[1].id, 1).await.expect("move");
    assert_eq!(card.id, o1);
    assert_eq!(card.stage_id, open[1].id);
    assert_eq!(card.probability, open[1].probability);
    assert_eq!(card.version, 2);
    let o = opportunities::get(&db, &ana, o1).await.unwrap();
    assert_eq!((o.stage_id, o.probability, o.version), (open[1].id, 20, 2));
    assert_eq!(o.stage_name, open[1].name);

    // Moving again from the stale version is a conflict and changes nothing.
    assert_eq!(board::move_opportunity(&db, &ana, o1, open[2].id, 1).await.map(|c| c.id), Err(AppError::Conflict));
    let o = opportunities::get(&db, &ana, o1).await.unwrap();
    assert_eq!((o.stage_id, o.probability, o.version), (open[1].id, 20, 2));

    let board = board::board(&db, &ana, &Default::default()).await.unwrap();
    let c0 = column(&board, open[0].id);
    assert_eq!((c0.count, c0.total_minor, c0.weighted_minor), (1, 250_050, 25_005));
    let c1 = column(&board, open[1].id);
    assert_eq!((c1.count, c1.total_minor), (2, 133_333));
    assert_eq!(c1.weighted_minor, 26_667); // (100 000 + 33 333) × 20 % = 26 666.6

    // A move to won asks for the close instead; closing takes the deal off the board at 100 %.
    assert_eq!(
        board::move_opportunity(&db, &ana, o3, won.id, 1).await.map(|c| c.id),
        Err(AppError::Validation { field: "stage_id".into(), problem: Problem::UseClose })
    );
    let close = app::domain::CloseInput {
        id: o3.to_string(),
        version: "1".into(),
        outcome: "won".into(),
        amount: "1000".into(),
        close_date: app::db::today(),
        ..Default::default()
    };
    assert_eq!(app::services::opportunities::closing::close(&db, &ana, &close).await, Ok(2));
    let o = opportunities::get(&db, &ana, o3).await.unwrap();
    assert_eq!((o.stage_id, o.probability, o.version), (won.id, 100, 2));
    let board = board::board(&db, &ana, &Default::default()).await.unwrap();
    assert_eq!(column(&board, open[1].id).count, 1);
    assert_eq!(column(&board, open[1].id).total_minor, 100_000);

    // EUR deals are counted in RSD at the stated rate.
    let mut eur = opportunity_input("Evro posao", acc, open[4].id, "100");
    eur.currency = "EUR".into();
    new_opportunity_from(&db, &ana, &eur).await;
    let board = board::board(&db, &ana, &Default::default()).await.unwrap();
    let expected = app::domain::money::to_base(
        10_000,
        Currency::EUR,
        &[app::domain::money::Rate { currency: Currency::EUR, micros: board.eur_rate_micros }],
    );
    assert!(expected > 10_000);
    let c4 = column(&board, open[4].id);
    assert_eq!((c4.count, c4.total_minor), (1, expected));
    assert_eq!(c4.weighted_minor, app::domain::money::weighted(expected, 80));

    // Each real move is recorded once for the pipeline reports.
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", o1).await, 2);
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", o2).await, 1);
}
both!(pipeline_board_totals_and_moves);

async fn new_opportunity_from(db: &Db, actor: &Actor, input: &OpportunityInput) -> i64 {
    opportunities::create(db, actor, input).await.expect("create opportunity")
}

// ---------------------------------------------------------------------------------------------------
// 9. Concurrent moves of the same card
// ---------------------------------------------------------------------------------------------------

async fn concurrent_moves_one_wins(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let acc = new_account(&db, &ana, "Delta").await;

    for round in 0..5 {
        let id = new_opportunity(&db, &ana, &format!("Posao {round}"), acc, open[0].id, "1.000").await;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let spawn_move = |stage: i64| {
            let (db, ana, barrier) = (db.clone(), ana.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                board::move_opportunity(&db, &ana, id, stage, 1).await
            })
        };
        let t1 = spawn_move(open[1].id);
        let t2 = spawn_move(open[2].id);
        let (r1, r2) = (t1.await.expect("task 1"), t2.await.expect("task 2"));

        let winner = match (&r1, &r2) {
            (Ok(card), Err(AppError::Conflict)) | (Err(AppError::Conflict), Ok(card)) => card.clone(),
            other => panic!("round {round}: expected exactly one success and one conflict, got {other:?}"),
        };
        assert!(winner.stage_id == open[1].id || winner.stage_id == open[2].id);
        let o = opportunities::get(&db, &ana, id).await.unwrap();
        assert_eq!(o.stage_id, winner.stage_id, "round {round}");
        assert_eq!(o.version, 2, "round {round}: the version moved more than once");
        let expected_probability = open.iter().find(|s| s.id == winner.stage_id).unwrap().probability;
        assert_eq!(o.probability, expected_probability);

        let history = audit::history(&db, "opportunity", id, None, 100).await.unwrap();
        let moves: Vec<_> = history.iter().filter(|e| e.action == "update" && e.field.as_deref() == Some("stage_id")).collect();
        assert_eq!(moves.len(), 1, "round {round}: {history:#?}");
        assert_eq!(moves[0].new_value.as_deref(), Some(o.stage_name.as_str()), "history names the winning stage");
        assert_eq!(moves[0].old_value.as_deref(), Some(open[0].name.as_str()));
        assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", id).await, 2);
    }
}
both!(concurrent_moves_one_wins);

// ---------------------------------------------------------------------------------------------------
// 10. Keyset pagination and accent-blind search
// ---------------------------------------------------------------------------------------------------

async fn contacts_keyset_pagination_and_search(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    let acc = new_account(&db, &ana, "Delta").await;

    // 119 contacts whose names repeat three times each (so page boundaries fall inside runs of equal
    // names and the id breaks ties), created out of name order, plus one with Serbian diacritics.
    let mut created: Vec<(String, i64)> = Vec::new();
    for i in 0..119 {
        let last = format!("{:02}", (i * 7) % 40);
        let id = new_contact(&db, &ana, "Kontakt", &last, if i % 2 == 0 { Some(acc) } else { None }).await;
        created.push((format!("kontakt {last}"), id));
    }
    let djordje = new_contact(&db, &ana, "Đorđe", "Čolić", None).await;
    created.push(("djordje colic".into(), djordje));
    created.sort();
    let expected: Vec<i64> = created.iter().map(|(_, id)| *id).collect();
    assert_eq!(expected.len(), 120);

    let mut seen: Vec<i64> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut query = all();
    let mut page_sizes = Vec::new();
    loop {
        let page = contacts::list(&db, &ana, &query).await.unwrap();
        assert_eq!(page.total, 120);
        page_sizes.push(page.rows.len());
        seen.extend(page.rows.iter().map(|r| r.id));
        names.extend(page.rows.iter().map(|r| r.name.clone()));
        match page.next_cursor {
            Some(c) => {
                assert!(page_sizes.len() < 10, "pagination does not end");
                query.cursor = c;
            }
            None => break,
        }
    }
    assert_eq!(page_sizes, vec![50, 50, 20]);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 120, "a contact was shown twice");
    assert_eq!(seen, expected, "not in name order (ties by id)");
    assert_eq!(names[0], "Đorđe Čolić");
    assert_eq!(names[1], "Kontakt 00");

    // The same list, newest changes first, also pages through everyone exactly once.
    let mut query = ListQuery { sort: "updated".into(), ..Default::default() };
    let mut by_update: Vec<i64> = Vec::new();
    loop {
        let page = contacts::list(&db, &ana, &query).await.unwrap();
        by_update.extend(page.rows.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) if by_update.len() < 1000 => query.cursor = c,
            _ => break,
        }
    }
    assert_eq!(by_update.len(), 120);
    assert_eq!(by_update.iter().collect::<HashSet<_>>().len(), 120);
    assert_eq!(by_update[0], djordje, "the newest contact comes first");

    // Filtering by account narrows the total.
    let of_account = contacts::list(&db, &ana, &ListQuery { account: acc.to_string(), ..Default::default() }).await.unwrap();
    assert_eq!(of_account.total, 60);

    // Searching ignores case and Serbian diacritics, both ways.
    for q in ["djordje colic", "ĐORĐE", "Čolić", "colic", "  djordje   colic "] {
        let found = contacts::list(&db, &ana, &ListQuery { q: q.into(), ..Default::default() }).await.unwrap();
        assert_eq!(found.total, 1, "q = {q:?}");
        assert_eq!(found.rows.iter().map(|r| (r.id, r.name.as_str())).collect::<Vec<_>>(), vec![(djordje, "Đorđe Čolić")], "q = {q:?}");
        assert_eq!(found.next_cursor, None);
    }
    let found = contacts::list(&db, &ana, &ListQuery { q: "kontakt 07".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.total, 3);
    // LIKE wildcards typed by the user are literal characters.
    let found = contacts::list(&db, &ana, &ListQuery { q: "%".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.total, 0);
    let found = contacts::list(&db, &ana, &ListQuery { q: "kontakt _7".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.total, 0);

    // A text that matches thousands of rows takes the other query shape (the list walks its name
    // index): the same answer — names in order, ties by id, a capped total, keyset pages.
    let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5100) \
               INSERT INTO contacts (first_name, last_name, search_key, owner_id, created_at, created_by, updated_at, updated_by, version, search_text) \
               SELECT 'Masovni', CAST(i % 97 AS TEXT), 'masovni ' || CAST(i % 97 AS TEXT), $1, '2026-01-01T00:00:00.000Z', $1, \
               '2026-01-01T00:00:00.000Z', $1, 1, 'masovni ' || CAST(i % 97 AS TEXT) FROM n";
    sqlx::query(sql).bind(ana.id).execute(&db.pool).await.expect("bulk contacts");
    let mut query = ListQuery { q: "MASOVNI".into(), ..Default::default() };
    let mut seen: Vec<(String, i64)> = Vec::new();
    for _ in 0..3 {
        let page = contacts::list(&db, &ana, &query).await.unwrap();
        // Counted to 100 only ("100+"): counting thousands of matches costs more than the page.
        assert_eq!((page.total, page.total_cap), (app::domain::TEXT_COUNT_CAP + 1, app::domain::TEXT_COUNT_CAP), "capped total");
        seen.extend(page.rows.iter().map(|r| (r.name.clone(), r.id)));
        query.cursor = page.next_cursor.expect("more pages");
    }
    let mut sorted = seen.clone();
    sorted.sort_by_key(|a| (a.0.to_lowercase(), a.1));
    assert_eq!(seen, sorted, "name order, ties by id");
    assert_eq!(seen.len(), 150);
    assert_eq!(seen[0].0, "Masovni 0");
    assert!(seen.iter().all(|(n, _)| n.starts_with("Masovni ")), "only matches");
    // Fewer matches: taken from the text index and sorted (583 rows: "masovni 1" and "masovni 10"–"19").
    let few = contacts::list(&db, &ana, &ListQuery { q: "masovni 1".into(), ..Default::default() }).await.unwrap();
    assert_eq!(few.total, count(&db, "SELECT COUNT(*) AS n FROM contacts WHERE search_text LIKE 'masovni 1%'").await);
    assert_eq!((few.total, few.total_cap), (583, app::domain::COUNT_CAP), "fewer matches are counted to 1,000");
    assert_eq!(few.rows[0].name, "Masovni 1");
    let all = contacts::list(&db, &ana, &ListQuery::default()).await.unwrap();
    assert_eq!((all.total, all.total_cap), (app::domain::COUNT_CAP + 1, app::domain::COUNT_CAP), "no text: \"1,000+\"");
}
both!(contacts_keyset_pagination_and_search);

// ---------------------------------------------------------------------------------------------------
// 11. Demo data
// ---------------------------------------------------------------------------------------------------

async fn demo_loads_once(db: Db) {
    assert!(!demo::is_loaded(&db).await.unwrap());
    assert_eq!(demo::load(&db, false).await.expect("demo loads"), demo::Outcome::Loaded, "first load reports work done");
    assert!(demo::is_loaded(&db).await.unwrap());
    let counts = |db: Db| async move {
        (
            count(&db, "SELECT COUNT(*) AS n FROM accounts").await,
            count(&db, "SELECT COUNT(*) AS n FROM contacts").await,
            count(&db, "SELECT COUNT(*) AS n FROM opportunities").await,
            count(&db, "SELECT COUNT(*) AS n FROM users").await,
        )
    };
    let first = counts(db.clone()).await;
    assert_eq!((first.0, first.1, first.2), (50, 150, 300));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM leads").await, 60);
    let activities = count(&db, "SELECT COUNT(*) AS n FROM activities").await;
    assert!(activities >= 80, "two or more activities per customer account, got {activities}");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities WHERE account_id IS NULL").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts WHERE is_demo = 1").await, 50);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM opportunities WHERE is_demo = 1").await, 300);
    // Every demo account's identifiers pass the checks a user's input must pass.
    let ids = sqlx::query_as::<_, (Option<String>, Option<String>)>("SELECT pib, mb FROM accounts").fetch_all(&db.pool).await.unwrap();
    assert_eq!(ids.len(), 50);
    for (pib, mb) in &ids {
        assert!(pib.as_deref().is_some_and(app::domain::ids::pib_is_valid), "demo PIB {pib:?}");
        assert!(mb.as_deref().is_none_or(app::domain::ids::mb_is_valid), "demo MB {mb:?}");
    }
    let admin_id: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT id FROM users WHERE email = 'admin@demo.veza.rs'").fetch_one(&db.pool).await.unwrap(),
        "id",
    )
    .unwrap();
    let admin = auth::user_by_id(&db, admin_id).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(accounts::list(&db, &admin, &all()).await.unwrap().total, 50);
    assert_eq!(opportunities::list(&db, &admin, &all()).await.unwrap().total, 300);
    let board = board::board(&db, &admin, &Default::default()).await.unwrap();
    assert!(board.columns.iter().map(|c| c.count).sum::<i64>() > 0, "the demo board is empty");

    assert_eq!(demo::load(&db, false).await.unwrap(), demo::Outcome::AlreadyLoaded, "second load reports nothing done");
    assert_eq!(counts(db.clone()).await, first, "a second load changed the data");
}
both!(demo_loads_once);

/// The demo's administrator signs in with a password printed in the README: it is never planted into
/// a database that has users of its own, unless asked with `--force`.
async fn demo_refuses_a_database_with_its_own_users(db: Db) {
    seed(&db).await;
    user(&db, "direktor@firma.rs", "Direktor", "admin", None).await;
    assert_eq!(demo::load(&db, false).await.unwrap(), demo::Outcome::HasUsers(1));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM users WHERE email = 'admin@demo.veza.rs'").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 0);
    assert_eq!(demo::load(&db, true).await.unwrap(), demo::Outcome::Loaded);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM users WHERE email = 'admin@demo.veza.rs'").await, 1);
}
both!(demo_refuses_a_database_with_its_own_users);

// ---------------------------------------------------------------------------------------------------
// 12. Races: simultaneous first-run setups, parallel password guesses, hidden contacts.
// ---------------------------------------------------------------------------------------------------

async fn simultaneous_setups_create_one_admin(db: Db) {
    seed(&db).await;
    let (a, b) = tokio::join!(
        auth::setup_first_admin(&db, "prva@firma.rs", "Prva", PASSWORD, ""),
        auth::setup_first_admin(&db, "druga@firma.rs", "Druga", PASSWORD, ""),
    );
    let oks = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(oks, 1, "exactly one setup succeeds: {a:?} {b:?}");
    assert!(matches!(a, Err(AppError::Forbidden)) || matches!(b, Err(AppError::Forbidden)));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM users").await, 1);
}
both!(simultaneous_setups_create_one_admin);

/// Two requests creating the same unique key at once: one succeeds, the other gets the field's own
/// "already exists" (not a server error), on both databases. Neither checks the key with a read first,
/// so on Postgres both reach the INSERT and the database's unique constraint decides.
async fn concurrent_duplicates_answer_the_field(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let new_user = |name: &str| auth::NewUser {
        email: "Isti@Firma.rs".into(),
        name: name.into(),
        role: "sales".into(),
        team_id: None,
        password: PASSWORD.into(),
    };
    let (a, b) =
        tokio::join!(auth::create_user(&db, Some(&admin), new_user("Prvi")), auth::create_user(&db, Some(&admin), new_user("Drugi")));
    let already = |r: &Result<i64, AppError>, f: &str| matches!(r, Err(AppError::Validation { field, problem: Problem::AlreadyExists }) if field == f);
    assert!(a.is_ok() != b.is_ok(), "exactly one user is created: {a:?} {b:?}");
    assert!(already(&a, "email") || already(&b, "email"), "the other is told the e-mail is taken: {a:?} {b:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM users WHERE email = 'isti@firma.rs'").await, 1);

    let (a, b) = tokio::join!(auth::create_team(&db, &admin, "Sever"), auth::create_team(&db, &admin, "Sever"));
    assert!(a.is_ok() != b.is_ok(), "exactly one team is created: {a:?} {b:?}");
    assert!(already(&a, "name") || already(&b, "name"), "{a:?} {b:?}");

    // One after the other: the same answer, and the transaction leaves nothing behind.
    let again = auth::create_team(&db, &admin, "Sever").await;
    assert!(already(&again, "name"), "{again:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM teams WHERE name = 'Sever'").await, 1);
}
both!(concurrent_duplicates_answer_the_field);

async fn parallel_guesses_cannot_pass_the_lockout(db: Db) {
    seed(&db).await;
    user(&db, "meta@firma.rs", "Meta", "sales", None).await;
    let guesses = (0..12).map(|i| {
        let db = db.clone();
        tokio::spawn(async move { auth::sign_in(&db, "meta@firma.rs", &format!("pogresno-{i}"), "10.0.0.9").await })
    });
    let mut wrong = 0;
    let mut refused = 0;
    for g in guesses {
        match g.await.expect("task") {
            Err(AppError::Validation { problem: Problem::WrongCredentials, .. }) => wrong += 1,
            Err(AppError::Validation { problem: Problem::TooManyAttempts(_), .. }) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(wrong, auth::MAX_FAILURES as usize, "only the allowed number of guesses is checked");
    assert_eq!(refused, 12 - auth::MAX_FAILURES as usize);
    assert!(matches!(
        auth::sign_in(&db, "meta@firma.rs", PASSWORD, "10.0.0.9").await,
        Err(AppError::Validation { problem: Problem::TooManyAttempts(_), .. })
    ));
}
both!(parallel_guesses_cannot_pass_the_lockout);

async fn primary_contact_must_be_visible(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let a = team(&db, "Tim A").await;
    let b = team(&db, "Tim B").await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", Some(a)).await;
    let boris = user(&db, "boris@firma.rs", "Boris", "sales", Some(b)).await;
    let shared = new_account(&db, &ana, "Zajedničko").await;
    // An admin attaches a contact owned by team B to team A's account.
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mut input =
        ContactInput { first_name: "Tajni".into(), last_name: "Kontakt".into(), account_id: shared.to_string(), ..Default::default() };
    input.owner_id = boris.id.to_string();
    let hidden = contacts::create(&db, &admin, &input).await.expect("contact of team B");
    let mut opp = opportunity_input("Posao", shared, open[0].id, "1000");
    opp.contact_id = hidden.to_string();
    assert_eq!(
        opportunities::create(&db, &ana, &opp).await,
        Err(AppError::Validation { field: "contact_id".into(), problem: Problem::InvalidChoice })
    );
}
both!(primary_contact_must_be_visible);

// ---------------------------------------------------------------------------------------------------
// 13. Administration: user status and role, pipeline stages.
// ---------------------------------------------------------------------------------------------------

async fn deactivating_a_user_ends_their_sessions(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let (token, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, "10.0.0.1").await.expect("sign in");
    assert!(auth::session_user(&db, &token).await.unwrap().is_some());
    // Only admins manage users, and an admin cannot lock themselves out.
    assert_eq!(auth::update_user(&db, &ana, ana.id, 1, "admin", None, true, auth::RecordsOnMove::Move).await, Err(AppError::Forbidden));
    assert!(matches!(
        auth::update_user(&db, &admin, admin.id, 1, "sales", None, true, auth::RecordsOnMove::Move).await,
        Err(AppError::Validation { problem: Problem::CannotChangeSelf, .. })
    ));
    auth::update_user(&db, &admin, ana.id, 1, "manager", None, false, auth::RecordsOnMove::Move).await.expect("deactivate");
    assert!(auth::session_user(&db, &token).await.unwrap().is_none(), "sessions end with deactivation");
    assert!(matches!(
        auth::sign_in(&db, "ana@firma.rs", PASSWORD, "10.0.0.1").await,
        Err(AppError::Validation { problem: Problem::WrongCredentials, .. })
    ));
    // A second change from the old version is a conflict.
    assert_eq!(auth::update_user(&db, &admin, ana.id, 1, "sales", None, true, auth::RecordsOnMove::Move).await, Err(AppError::Conflict));
    let listed = auth::list_users(&db, &admin).await.unwrap();
    let a = listed.iter().find(|u| u.id == ana.id).unwrap();
    assert_eq!((a.role, a.active, a.version), (Role::Manager, false, 2));
}
both!(deactivating_a_user_ends_their_sessions);

async fn admin_configures_stages(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let input = |name: &str, p: &str| stages::StageInput {
        id: None,
        version: 0,
        name: name.into(),
        probability: p.into(),
        kind: "open".into(),
        active: true,
    };
    assert_eq!(stages::save(&db, &ana, input("Demo", "50")).await, Err(AppError::Forbidden));
    assert!(matches!(
        stages::save(&db, &admin, input("Demo", "150")).await,
        Err(AppError::Validation { problem: Problem::OutOfRange(0, 100), .. })
    ));
    let demo = stages::save(&db, &admin, input("Demo", "50")).await.expect("stage created");
    let all = stages::list_all(&db).await.unwrap();
    assert_eq!(all.last().map(|s| s.id), Some(demo), "a new stage goes last");
    stages::reorder(&db, &admin, demo, true).await.unwrap();
    let all = stages::list_all(&db).await.unwrap();
    assert_eq!(all[all.len() - 2].id, demo, "moved up one place");
    // A stage with opportunities cannot be switched off; the board shows the new open stage as a column.
    let account = new_account(&db, &admin, "Kupac").await;
    new_opportunity(&db, &admin, "Posao", account, demo, "1000").await;
    let s = all.iter().find(|s| s.id == demo).unwrap();
    let off = stages::StageInput {
        id: Some(demo),
        version: s.version,
        name: "Demo".into(),
        probability: "50".into(),
        kind: "open".into(),
        active: false,
    };
    assert!(matches!(stages::save(&db, &admin, off).await, Err(AppError::Validation { problem: Problem::InUse(1), .. })));
    let board = board::board(&db, &admin, &Default::default()).await.unwrap();
    assert!(board.columns.iter().any(|c| c.stage.id == demo && c.count == 1));
}
both!(admin_configures_stages);

// ---------------------------------------------------------------------------------------------------
// 17. Global search through the text index, kept in step with every write
// ---------------------------------------------------------------------------------------------------
async fn global_search_follows_writes_and_visibility(db: Db) {
    use app::domain::SearchKind;
    use app::services::search;
    seed(&db).await;
    let (north, south) = (team(&db, "Sever").await, team(&db, "Jug").await);
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", Some(north)).await;
    let boris = user(&db, "boris@firma.rs", "Boris Ilić", "sales", Some(south)).await;
    let input = AccountInput {
        name: "Đurđevak d.o.o.".into(),
        types: vec!["customer".into()],
        city: "Niš".into(),
        pib: "100002887".into(),
        ..Default::default()
    };
    let acc = accounts::create(&db, &ana, &input).await.unwrap();
    let contact = contacts::create(
        &db,
        &ana,
        &ContactInput {
            first_name: "Milica".into(),
            last_name: "Šarić".into(),
            email: "Milica.Saric@Durdjevak.rs".into(),
            mobile: "+381 64 123 4567".into(),
            account_id: acc.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (open, _, _) = open_and_closed_stages(&db).await;
    let opp = new_opportunity(&db, &ana, "Đurđevak — rashladne vitrine", acc, open[0].id, "1000").await;

    let kinds = |hits: &[app::domain::SearchHit]| hits.iter().map(|h| (h.kind, h.id)).collect::<Vec<_>>();
    // Name in any case and with or without diacritics; results ordered by name.
    for q in ["djurdjevak", "ĐURĐEVAK", "Đurđ", "jurdjev"] {
        let hits = search::global(&db, &ana, q).await.unwrap();
        assert_eq!(kinds(&hits), vec![(SearchKind::Account, acc), (SearchKind::Opportunity, opp)], "q = {q:?}");
    }
    let hits = search::global(&db, &ana, "djurdjevak").await.unwrap();
    assert_eq!(hits[0].title, "Đurđevak d.o.o.");
    assert_eq!(hits[0].detail.as_deref(), Some("Niš"));
    assert_eq!(hits[1].detail.as_deref(), Some("Đurđevak d.o.o."), "an opportunity shows its account");
    // Any part of a word: "urđev" is also inside the contact's e-mail (…@durdjevak.rs).
    assert_eq!(search::global(&db, &ana, "urđev").await.unwrap().len(), 3);
    // E-mail, phone digits, PIB, city; a two-letter query (below the trigram length) still works.
    for (q, expected) in [
        ("saric@durdj", vec![(SearchKind::Contact, contact)]),
        ("123 4567", vec![(SearchKind::Contact, contact)]),
        ("100002887", vec![(SearchKind::Account, acc)]),
        ("nis", vec![(SearchKind::Account, acc)]),
        ("ša", vec![(SearchKind::Contact, contact)]),
    ] {
        assert_eq!(kinds(&search::global(&db, &ana, q).await.unwrap()), expected, "q = {q:?}");
    }
    assert!(search::global(&db, &ana, "   ").await.unwrap().is_empty());
    assert!(search::global(&db, &ana, "\"; DROP").await.unwrap().is_empty(), "quotes are plain text");
    // Another team's salesperson finds nothing of it.
    assert!(search::global(&db, &boris, "djurdjevak").await.unwrap().is_empty());

    // Renaming moves the record in the index; deleting removes it.
    let before = contacts::get(&db, &ana, contact).await.unwrap();
    let rename = ContactInput {
        id: contact.to_string(),
        version: before.version.to_string(),
        first_name: "Milena".into(),
        last_name: "Šarić".into(),
        account_id: acc.to_string(),
        ..Default::default()
    };
    contacts::update(&db, &ana, &rename).await.unwrap();
    assert!(search::global(&db, &ana, "milica").await.unwrap().is_empty());
    assert!(search::global(&db, &ana, "saric@durdj").await.unwrap().is_empty(), "the removed e-mail is no longer found");
    assert_eq!(kinds(&search::global(&db, &ana, "milena").await.unwrap()), vec![(SearchKind::Contact, contact)]);
    contacts::delete(&db, &ana, contact, before.version + 1).await.unwrap();
    assert!(search::global(&db, &ana, "milena").await.unwrap().is_empty());

    // At most 20 hits: the newest matches of each kind, names starting with the text first, then by name.
    for i in 0..25 {
        new_account(&db, &ana, &format!("Vitrina {i:02}")).await;
    }
    let hits = search::global(&db, &ana, "vitrin").await.unwrap();
    assert_eq!(hits.len(), 20);
    assert_eq!(hits.iter().map(|h| h.title.as_str()).collect::<Vec<_>>()[..3], ["Vitrina 05", "Vitrina 06", "Vitrina 07"]);
    assert_eq!(hits[19].title, "Vitrina 24");
    let hits = search::global(&db, &ana, "e vitrin").await.unwrap();
    assert_eq!(kinds(&hits), vec![(SearchKind::Opportunity, opp)]);
    new_account(&db, &ana, "Servis za vitrine").await;
    let hits = search::global(&db, &ana, "vitrin").await.unwrap();
    assert_eq!(hits[0].title, "Vitrina 06", "the oldest Vitrina gave way to the newer match");
    assert_eq!(hits[18].title, "Vitrina 24");
    assert_eq!(hits[19].title, "Đurđevak — rashladne vitrine", "matches inside a name come after those starting with it, by name");
    // The list search uses the same index.
    let found = accounts::list(&db, &ana, &ListQuery { q: "vitrina 1".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.total, 10);
}
both!(global_search_follows_writes_and_visibility);

// ---------------------------------------------------------------------------------------------------
// 18. Forecast by owner × month × stage, worked out by hand; list counts stop at the cap
// ---------------------------------------------------------------------------------------------------
async fn forecast_by_owner_month_stage(db: Db) {
    use app::services::forecast;
    seed(&db).await;
    let (north, south) = (team(&db, "Sever").await, team(&db, "Jug").await);
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", Some(north)).await;
    let boris = user(&db, "boris@firma.rs", "Boris Ilić", "sales", Some(south)).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let (open, won, lost) = open_and_closed_stages(&db).await;
    let acc_a = new_account(&db, &ana, "Alfa").await;
    let acc_b = new_account(&db, &boris, "Beta").await;
    let mk = |name: &str, acc: i64, stage: i64, amount: &str, currency: &str, close: &str| OpportunityInput {
        name: name.into(),
        account_id: acc.to_string(),
        stage_id: stage.to_string(),
        amount: amount.into(),
        currency: currency.into(),
        close_date: close.into(),
        ..Default::default()
    };
    // Ana, December, first stage (10%): 1,000 RSD and 100 EUR (at 117.17 = 11,717 RSD).
    opportunities::create(&db, &ana, &mk("A1", acc_a, open[0].id, "1000", "RSD", "2026-12-05")).await.unwrap();
    opportunities::create(&db, &ana, &mk("A2", acc_a, open[0].id, "100", "EUR", "2026-12-20")).await.unwrap();
    // Ana, December, third stage (40%): 2,500 RSD.
    opportunities::create(&db, &ana, &mk("A3", acc_a, open[2].id, "2500", "RSD", "2026-12-31")).await.unwrap();
    // Boris, January: won 5,000 RSD (100%) and lost 7,000 RSD (0%); outside the period: March.
    // (History as an import would bring it: closed deals inserted directly.)
    for input in [mk("B1", acc_b, won.id, "5000", "RSD", "2027-01-10"), mk("B2", acc_b, lost.id, "7000", "RSD", "2027-01-11")] {
        let v = opportunities::validate(&input).unwrap();
        let mut tx = db.begin().await.unwrap();
        opportunities::insert(&mut tx, &boris, &v, None, false).await.unwrap();
        tx.commit().await.unwrap();
    }
    opportunities::create(&db, &boris, &mk("B3", acc_b, open[1].id, "9000", "RSD", "2027-03-01")).await.unwrap();

    let cells = forecast::by_owner_month_stage(&db, &admin, "2026-12-01", "2027-01-31").await.unwrap();
    let got: Vec<(String, String, i64, i64, i64, i64)> =
        cells.iter().map(|c| (c.owner_name.clone(), c.month.clone(), c.stage_id, c.count, c.total_minor, c.weighted_minor)).collect();
    assert_eq!(
        got,
        vec![
            ("Ana Petrović".into(), "2026-12".into(), open[0].id, 2, 100_000 + 1_171_700, 10_000 + 117_170),
            ("Ana Petrović".into(), "2026-12".into(), open[2].id, 1, 250_000, 100_000),
            ("Boris Ilić".into(), "2027-01".into(), won.id, 1, 500_000, 500_000),
            ("Boris Ilić".into(), "2027-01".into(), lost.id, 1, 700_000, 0),
        ]
    );
    // Visibility: Ana sees only her team's cells.
    let mine = forecast::by_owner_month_stage(&db, &ana, "2026-12-01", "2027-12-31").await.unwrap();
    assert_eq!(mine.iter().map(|c| c.owner_id).collect::<HashSet<_>>(), HashSet::from([ana.id]));
    assert_eq!(mine.iter().map(|c| c.count).sum::<i64>(), 3);

    // A list counts its matches up to the cap and then says "more".
    let sql = "INSERT INTO contacts (first_name, last_name, search_key, owner_id, team_id, created_at, updated_at, search_text) \
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) \
               SELECT 'Masovni', 'Kontakt' || i, 'masovni kontakt' || i, $1, $2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', \
               'masovni kontakt' || i FROM n";
    sqlx::query(sql).bind(ana.id).bind(north).execute(&db.pool).await.unwrap();
    let page = contacts::list(&db, &ana, &all()).await.unwrap();
    assert_eq!(page.total, app::domain::COUNT_CAP + 1);
    assert_eq!(page.rows.len(), 50);
    let page = contacts::list(&db, &ana, &ListQuery { q: "kontakt100".into(), ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 62, "kontakt100, kontakt1000…1009 and kontakt10000…10050");
    // A text matching thousands of rows takes the other query shape on SQLite (walk the name index):
    // same answers, in name order, page after page.
    let q = ListQuery { q: "masovni".into(), ..Default::default() };
    let first = contacts::list(&db, &ana, &q).await.unwrap();
    assert_eq!(first.total, app::domain::TEXT_COUNT_CAP + 1, "many matches of a text: \"100+\"");
    let names: Vec<&str> = first.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names[..3], ["Masovni Kontakt1", "Masovni Kontakt10", "Masovni Kontakt100"]);
    let second = contacts::list(&db, &ana, &ListQuery { cursor: first.next_cursor.clone().unwrap(), ..q }).await.unwrap();
    assert_eq!((names[49], second.rows[0].name.as_str()), ("Masovni Kontakt10041", "Masovni Kontakt10042"));
}
both!(forecast_by_owner_month_stage);

// ---------------------------------------------------------------------------------------------------
// 19. Records written before the search column existed are reindexed once, with the app's folding
// ---------------------------------------------------------------------------------------------------
async fn search_text_reindexed_once(db: Db) {
    use app::domain::SearchKind;
    use app::services::search;
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    // As the migration left it: SQL's lower() keeps "š" and knows no Cyrillic.
    sqlx::query(
        "INSERT INTO accounts (name, search_key, city, owner_id, created_at, updated_at, search_text) \
         VALUES ('Ђурђевак', 'djurdjevak', 'Niš', $1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'djurdjevak niš')",
    )
    .bind(ana.id)
    .execute(&db.pool)
    .await
    .unwrap();
    assert!(search::global(&db, &ana, "Niš").await.unwrap().is_empty(), "not found before the reindex");
    assert!(search::reindex_if_needed(&db).await.unwrap() >= 1);
    let hits = search::global(&db, &ana, "Niš").await.unwrap();
    assert_eq!(hits.iter().map(|h| (h.kind, h.title.as_str())).collect::<Vec<_>>(), vec![(SearchKind::Account, "Ђурђевак")]);
    assert_eq!(search::reindex_if_needed(&db).await.unwrap(), 0, "only once");
}
both!(search_text_reindexed_once);

// ---------------------------------------------------------------------------------------------------
// 20. Filter bars list each region once, in order (an index skip on SQLite, a loose index scan on Postgres)
// ---------------------------------------------------------------------------------------------------
async fn lookups_list_regions_once(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    assert!(app::services::lookups::load(&db, &ana).await.unwrap().regions.is_empty());
    for (name, region) in [("A", "Vojvodina"), ("B", "Beograd"), ("C", "Vojvodina"), ("D", ""), ("E", "Šumadija"), ("F", "Beograd")] {
        let input = AccountInput { region: region.into(), ..account_input(name) };
        accounts::create(&db, &ana, &input).await.unwrap();
    }
    let regions = app::services::lookups::load(&db, &ana).await.unwrap().regions;
    assert_eq!(regions, vec!["Beograd", "Vojvodina", "Šumadija"]);
}
both!(lookups_list_regions_once);

// ---------------------------------------------------------------------------------------------------
// 21. A pooled connection broken while idle (a database restart, a failover) is replaced before a
// request uses it: the pool skips its ping only for connections used within the last second
// ---------------------------------------------------------------------------------------------------
async fn broken_idle_connections_are_replaced(db: Db) {
    seed(&db).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", None).await;
    // Several connections open and back in the pool.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(db.pool.acquire().await.unwrap());
    }
    drop(held);
    if db.backend == app::db::Backend::Postgres {
        // The server ends every other session of this database, as a restart would.
        let mut conn = db.pool.acquire().await.unwrap();
        let ended: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert!(ended.len() >= 3, "the warm connections were ended ({} ended)", ended.len());
        drop(conn);
    }
    tokio::time::sleep(app::db::ALIVE_WITHOUT_PING + std::time::Duration::from_millis(300)).await;
    // Every request after the idle time succeeds, on whichever connection it gets.
    let mut reads = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (db, ana) = (db.clone(), ana.clone());
        reads.spawn(async move { app::services::lookups::load(&db, &ana).await.map(|_| ()) });
    }
    while let Some(r) = reads.join_next().await {
        r.unwrap().expect("a read after the idle time");
    }
}
both!(broken_idle_connections_are_replaced);

// ---------------------------------------------------------------------------------------------------
// 22. The choice lists (users, teams, stages, pick lists) come from each server's memory, and a change
// made through another server, or by hand in SQL, is seen by the next request
// ---------------------------------------------------------------------------------------------------
async fn choice_lists_follow_changes_made_anywhere(db: Db) {
    use app::services::{lookups, picklists};
    seed(&db).await;
    let north = team(&db, "Sever").await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana Petrović", "sales", Some(north)).await;
    let _marko = user(&db, "marko@firma.rs", "Marko Jovanović", "sales", Some(north)).await;
    let _zoran = user(&db, "zoran@firma.rs", "Zoran Ilić", "sales", None).await;
    // A second server on the same database: its own pool and its own copy of the lists.
    let other = Db::open(&db.url).await.expect("a second handle on the same database");
    let names = |l: &app::domain::Lookups| l.users.iter().map(|c| c.label.clone()).collect::<Vec<_>>();

    let first = lookups::load(&db, &admin).await.unwrap();
    assert_eq!(names(&first), ["Admin", "Ana Petrović", "Marko Jovanović", "Zoran Ilić"]);
    // A salesperson may assign to themselves and their team only.
    assert_eq!(names(&lookups::load(&db, &ana).await.unwrap()), ["Ana Petrović", "Marko Jovanović"]);
    assert_eq!(lookups::load(&other, &admin).await.unwrap(), first, "both servers start alike");

    // Through the other server: a stage renamed, a user added, a user deactivated, a team, a pick-list label.
    let stage = first.stages[0].clone();
    stages::save(
        &other,
        &admin,
        stages::StageInput {
            id: Some(stage.id),
            version: stage.version,
            name: "Prvi kontakt".into(),
            probability: stage.probability.to_string(),
            kind: "open".into(),
            active: true,
        },
    )
    .await
    .unwrap();
    let _jelena = user(&other, "jelena@firma.rs", "Jelena Marković", "sales", Some(north)).await;
    let zoran = auth::list_users(&other, &admin).await.unwrap().into_iter().find(|u| u.name == "Zoran Ilić").unwrap();
    auth::update_user(&other, &admin, zoran.id, zoran.version, "sales", None, false, auth::RecordsOnMove::Move).await.unwrap();
    auth::create_team(&other, &admin, "Jug").await.unwrap();
    let source = first.picklists.sources[0].clone();
    picklists::save(
        &other,
        &admin,
        &app::domain::PicklistInput {
            id: source.id.to_string(),
            version: source.version.to_string(),
            list: source.list.clone(),
            label_en: "Trade fair 2027".into(),
            label_sr: "Sajam 2027".into(),
            active: "true".into(),
        },
    )
    .await
    .unwrap();

    let seen = lookups::load(&db, &admin).await.unwrap();
    assert_eq!(seen.stages[0].name, "Prvi kontakt", "a stage renamed on another server");
    assert_eq!(names(&seen), ["Admin", "Ana Petrović", "Jelena Marković", "Marko Jovanović"], "added and deactivated users");
    assert!(seen.teams.iter().any(|t| t.label == "Jug"), "a team added on another server");
    assert_eq!(seen.picklists.sources[0].label_en, "Trade fair 2027");
    assert_eq!(names(&lookups::load(&db, &ana).await.unwrap()), ["Ana Petrović", "Jelena Marković", "Marko Jovanović"]);

    // By hand in SQL (an administrator fixing data): seen as well.
    sqlx::query("UPDATE stages SET name = 'Kvalifikacija' WHERE id = $1").bind(stage.id).execute(&other.pool).await.unwrap();
    sqlx::query("UPDATE users SET name = 'Ana Petrović-Ilić' WHERE id = $1").bind(ana.id).execute(&other.pool).await.unwrap();
    let seen = lookups::load(&db, &admin).await.unwrap();
    assert_eq!(seen.stages[0].name, "Kvalifikacija");
    assert!(names(&seen).contains(&"Ana Petrović-Ilić".to_string()));
    other.pool.close().await;
}
both!(choice_lists_follow_changes_made_anywhere);

/// Moving a user to another team moves their records with them (what a record's team is follows from
/// its owner): the new team sees them at once, the old one no longer does — unless the administrator
/// chooses to keep them with the old team.
async fn moving_a_user_moves_their_records(db: Db) {
    seed(&db).await;
    let (north, south) = (team(&db, "Sever").await, team(&db, "Jug").await);
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let mila = user(&db, "mila@firma.rs", "Mila", "sales", Some(north)).await;
    let north_mate = user(&db, "nikola@firma.rs", "Nikola", "sales", Some(north)).await;
    let south_mate = user(&db, "jovan@firma.rs", "Jovan", "sales", Some(south)).await;
    let account = new_account(&db, &mila, "Milin Kupac d.o.o.").await;
    let contact = new_contact(&db, &mila, "Petar", "Petrović", Some(account)).await;
    assert!(accounts::get(&db, &north_mate, account).await.is_ok());
    assert_eq!(accounts::get(&db, &south_mate, account).await.err(), Some(AppError::NotFound));

    let version = auth::list_users(&db, &admin).await.unwrap().into_iter().find(|u| u.id == mila.id).unwrap().version;
    auth::update_user(&db, &admin, mila.id, version, "sales", Some(south), true, auth::RecordsOnMove::Move).await.unwrap();
    assert!(accounts::get(&db, &south_mate, account).await.is_ok(), "the new team sees the moved account");
    assert!(contacts::get(&db, &south_mate, contact).await.is_ok(), "and the contact");
    assert_eq!(accounts::get(&db, &north_mate, account).await.err(), Some(AppError::NotFound), "the old team no longer does");

    // Back to the north, keeping the records in the south this time.
    let version = auth::list_users(&db, &admin).await.unwrap().into_iter().find(|u| u.id == mila.id).unwrap().version;
    auth::update_user(&db, &admin, mila.id, version, "sales", Some(north), true, auth::RecordsOnMove::Keep).await.unwrap();
    assert!(accounts::get(&db, &south_mate, account).await.is_ok(), "kept with the team it was in");
    assert_eq!(accounts::get(&db, &north_mate, account).await.err(), Some(AppError::NotFound));
    let mila = auth::user_by_id(&db, mila.id).await.unwrap();
    assert!(accounts::get(&db, &mila, account).await.is_ok(), "the owner still sees it");
}
both!(moving_a_user_moves_their_records);

/// A user changes their own password (the current one must be right, a common one is refused) and
/// every other session ends; an administrator's reset ends all of them and makes the user choose a
/// new one; a user sees and ends their sessions, and idle ones end by themselves; every attempt is in
/// the user's sign-in log, which only they and administrators read.
async fn passwords_sessions_and_the_sign_in_log(db: Db) {
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let boris = user(&db, "boris@firma.rs", "Boris", "sales", None).await;
    let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let (here, _) = auth::sign_in_from(&db, "ana@firma.rs", PASSWORD, "198.51.100.1", Some(firefox)).await.unwrap();
    let (phone, _) = auth::sign_in(&db, "ana@firma.rs", PASSWORD, "198.51.100.2").await.unwrap();
    assert!(auth::sign_in(&db, "ana@firma.rs", "pogresna-lozinka", "203.0.113.9").await.is_err());

    let sessions = auth::sessions(&db, &ana, &here).await.unwrap();
    assert_eq!(sessions.len(), 2);
    let mine = sessions.iter().find(|s| s.current).expect("this session is marked");
    assert_eq!((mine.ip.as_str(), mine.browser.as_str()), ("198.51.100.1", "Firefox · Windows"));

    let refused = |r: Result<(), AppError>, f: &str, p: Problem| assert_eq!(r, Err(invalid(f, p)));
    refused(auth::change_password(&db, &ana, &here, "pogresna", "Nova-Lozinka-2026!").await, "current_password", Problem::Incorrect);
    refused(auth::change_password(&db, &ana, &here, PASSWORD, "Lozinka123!").await, "password", Problem::CommonPassword);
    refused(auth::change_password(&db, &ana, &here, PASSWORD, "aaaaaaaaaaaa").await, "password", Problem::CommonPassword);
    refused(auth::change_password(&db, &ana, &here, PASSWORD, PASSWORD).await, "password", Problem::SameAsBefore);
    auth::change_password(&db, &ana, &here, PASSWORD, "Nova-Lozinka-2026!").await.expect("a good new password");
    assert!(auth::session_user(&db, &here).await.unwrap().is_some(), "this session stays");
    assert!(auth::session_user(&db, &phone).await.unwrap().is_none(), "every other session ends");
    assert!(auth::sign_in(&db, "ana@firma.rs", PASSWORD, "198.51.100.1").await.is_err(), "the old password is gone");

    let log = auth::sign_in_log(&db, &ana, ana.id).await.unwrap();
    let outcomes: Vec<&str> = log.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["wrong_password", "wrong_password", "ok", "ok"], "newest first");
    assert_eq!(auth::sign_in_log(&db, &boris, ana.id).await.err(), Some(AppError::NotFound), "another user's log is not theirs");
    assert_eq!(auth::sign_in_log(&db, &admin, ana.id).await.unwrap().len(), 4, "administrators read it");

    // An administrator's reset: every session ends, and the user must choose their own password.
    assert_eq!(auth::reset_password(&db, &boris, ana.id, "Privremena-2026").await, Err(AppError::Forbidden));
    auth::reset_password(&db, &admin, ana.id, "Privremena-2026").await.unwrap();
    assert!(auth::session_user(&db, &here).await.unwrap().is_none());
    let (fresh, _) = auth::sign_in(&db, "ana@firma.rs", "Privremena-2026", "198.51.100.1").await.unwrap();
    let ana_now = auth::session_user(&db, &fresh).await.unwrap().unwrap();
    assert!(ana_now.must_change_password);
    auth::change_password(&db, &ana_now, &fresh, "Privremena-2026", "Moja-Lozinka-2027").await.unwrap();
    assert!(!auth::session_user(&db, &fresh).await.unwrap().unwrap().must_change_password);

    // Ending a session elsewhere; someone else's session cannot be ended.
    let (other, _) = auth::sign_in(&db, "ana@firma.rs", "Moja-Lozinka-2027", "198.51.100.3").await.unwrap();
    let id = auth::sessions(&db, &ana, &fresh).await.unwrap().into_iter().find(|s| !s.current).unwrap().id;
    assert_eq!(auth::end_session(&db, &boris, &id).await, Err(AppError::NotFound));
    auth::end_session(&db, &ana, &id).await.unwrap();
    assert!(auth::session_user(&db, &other).await.unwrap().is_none());
    assert_eq!(auth::end_session(&db, &ana, "not-an-id").await, Err(AppError::NotFound));

    // A session unused for longer than the idle limit ends.
    let long_ago = app::clock::stamp(chrono::Utc::now() - chrono::Duration::hours(auth::idle_hours() + 1));
    sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(long_ago).execute(&db.pool).await.unwrap();
    assert!(auth::session_user(&db, &fresh).await.unwrap().is_none(), "an idle session ends");
}
both!(passwords_sessions_and_the_sign_in_log);

/// Exports are counted per user and hour and refused past the limit (`VEZA_EXPORTS_PER_HOUR`, 60 by
/// default), saying the limit; each is kept in the user's usage log, which only they and
/// administrators read. Another user's count is their own.
async fn exports_are_limited_per_user_and_logged(db: Db) {
    use app::services::limits::{record, uses, Use};
    seed(&db).await;
    let admin = user(&db, "admin@firma.rs", "Admin", "admin", None).await;
    let ana = user(&db, "ana@firma.rs", "Ana", "sales", None).await;
    let boris = user(&db, "boris@firma.rs", "Boris", "sales", None).await;
    let limit = Use::Export.per_hour();
    for i in 0..limit {
        record(&db, &ana, Use::Export, &format!("/export/contacts.xlsx?page={i}")).await.expect("within the limit");
    }
    assert_eq!(record(&db, &ana, Use::Export, "/export/contacts.xlsx").await, Err(invalid("export", Problem::RateLimited(limit))));
    record(&db, &boris, Use::Export, "/export/accounts.csv").await.expect("another user's count is their own");
    let log = uses(&db, &ana, ana.id).await.unwrap();
    assert_eq!(log.len() as i64, limit, "the refused export is not logged as taken");
    assert_eq!((log[0].kind.as_str(), log[0].detail.as_str()), ("export", format!("/export/contacts.xlsx?page={}", limit - 1).as_str()));
    assert_eq!(uses(&db, &boris, ana.id).await.err(), Some(AppError::NotFound));
    assert_eq!(uses(&db, &admin, ana.id).await.unwrap().len() as i64, limit);
}
both!(exports_are_limited_per_user_and_logged);

// ---------------------------------------------------------------------------------------------------
// Two-factor sign-in
// ---------------------------------------------------------------------------------------------------

#[path = "services/two_factor.rs"]
mod two_factor;
