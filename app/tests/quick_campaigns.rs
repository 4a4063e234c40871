//! Integration tests of quick campaigns: distribution of one activity per member of a static list, a
//! dynamic list or an advanced-find result — round-robin counts per user across batches, contact
//! preferences and inactive records skipped with their reasons, visibility of members and of the
//! campaign, progress per assignee, bad input — each on a fresh SQLite file and a fresh Postgres
//! database.
//!
//! Run: `cargo test -p app --features ssr --test quick_campaigns`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::find::{Cond, Entity, FindQuery, Group, Node, Op};
use app::domain::marketing::MarketingListInput;
use app::domain::quick_campaign::QuickCampaignInput;
use app::domain::CompleteInput;
use app::error::{AppError, Problem};
use app::services::{activities, job_runner, marketing, quick_campaigns, Actor};

/// Inserts `n` contacts of `owner` at `account` directly (fast), named "Kontakt <prefix><i>".
async fn contacts(db: &Db, owner: &Actor, account: i64, prefix: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    let at = app::db::now();
    for i in 0..n {
        let last = format!("{prefix}{i:04}");
        let id: i64 = sqlx::query(
            "INSERT INTO contacts (first_name, last_name, search_key, search_text, account_id, owner_id, team_id, created_at, updated_at) \
             VALUES ('Kontakt', $1, $2, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&last)
        .bind(format!("kontakt {}", last.to_lowercase()))
        .bind(account)
        .bind(owner.id)
        .bind(owner.team_id)
        .bind(&at)
        .fetch_one(&db.pool)
        .await
        .map(|r| sqlx::Row::get::<i64, _>(&r, "id"))
        .expect("insert contact");
        ids.push(id);
    }
    ids
}

async fn run_jobs(db: &Db) {
    job_runner::run_pending(db, "test-runner").await.expect("jobs run");
}

fn calls(list: i64, rule: &str, assignees: &str) -> QuickCampaignInput {
    QuickCampaignInput {
        list_id: list.to_string(),
        activity_kind: "call".into(),
        subject: "Poziv kupcima".into(),
        description: "Predstaviti novu ponudu".into(),
        due: "2026-12-15".into(),
        assign_rule: rule.into(),
        assignees: assignees.into(),
        ..Default::default()
    }
}

async fn static_list(db: &Db, actor: &Actor, name: &str, members: &[i64]) -> i64 {
    let id = marketing::create(
        db,
        actor,
        &MarketingListInput {
            name: name.into(),
            member_kind: "contact".into(),
            list_type: "static".into(),
            currency: "RSD".into(),
            ..Default::default()
        },
    )
    .await
    .expect("list");
    for chunk in members.chunks(500) {
        marketing::members::add(db, actor, id, chunk).await.expect("members");
    }
    id
}

async fn per_owner(db: &Db, campaign: i64) -> Vec<(i64, i64)> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT owner_id, COUNT(*) AS n FROM activities WHERE quick_campaign_id = $1 GROUP BY owner_id ORDER BY owner_id",
    )
    .bind(campaign)
    .fetch_all(&db.pool)
    .await
    .expect("per owner")
}

