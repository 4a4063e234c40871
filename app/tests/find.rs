//! Integration tests of advanced find: every operator kind and every related-record path of the
//! query compiler against a hand-built data set, visibility of results and of related records, paging,
//! id batches, and saved views — each on a fresh SQLite file and a fresh Postgres database.
//!
//! Run: `cargo test -p app --features ssr --test find`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::find::{Cond, Entity, FindQuery, Group, Node, Op, Quantifier, Related, ViewInput, ME, MY_TEAM};
use app::domain::{AccountInput, ActivityInput, ContactInput, LeadInput};
use app::error::{AppError, Problem};
use app::services::{accounts, activities, contacts, find, leads, Actor};

fn c(field: &str, op: Op, values: &[&str]) -> Node {
    Node::Cond(Cond { field: field.into(), op, values: values.iter().map(|s| s.to_string()).collect() })
}

fn all_of(items: Vec<Node>) -> Group {
    Group { any: false, items }
}

fn any_of(items: Vec<Node>) -> Node {
    Node::Group(Group { any: true, items })
}

fn rel(rel: &str, quantifier: Quantifier, items: Vec<Node>) -> Node {
    Node::Related(Related { rel: rel.into(), quantifier, group: all_of(items), ..Default::default() })
}

fn q(entity: Entity, items: Vec<Node>) -> FindQuery {
    FindQuery { entity, root: all_of(items), ..Default::default() }
}