async fn a_list_is_shared_out_among_salespeople(db: Db) {
    seed(&db).await;
    let beograd = team(&db, "Beograd").await;
    let nis = team(&db, "Niš").await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(beograd)).await;
    let mila = user(&db, "mila@veza.rs", "Mila", "sales", Some(beograd)).await;
    let milan = user(&db, "milan@veza.rs", "Milan", "marketing", Some(beograd)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(nis)).await;
    let acc = new_account(&db, &marko, "Šumadija Promet").await;
    let closed = new_account(&db, &marko, "Zatvorena Firma").await;
    sqlx::query("UPDATE accounts SET inactive = 1 WHERE id = $1").bind(closed).execute(&db.pool).await.unwrap();
    // 450 reachable contacts (more than two batches), one who asked not to be called, one at an
    // inactive account, and one of another team that the marketer cannot see.
    let mut members = contacts(&db, &marko, acc, "A", 450).await;
    let quiet = contacts(&db, &marko, acc, "Q", 1).await[0];
    sqlx::query("UPDATE contacts SET do_not_call = 1 WHERE id = $1").bind(quiet).execute(&db.pool).await.unwrap();
    let gone = contacts(&db, &marko, closed, "Z", 1).await[0];
    members.extend([quiet, gone]);
    let list = static_list(&db, &milan, "Šumadija kupci", &members).await;
    let foreign_acc = new_account(&db, &ana, "Niška Firma").await;
    let foreign = contacts(&db, &ana, foreign_acc, "N", 1).await[0];
    assert!(
        marketing::members::add(&db, &milan, list, &[foreign]).await.map(|c| c.added).unwrap_or(0) == 0,
        "an invisible contact is not added"
    );

    let preview = quick_campaigns::preview(&db, &milan, &list.to_string(), "").await.expect("preview");
    assert_eq!((preview.members, preview.member_kind.as_str()), (452, "contact"));

    let rr = format!("{},{}", marko.id, mila.id);
    let id = quick_campaigns::start(&db, &milan, &calls(list, "round_robin", &rr)).await.expect("start");
    run_jobs(&db).await;
    let c = quick_campaigns::get(&db, &milan, id).await.expect("campaign");
    assert_eq!((c.status.as_str(), c.total, c.created_count, c.skipped_count), ("done", 452, 450, 2));
    let mut skipped = c.skipped.clone();
    skipped.sort();
    assert_eq!(skipped, vec![("do_not_call".to_string(), 1), ("inactive".to_string(), 1)]);
    // Shared in turn: 225 each, across batches.
    let mut expected = vec![(marko.id, 225), (mila.id, 225)];
    expected.sort();
    assert_eq!(per_owner(&db, id).await, expected);
    assert_eq!(
        c.progress.iter().map(|p| (p.name.as_str(), p.open, p.completed)).collect::<Vec<_>>(),
        vec![("Marko", 225, 0), ("Mila", 225, 0)]
    );
    // Each activity is about its member, in the account's timeline, due as asked, audited as created.
    assert_eq!(
        count_for(
            &db,
            "SELECT COUNT(*) AS n FROM activities WHERE quick_campaign_id = $1 AND regarding_kind = 'contact' AND account_id IS NOT NULL",
            id
        )
        .await,
        450
    );
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'activity' AND action = 'create' AND field = 'quick_campaign_id' AND new_value = CAST($1 AS TEXT)", id).await, 450);
    assert_eq!(
        count_for(&db, "SELECT COUNT(*) AS n FROM activities WHERE regarding_id = $1 AND quick_campaign_id IS NOT NULL", quiet).await,
        0
    );

    // Mila completes one call: the campaign's page counts it.
    let (aid, version): (i64, i64) =
        sqlx::query_as("SELECT id, version FROM activities WHERE quick_campaign_id = $1 AND owner_id = $2 ORDER BY id LIMIT 1")
            .bind(id)
            .bind(mila.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    activities::complete(
        &db,
        &mila,
        &CompleteInput { id: aid.to_string(), version: version.to_string(), outcome: "Zainteresovan".into(), ..Default::default() },
    )
    .await
    .expect("Mila completes her call");
    let c = quick_campaigns::get(&db, &marko, id).await.expect("a team member sees the campaign");
    let mila_row = c.progress.iter().find(|p| p.user_id == mila.id).unwrap();
    assert_eq!((mila_row.open, mila_row.completed), (224, 1));
    // Its members page pages by member and filters by outcome.
    let page = quick_campaigns::members(&db, &milan, id, "skipped", 0).await.expect("members");
    assert_eq!(page.rows.iter().map(|r| r.reason.clone().unwrap_or_default()).collect::<Vec<_>>(), vec!["do_not_call", "inactive"]);
    let page = quick_campaigns::members(&db, &milan, id, "", 0).await.expect("members");
    assert_eq!(page.rows.len(), 50);
    assert!(page.next_cursor.is_some());

    // Another team sees neither the campaign nor its activities.
    assert_eq!(quick_campaigns::get(&db, &ana, id).await.map(|_| ()), Err(AppError::NotFound));
    assert!(quick_campaigns::list(&db, &ana, None).await.unwrap().is_empty());
    assert_eq!(quick_campaigns::list(&db, &marko, None).await.unwrap().len(), 1);

    // Tasks are not calls: the contact who declined calls gets one.
    let task =
        QuickCampaignInput { activity_kind: "task".into(), assign_rule: "me".into(), assignees: String::new(), ..calls(list, "me", "") };
    let id2 = quick_campaigns::start(&db, &milan, &task).await.expect("tasks");
    run_jobs(&db).await;
    let c2 = quick_campaigns::get(&db, &milan, id2).await.unwrap();
    assert_eq!((c2.created_count, c2.skipped_count), (451, 1));
    assert_eq!(per_owner(&db, id2).await, vec![(milan.id, 451)]);
}
both!(a_list_is_shared_out_among_salespeople);