/// The names (first column) of every match, in the query's order.
async fn names(db: &Db, actor: &Actor, query: &FindQuery) -> Vec<String> {
    let rows = find::all_rows(db, actor, query, 10_000).await.unwrap_or_else(|e| panic!("{query:?}: {e:?}"));
    rows.into_iter().map(|r| r.cells[0].clone().unwrap_or_default()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

async fn account(db: &Db, actor: &Actor, name: &str, category: &str, region: &str, city: &str, types: &[&str]) -> i64 {
    let input = AccountInput {
        name: name.into(),
        category: category.into(),
        region: region.into(),
        city: city.into(),
        types: types.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    };
    accounts::create(db, actor, &input).await.expect("account")
}

async fn set(db: &Db, sql: &str, value: &str, id: i64) {
    sqlx::query(sql).bind(value.to_string()).bind(id).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The hand-built data set: two teams; accounts across regions and categories; contacts with roles;
/// deals won, lost and open; calls completed long ago and recently; leads of each rating.
struct World {
    marko: Actor,
    ana: Actor,
    admin: Actor,
}

async fn world(db: &Db) -> World {
    seed(db).await;
    let beograd = team(db, "Beograd").await;
    let nis = team(db, "Niš").await;
    let admin = user(db, "admin@veza.rs", "Admin", "admin", None).await;
    let marko = user(db, "marko@veza.rs", "Marko", "sales", Some(beograd)).await;
    let ana = user(db, "ana@veza.rs", "Ana", "sales", Some(nis)).await;
    let (open, won, lost) = open_and_closed_stages(db).await;

    let kg = account(db, &marko, "Šumadija Promet", "A", "Šumadija", "Kragujevac", &["customer"]).await;
    let gm = account(db, &marko, "Gornji Milanovac Trade", "A", "Šumadija", "Gornji Milanovac", &["customer", "partner"]).await;
    let ar = account(db, &marko, "Aranđelovac Voda", "B", "Šumadija", "Aranđelovac", &["prospect"]).await;
    let bg = account(db, &marko, "Beogradski Čelik", "A", "Beograd", "Beograd", &["customer"]).await;
    let ns = account(db, &ana, "Niška Pivara", "A", "Šumadija", "Niš", &["customer"]).await; // another team's
    set(db, "UPDATE accounts SET industry = $1 WHERE id = $2", "Građevina", bg).await;

    let petar = contacts::create(
        db,
        &marko,
        &ContactInput {
            first_name: "Petar".into(),
            last_name: "Đorđević".into(),
            account_id: kg.to_string(),
            buying_role: "decision_maker".into(),
            email: "petar@sumadija.rs".into(),
            ..Default::default()
        },
    )
    .await
    .expect("contact");
    let _jelena = contacts::create(
        db,
        &marko,
        &ContactInput {
            first_name: "Jelena".into(),
            last_name: "Jovanović".into(),
            account_id: bg.to_string(),
            job_title: "Nabavka".into(),
            ..Default::default()
        },
    )
    .await
    .expect("contact");
    new_contact(db, &ana, "Nikola", "Nikolić", Some(ns)).await;

    // Deals: Kragujevac won 2,000,000 this year; GM lost; Aranđelovac open 500,000 in Proposal.
    let won_kg = closed_opportunity(db, &marko, "Kragujevac oprema", kg, won.id, "2000000").await;
    let lost_gm = closed_opportunity(db, &marko, "GM linija", gm, lost.id, "300000").await;
    let open_ar = new_opportunity(db, &marko, "Voda punionica", ar, open[3].id, "500000").await;
    let year = app::clock::today().format("%Y").to_string();
    set(db, "UPDATE opportunities SET closed_at = $1 WHERE id = $2", &format!("{year}-01-15T10:00:00.000Z"), won_kg).await;
    set(db, "UPDATE opportunities SET closed_at = $1 WHERE id = $2", &format!("{year}-01-20T10:00:00.000Z"), lost_gm).await;
    set(db, "UPDATE opportunities SET contact_id = CAST($1 AS INTEGER) WHERE id = $2", &petar.to_string(), won_kg).await;
    let _ = open_ar;

    // Calls: Kragujevac completed 10 days ago; GM completed 200 days ago; Beograd has an open call only.
    let call = |regarding: i64| ActivityInput {
        kind: "call".into(),
        subject: "Poziv".into(),
        starts_at: "2026-01-10T10:00".into(),
        regarding_kind: "account".into(),
        regarding_id: regarding.to_string(),
        ..Default::default()
    };
    let recent = activities::create(db, &marko, &call(kg)).await.expect("call");
    let old = activities::create(db, &marko, &call(gm)).await.expect("call");
    activities::create(db, &marko, &call(bg)).await.expect("open call");
    let ago = |days: i64| app::clock::day_start(app::clock::today() - chrono::Duration::days(days));
    for (id, days) in [(recent, 10), (old, 200)] {
        sqlx::query("UPDATE activities SET status = 'completed', completed_at = $1 WHERE id = $2")
            .bind(ago(days))
            .bind(id)
            .execute(&db.pool)
            .await
            .expect("complete");
    }

    for (company, rating) in [("Vruć lead", "hot"), ("Mlak lead", "warm"), ("Hladan lead", "cold")] {
        leads::create(
            db,
            &marko,
            &LeadInput { company: company.into(), last_name: "Kontakt".into(), rating: rating.into(), ..Default::default() },
        )
        .await
        .expect("lead");
    }
    World { marko, ana, admin }
}

async fn fields_and_operators(db: Db) {
    let w = world(&db).await;
    let m = &w.marko;
    let acc = |items| q(Entity::Account, items);
    // Choices: equals, one of, not one of, empty.
    assert_eq!(
        sorted(names(&db, m, &acc(vec![c("region", Op::Eq, &["Šumadija"])])).await),
        s(&["Aranđelovac Voda", "Gornji Milanovac Trade", "Šumadija Promet"]),
        "another team's account in the region stays invisible"
    );
    assert_eq!(names(&db, &w.admin, &acc(vec![c("region", Op::Eq, &["Šumadija"])])).await.len(), 4);
    assert_eq!(sorted(names(&db, m, &acc(vec![c("category", Op::OneOf, &["B", "C"])])).await), s(&["Aranđelovac Voda"]));
    assert_eq!(names(&db, m, &acc(vec![c("category", Op::NotOneOf, &["A"])])).await, s(&["Aranđelovac Voda"]));
    assert_eq!(names(&db, m, &acc(vec![c("industry", Op::NotEmpty, &[])])).await, s(&["Beogradski Čelik"]));
    assert_eq!(names(&db, m, &acc(vec![c("industry", Op::Empty, &[])])).await.len(), 3);
    // A set of codes: relationship types.
    assert_eq!(names(&db, m, &acc(vec![c("types", Op::Eq, &["partner"])])).await, s(&["Gornji Milanovac Trade"]));
    assert_eq!(names(&db, m, &acc(vec![c("types", Op::NotOneOf, &["customer"])])).await, s(&["Aranđelovac Voda"]));
    // Text blind to case and diacritics: contains, starts with, equals, not contains.
    assert_eq!(names(&db, m, &acc(vec![c("name", Op::Contains, &["CELIK"])])).await, s(&["Beogradski Čelik"]));
    assert_eq!(names(&db, m, &acc(vec![c("name", Op::StartsWith, &["sumad"])])).await, s(&["Šumadija Promet"]));
    assert_eq!(names(&db, m, &acc(vec![c("city", Op::Eq, &["arandjelovac"])])).await, s(&["Aranđelovac Voda"]));
    assert_eq!(names(&db, m, &acc(vec![c("city", Op::StartsWith, &["GORNJI"])])).await, s(&["Gornji Milanovac Trade"]));
    assert_eq!(names(&db, m, &acc(vec![c("industry", Op::Contains, &["gradj"])])).await, s(&["Beogradski Čelik"]));
    assert_eq!(names(&db, m, &acc(vec![c("city", Op::NotContains, &["a"])])).await, Vec::<String>::new());
    // Owner and team by "me" / "my team".
    assert_eq!(names(&db, m, &acc(vec![c("owner", Op::Eq, &[ME])])).await.len(), 4);
    assert_eq!(names(&db, &w.ana, &acc(vec![c("owner", Op::Eq, &[ME])])).await, s(&["Niška Pivara"]));
    assert_eq!(names(&db, &w.admin, &acc(vec![c("team", Op::Eq, &[MY_TEAM])])).await.len(), 0, "a user without a team");
    // Dates: created today, in the last days, this year; nothing older.
    assert_eq!(names(&db, m, &acc(vec![c("created_at", Op::LastDays, &["1"])])).await.len(), 4);
    assert_eq!(names(&db, m, &acc(vec![c("created_at", Op::ThisYear, &[])])).await.len(), 4);
    assert_eq!(names(&db, m, &acc(vec![c("created_at", Op::OlderThanDays, &["1"])])).await.len(), 0);
    let today = app::clock::today().format("%Y-%m-%d").to_string();
    assert_eq!(names(&db, m, &acc(vec![c("created_at", Op::Eq, &[&today])])).await.len(), 4);
    assert_eq!(names(&db, m, &acc(vec![c("created_at", Op::AtMost, &["2000-01-01"])])).await.len(), 0);
    // OR groups nested in AND.
    let either = acc(vec![c("category", Op::Eq, &["A"]), any_of(vec![c("city", Op::Eq, &["Beograd"]), c("types", Op::Eq, &["partner"])])]);
    assert_eq!(sorted(names(&db, m, &either).await), s(&["Beogradski Čelik", "Gornji Milanovac Trade"]));

    // Opportunities: money in the base currency, numbers, calendar dates, the stage's outcome.
    let opp = |items| q(Entity::Opportunity, items);
    assert_eq!(names(&db, m, &opp(vec![c("amount", Op::AtLeast, &["1.000.000"])])).await, s(&["Kragujevac oprema"]));
    assert_eq!(names(&db, m, &opp(vec![c("amount", Op::Between, &["400000", "600000"])])).await, s(&["Voda punionica"]));
    assert_eq!(names(&db, m, &opp(vec![c("outcome", Op::Eq, &["lost"])])).await, s(&["GM linija"]));
    assert_eq!(
        names(&db, m, &opp(vec![c("probability", Op::AtLeast, &["50"]), c("outcome", Op::Eq, &["open"])])).await,
        s(&["Voda punionica"])
    );
    assert_eq!(names(&db, m, &opp(vec![c("close_date", Op::Between, &["2026-12-01", "2026-12-31"])])).await.len(), 3);
    assert_eq!(names(&db, m, &opp(vec![c("closed_at", Op::Empty, &[])])).await, s(&["Voda punionica"]));
    // EUR deals compare converted: 10,000 EUR is over 1,000,000 RSD at any realistic rate.
    sqlx::query("UPDATE opportunities SET currency = 'EUR', amount_minor = 1000000 WHERE name = 'Voda punionica'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        sorted(names(&db, m, &opp(vec![c("amount", Op::AtLeast, &["1000000"])])).await),
        s(&["Kragujevac oprema", "Voda punionica"])
    );

    // Leads: rating and status.
    let lead = |items| q(Entity::Lead, items);
    assert_eq!(names(&db, m, &lead(vec![c("rating", Op::OneOf, &["hot", "warm"]), c("status", Op::Eq, &["new"])])).await.len(), 2);
    // Contacts: role, e-mail domain.
    let con = |items| q(Entity::Contact, items);
    assert_eq!(names(&db, m, &con(vec![c("buying_role", Op::Eq, &["decision_maker"])])).await, s(&["Petar Đorđević"]));
    assert_eq!(names(&db, m, &con(vec![c("email", Op::Contains, &["@sumadija.rs"])])).await, s(&["Petar Đorđević"]));
    assert_eq!(names(&db, m, &con(vec![c("name", Op::Contains, &["djordj"])])).await, s(&["Petar Đorđević"]));
}
both!(fields_and_operators);

async fn related_records(db: Db) {
    let w = world(&db).await;
    let m = &w.marko;
    // The example: accounts in Šumadija, category A, no completed activity in the last 90 days.
    let stale = q(
        Entity::Account,
        vec![
            c("region", Op::Eq, &["Šumadija"]),
            c("category", Op::Eq, &["A"]),
            rel("activities", Quantifier::HasNone, vec![c("status", Op::Eq, &["completed"]), c("completed_at", Op::LastDays, &["90"])]),
        ],
    );
    assert_eq!(names(&db, m, &stale).await, s(&["Gornji Milanovac Trade"]));
    // An account's opportunities: has an open one; has a lost one; won revenue this year.
    let acc = |items| q(Entity::Account, items);
    assert_eq!(
        names(&db, m, &acc(vec![rel("opportunities", Quantifier::Has, vec![c("outcome", Op::Eq, &["open"])])])).await,
        s(&["Aranđelovac Voda"])
    );
    assert_eq!(
        names(&db, m, &acc(vec![rel("opportunities", Quantifier::HasNone, vec![])])).await,
        s(&["Beogradski Čelik"]),
        "has no opportunity at all"
    );
    let revenue = |op: Op, v: &[&str]| {
        acc(vec![Node::Related(Related {
            rel: "opportunities".into(),
            quantifier: Quantifier::Total,
            group: all_of(vec![c("outcome", Op::Eq, &["won"]), c("closed_at", Op::ThisYear, &[])]),
            total_op: Some(op),
            total_values: v.iter().map(|x| x.to_string()).collect(),
        })])
    };
    assert_eq!(names(&db, m, &revenue(Op::AtLeast, &["1000000"])).await, s(&["Šumadija Promet"]));
    assert_eq!(names(&db, m, &revenue(Op::AtMost, &["0"])).await.len(), 3, "no won revenue sums to zero");
    // An account's contacts.
    assert_eq!(
        names(&db, m, &acc(vec![rel("contacts", Quantifier::Has, vec![c("buying_role", Op::Eq, &["decision_maker"])])])).await,
        s(&["Šumadija Promet"])
    );
    // A contact's account; an opportunity's account and contact; a contact's opportunities.
    let con =
        q(Entity::Contact, vec![rel("account", Quantifier::Has, vec![c("region", Op::Eq, &["Šumadija"]), c("category", Op::Eq, &["A"])])]);
    assert_eq!(names(&db, m, &con).await, s(&["Petar Đorđević"]));
    assert_eq!(names(&db, &w.admin, &con).await.len(), 2, "the admin also sees the other team's contact");
    let opp = q(Entity::Opportunity, vec![rel("account", Quantifier::Has, vec![c("city", Op::Eq, &["Kragujevac"])])]);
    assert_eq!(names(&db, m, &opp).await, s(&["Kragujevac oprema"]));
    let opp = q(Entity::Opportunity, vec![rel("contact", Quantifier::Has, vec![c("last_name", Op::StartsWith, &["djor"])])]);
    assert_eq!(names(&db, m, &opp).await, s(&["Kragujevac oprema"]));
    let con = q(Entity::Contact, vec![rel("opportunities", Quantifier::Has, vec![c("outcome", Op::Eq, &["won"])])]);
    assert_eq!(names(&db, m, &con).await, s(&["Petar Đorđević"]));
    // Activities regarding a lead: none yet.
    let leads_q = q(Entity::Lead, vec![rel("activities", Quantifier::Has, vec![])]);
    assert!(names(&db, m, &leads_q).await.is_empty());
    // Related records are restricted too: Ana cannot find Marko's accounts through her own records,
    // and Marko does not learn that Ana's account has contacts.
    let ana_q = q(Entity::Account, vec![rel("contacts", Quantifier::Has, vec![])]);
    assert_eq!(names(&db, &w.ana, &ana_q).await, s(&["Niška Pivara"]));
    assert_eq!(sorted(names(&db, m, &ana_q).await), s(&["Beogradski Čelik", "Šumadija Promet"]));
}
both!(related_records);

/// Counts read their own statement (conditions on a parent record as joins) and agree with the rows,
/// visibility of the parent included; text conditions find the same rows whatever their case or
/// diacritics (on Postgres with an `ILIKE` arm beside the folded comparison).
async fn counts_agree_with_the_rows(db: Db) {
    let w = world(&db).await;
    // Marko's contact at Ana's account: Marko sees the contact, not the account.
    sqlx::query("UPDATE contacts SET account_id = (SELECT id FROM accounts WHERE name = 'Niška Pivara') WHERE first_name = 'Jelena'")
        .execute(&db.pool)
        .await
        .unwrap();
    let in_region = |region: &str, more: Vec<Node>| {
        let mut items = vec![rel("account", Quantifier::Has, vec![c("region", Op::Eq, &[region])])];
        items.extend(more);
        q(Entity::Contact, items)
    };
    let queries = [
        (in_region("Šumadija", vec![]), 1, 3),
        (in_region("Šumadija", vec![c("job_title", Op::Contains, &["NABAV"])]), 0, 1),
        (in_region("Šumadija", vec![c("buying_role", Op::Eq, &["decision_maker"]), c("last_name", Op::StartsWith, &["djor"])]), 1, 1),
        (in_region("Beograd", vec![]), 0, 0),
        (q(Entity::Contact, vec![c("job_title", Op::Eq, &["nabavka"])]), 1, 1),
        (
            q(
                Entity::Contact,
                vec![any_of(vec![
                    rel("account", Quantifier::Has, vec![c("category", Op::Eq, &["B"])]),
                    c("first_name", Op::Eq, &["petar"]),
                ])],
            ),
            1,
            1,
        ),
        (q(Entity::Account, vec![c("industry", Op::Contains, &["GRADJ"])]), 1, 1),
        (
            q(
                Entity::Opportunity,
                vec![rel("account", Quantifier::Has, vec![c("region", Op::Eq, &["Šumadija"])]), rel("contact", Quantifier::Has, vec![])],
            ),
            1,
            1,
        ),
    ];
    for (query, marko, admin) in queries {
        for (actor, expected) in [(&w.marko, marko), (&w.admin, admin)] {
            let rows = names(&db, actor, &query).await;
            assert_eq!(rows.len(), expected, "{} finds {rows:?} in {query:?}", actor.email);
            assert_eq!(find::count(&db, actor, &query).await.unwrap(), expected as i64, "{} counts {query:?}", actor.email);
            assert_eq!(find::count_all(&db, actor, &query).await.unwrap(), expected as i64, "{} counts all {query:?}", actor.email);
            assert_eq!(find::run(&db, actor, &query, "").await.unwrap().total, expected as i64);
        }
    }
}
both!(counts_agree_with_the_rows);

async fn paging_batches_and_bad_queries(db: Db) {
    let w = world(&db).await;
    let m = &w.marko;
    for i in 0..120 {
        new_account(&db, m, &format!("Firma {i:03}")).await;
    }
    let mut query = q(Entity::Account, vec![c("name", Op::StartsWith, &["firma"])]);
    query.desc = true;
    let first = find::run(&db, m, &query, "").await.expect("page");
    assert_eq!((first.rows.len(), first.total), (50, 120));
    assert_eq!(first.rows[0].cells[0].as_deref(), Some("Firma 119"));
    let second = find::run(&db, m, &query, first.next_cursor.as_deref().unwrap()).await.expect("page 2");
    assert_eq!(second.rows[0].cells[0].as_deref(), Some("Firma 069"));
    // Batches by id continue where they stopped.
    let a = find::id_batch(&db, m, &query, 0, 100).await.expect("batch");
    let b = find::id_batch(&db, m, &query, *a.last().unwrap(), 100).await.expect("batch");
    assert_eq!((a.len(), b.len()), (100, 20));
    assert!(b[0] > *a.last().unwrap());
    assert_eq!(find::count_all(&db, m, &query).await.unwrap(), 120);
    // Chosen columns come back in order; an unknown sort falls back.
    query.columns = vec!["city".into(), "name".into()];
    query.sort = "nonsense".into();
    let r = find::run(&db, m, &query, "").await.expect("columns");
    assert_eq!(r.columns, vec!["city", "name"]);
    // Bad queries are refused with the field named, never run.
    let bad = q(Entity::Account, vec![c("name; DROP TABLE accounts", Op::Eq, &["x"])]);
    assert_eq!(find::run(&db, m, &bad, "").await.map(|_| ()), Err(invalid("query", Problem::InvalidChoice)));
    let bad = q(Entity::Opportunity, vec![c("amount", Op::AtLeast, &["mnogo"])]);
    assert_eq!(find::run(&db, m, &bad, "").await.map(|_| ()), Err(invalid("amount", Problem::InvalidNumber)));
    // A value that looks like SQL is only ever a value.
    let sly = q(Entity::Account, vec![c("city", Op::Eq, &["x' OR '1'='1"])]);
    assert!(names(&db, m, &sly).await.is_empty());
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM accounts").await, 125);
}
both!(paging_batches_and_bad_queries);

async fn saved_views_are_shared_as_chosen(db: Db) {
    let w = world(&db).await;
    let beograd_colleague = user(&db, "mila@veza.rs", "Mila", "sales", w.marko.team_id).await;
    let query = q(Entity::Account, vec![c("region", Op::Eq, &["Šumadija"])]);
    let input =
        |name: &str, sharing: &str| ViewInput { name: name.into(), sharing: sharing.into(), query: query.to_param(), ..Default::default() };
    let private = find::views::save(&db, &w.marko, &input("Moji", "private")).await.expect("private view");
    let team = find::views::save(&db, &w.marko, &input("Šumadija tim", "team")).await.expect("team view");
    let everyone = find::views::save(&db, &w.marko, &input("Šumadija svi", "everyone")).await.expect("everyone's view");
    let listed = |v: Vec<app::domain::find::SavedView>| v.into_iter().map(|v| v.id).collect::<Vec<_>>();
    assert_eq!(
        sorted_ids(listed(find::views::list(&db, &w.marko, Some(Entity::Account)).await.unwrap())),
        sorted_ids(vec![private, team, everyone])
    );
    assert_eq!(
        sorted_ids(listed(find::views::list(&db, &beograd_colleague, Some(Entity::Account)).await.unwrap())),
        sorted_ids(vec![team, everyone])
    );
    assert_eq!(listed(find::views::list(&db, &w.ana, Some(Entity::Account)).await.unwrap()), vec![everyone]);
    assert!(find::views::list(&db, &w.ana, Some(Entity::Contact)).await.unwrap().is_empty());
    assert_eq!(find::views::get(&db, &w.ana, private).await.map(|_| ()), Err(AppError::NotFound));
    // A shared view runs with the runner's visibility: Ana sees only her team's account in Šumadija.
    let v = find::views::get(&db, &w.ana, everyone).await.expect("shared");
    assert!(!v.editable);
    assert_eq!(names(&db, &w.ana, &v.query).await, s(&["Niška Pivara"]));
    assert_eq!(names(&db, &w.marko, &v.query).await.len(), 3);
    // Only the owner edits or deletes; a stale version is a conflict.
    let change = ViewInput { id: everyone.to_string(), version: "1".into(), ..input("Preimenovan", "everyone") };
    assert_eq!(find::views::save(&db, &w.ana, &change).await, Err(AppError::NotFound));
    find::views::save(&db, &w.marko, &change).await.expect("owner renames");
    assert_eq!(find::views::save(&db, &w.marko, &change).await, Err(AppError::Conflict));
    assert_eq!(find::views::delete(&db, &w.ana, everyone, 2).await, Err(AppError::NotFound));
    find::views::delete(&db, &w.admin, everyone, 2).await.expect("an admin deletes");
    // Bad input names the field.
    assert_eq!(find::views::save(&db, &w.marko, &input(" ", "team")).await, Err(invalid("name", Problem::Required)));
    assert_eq!(find::views::save(&db, &w.marko, &input("X", "world")).await, Err(invalid("sharing", Problem::InvalidChoice)));
    let broken =
        ViewInput { query: "{\"entity\":\"account\",\"root\":{\"items\":[{\"cond\":{\"field\":\"x\"}}]}}".into(), ..input("X", "private") };
    assert_eq!(find::views::save(&db, &w.marko, &broken).await, Err(invalid("query", Problem::InvalidChoice)));
    assert_eq!(
        find::views::save(&db, &w.admin, &input("Tim", "team")).await,
        Err(invalid("sharing", Problem::InvalidChoice)),
        "no team to share with"
    );
    assert!(count(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'saved_view'").await >= 4);
}
both!(saved_views_are_shared_as_chosen);

fn sorted_ids(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}