async fn queries_and_dynamic_lists_follow_the_data(db: Db) {
    seed(&db).await;
    let beograd = team(&db, "Beograd").await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(beograd)).await;
    let mila = user(&db, "mila@veza.rs", "Mila", "sales", Some(beograd)).await;
    let acc = new_account(&db, &marko, "Kragujevac Promet").await;
    let other = new_account(&db, &mila, "Beograd Trade").await;
    contacts(&db, &marko, acc, "K", 3).await;
    contacts(&db, &mila, other, "B", 2).await;
    // Contacts at Kragujevac Promet, by a query: each call goes to the contact's owner.
    let q = FindQuery {
        entity: Entity::Contact,
        root: Group {
            any: false,
            items: vec![Node::Related(app::domain::find::Related {
                rel: "account".into(),
                group: Group {
                    any: false,
                    items: vec![Node::Cond(Cond { field: "name".into(), op: Op::StartsWith, values: vec!["kragujevac".into()] })],
                },
                ..Default::default()
            })],
        },
        ..Default::default()
    };
    let input = QuickCampaignInput { list_id: String::new(), query: q.to_param(), ..calls(0, "owner", "") };
    let id = quick_campaigns::start(&db, &mila, &input).await.expect("start from a query");
    run_jobs(&db).await;
    assert_eq!(per_owner(&db, id).await, vec![(marko.id, 3)]);
    // A dynamic list is evaluated when the campaign runs: a contact added since is reached.
    let list = marketing::create(
        &db,
        &mila,
        &MarketingListInput {
            name: "Dinamički".into(),
            member_kind: "contact".into(),
            list_type: "dynamic".into(),
            query: q.to_param(),
            currency: "RSD".into(),
            ..Default::default()
        },
    )
    .await
    .expect("dynamic list");
    contacts(&db, &mila, acc, "N", 1).await;
    let id = quick_campaigns::start(&db, &mila, &calls(list, "me", "")).await.expect("start from a dynamic list");
    run_jobs(&db).await;
    assert_eq!(per_owner(&db, id).await, vec![(mila.id, 4)]);

    // Bad input names the field; nothing is started.
    let err = |r: Result<i64, AppError>| match r {
        Err(AppError::Validation { field, problem }) => (field, problem),
        other => panic!("expected a validation error, got {other:?}"),
    };
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(team(&db, "Niš").await)).await;
    assert_eq!(
        err(quick_campaigns::start(&db, &mila, &calls(list, "round_robin", &ana.id.to_string())).await),
        ("assignees".into(), Problem::InvalidChoice)
    );
    assert_eq!(
        err(quick_campaigns::start(&db, &mila, &calls(list, "round_robin", "999999")).await),
        ("assignees".into(), Problem::InvalidChoice)
    );
    assert_eq!(
        err(quick_campaigns::start(&db, &mila, &QuickCampaignInput { due: "31.02.2026.".into(), ..calls(list, "me", "") }).await).0,
        "due"
    );
    assert_eq!(err(quick_campaigns::start(&db, &ana, &calls(list, "me", "")).await), ("list_id".into(), Problem::InvalidChoice));
    let opp_query = FindQuery::new(Entity::Opportunity).to_param();
    assert_eq!(
        err(quick_campaigns::start(&db, &mila, &QuickCampaignInput { list_id: String::new(), query: opp_query, ..calls(0, "me", "") })
            .await),
        ("query".into(), Problem::InvalidChoice)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM quick_campaigns").await, 2);
}
both!(queries_and_dynamic_lists_follow_the_data);
