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
    job_runner::run_pending(db, None, "test-runner").await.expect("jobs run");
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

/// A contact of `owner` at `account` with an e-mail address (or none).
async fn person(db: &Db, owner: &Actor, first: &str, last: &str, account: i64, email: Option<&str>) -> i64 {
    let id = new_contact(db, owner, first, last, Some(account)).await;
    sqlx::query("UPDATE contacts SET email = $1 WHERE id = $2").bind(email).bind(id).execute(&db.pool).await.expect("e-mail");
    id
}

fn mail_start() -> quick_campaigns::MailStart {
    quick_campaigns::MailStart { site_url: "https://crm.firma.rs".into(), lang: app::i18n::Lang::Sr }
}

fn newsletter(list: i64) -> QuickCampaignInput {
    QuickCampaignInput {
        list_id: list.to_string(),
        activity_kind: "email".into(),
        subject: "Novi cenovnik za {account}".into(),
        email_body: "Poštovani {first_name},\nšaljemo novi cenovnik.\n\n{signature}".into(),
        assign_rule: "owner".into(),
        ..Default::default()
    }
}

/// The messages received within a few seconds (until the receiver is quiet).
async fn drain(inbox: &mut tokio::sync::mpsc::UnboundedReceiver<common::smtp::Received>) -> Vec<common::smtp::Received> {
    let mut out = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(std::time::Duration::from_millis(500), inbox.recv()).await {
        out.push(m);
    }
    out
}

/// An e-mail quick campaign sends one message per reachable member from its assignee, filled in for the
/// member, with an unsubscribe link; members without an address or who do not want e-mail are skipped,
/// an address the server refuses is recorded with the server's answer, each sent message is a completed
/// e-mail activity on the member's timeline, and the link sets "do not e-mail".
async fn an_email_campaign_sends_and_records_each_message(db: Db) {
    use app::services::quick_campaigns::mail;
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let marko = user(&db, "marko@veza.rs", "Marko Marković", "sales", Some(t)).await;
    let milan = user(&db, "milan@veza.rs", "Milan", "marketing", Some(t)).await;
    app::services::email::set_signature(&db, &marko, "Marko Marković\nprodaja, Veza d.o.o.").await.expect("signature");
    let acc = new_account(&db, &marko, "Mlekara Šabac").await;
    let petar = person(&db, &marko, "Petar", "Perić", acc, Some("petar@mlekara.rs")).await;
    let jovana = person(&db, &marko, "Jovana", "Jović", acc, Some(" jovana@mlekara.rs ")).await;
    let wrong = person(&db, &marko, "Nema", "Sandučeta", acc, Some("nepostoji@mlekara.rs")).await;
    let none = person(&db, &marko, "Bez", "Adrese", acc, None).await;
    let quiet = person(&db, &marko, "Tihi", "Tihić", acc, Some("tihi@mlekara.rs")).await;
    sqlx::query("UPDATE contacts SET do_not_email = 1 WHERE id = $1").bind(quiet).execute(&db.pool).await.unwrap();
    let list = static_list(&db, &milan, "Kupci Šabac", &[petar, jovana, wrong, none, quiet]).await;

    // Bad input: no mail server, no message, a list of accounts.
    assert_eq!(quick_campaigns::start(&db, &milan, &newsletter(list)).await, Err(invalid("activity_kind", Problem::NotConfigured)));
    let empty = QuickCampaignInput { email_body: " ".into(), ..newsletter(list) };
    assert_eq!(quick_campaigns::start_with(&db, &milan, &empty, Some(mail_start())).await, Err(invalid("email_body", Problem::Required)));
    let accounts = marketing::create(
        &db,
        &milan,
        &MarketingListInput {
            name: "Firme".into(),
            member_kind: "account".into(),
            list_type: "static".into(),
            currency: "RSD".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        quick_campaigns::start_with(&db, &milan, &newsletter(accounts), Some(mail_start())).await,
        Err(invalid("activity_kind", Problem::InvalidChoice))
    );
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM quick_campaigns").await, 0);

    // The preview fills the fields in for the first member, as sent by whoever looks.
    let (subject, text) =
        mail::preview(&db, &milan, &list.to_string(), "", "Novi cenovnik za {account}", "Poštovani {first_name}, {owner}").await.unwrap();
    assert_eq!((subject.as_str(), text.as_str()), ("Novi cenovnik za Mlekara Šabac", "Poštovani Petar, Milan"));

    let (url, mut inbox) = common::smtp::receiver_refusing(|rcpt| rcpt.contains("nepostoji@")).await;
    let mailer = app::services::email::Mailer::from_url(&url).expect("mailer");
    let id = quick_campaigns::start_with(&db, &milan, &newsletter(list), Some(mail_start())).await.expect("started");
    job_runner::run_pending(&db, Some(&mailer), "test-runner").await.expect("jobs run");
    let got = drain(&mut inbox).await;
    assert_eq!(got.len(), 2, "Petar and Jovana: {got:?}");
    let to_petar = got.iter().find(|(env, _)| env.iter().any(|l| l.contains("<petar@mlekara.rs>"))).expect("Petar's message");
    assert!(to_petar.0.iter().any(|l| l.contains("<marko@veza.rs>")), "from the owner: {:?}", to_petar.0);
    let data = to_petar.1.replace("=\n", "");
    assert!(data.contains("List-Unsubscribe: <https://crm.firma.rs/unsubscribe/"), "{data}");
    assert!(data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{data}");
    assert!(got.iter().any(|(env, _)| env.iter().any(|l| l.contains("<jovana@mlekara.rs>"))), "the address is trimmed");

    let c = quick_campaigns::get(&db, &milan, id).await.expect("campaign");
    assert_eq!((c.status.as_str(), c.created_count, c.skipped_count), ("done", 2, 3));
    let mut reasons = c.skipped.clone();
    reasons.sort();
    assert_eq!(reasons, vec![("do_not_email".to_string(), 1), ("no_email".to_string(), 1), ("rejected".to_string(), 1)]);
    let failed = quick_campaigns::members(&db, &milan, id, "failed", 0).await.unwrap().rows;
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].member_id, failed[0].reason.as_deref()), (wrong, Some("rejected")));
    assert!(failed[0].detail.as_deref().is_some_and(|d| d.contains("550")), "the server's answer: {:?}", failed[0].detail);
    let sent = quick_campaigns::members(&db, &milan, id, "sent", 0).await.unwrap().rows;
    assert_eq!(sent.iter().map(|m| m.member_id).collect::<Vec<_>>(), vec![petar, jovana]);
    // Each sent message is a completed e-mail on the member's timeline, owned by its sender, filled in.
    let a = activities::get(&db, &marko, sent[0].activity_id.expect("an activity")).await.expect("visible to the owner");
    assert_eq!((a.kind, a.status, a.regarding_id), (app::domain::ActivityKind::Email, app::domain::ActivityStatus::Completed, petar));
    assert_eq!(a.subject, "Novi cenovnik za Mlekara Šabac");
    assert_eq!(a.description.as_deref(), Some("Poštovani Petar,\nšaljemo novi cenovnik.\n\nMarko Marković\nprodaja, Veza d.o.o."));
    assert_eq!(per_owner(&db, id).await, vec![(marko.id, 2)]);

    // The link: whose address (masked), then "do not e-mail", once.
    let token = data.split("/unsubscribe/").nth(1).map(|t| t.chars().take_while(|c| c.is_ascii_hexdigit()).collect::<String>()).unwrap();
    assert_eq!(token.len(), 48);
    let info = mail::unsubscribe_info(&db, &token).await.unwrap().expect("a valid link");
    assert_eq!((info.masked_email.as_str(), info.done), ("p***@mlekara.rs", false));
    assert!(mail::unsubscribe(&db, &token).await.unwrap().expect("used").done);
    assert_eq!(count_for(&db, "SELECT do_not_email AS n FROM contacts WHERE id = $1", petar).await, 1);
    assert!(mail::unsubscribe(&db, &token).await.unwrap().expect("again").done);
    assert_eq!(
        count_for(
            &db,
            "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'contact' AND record_id = $1 AND field = 'do_not_email'",
            petar
        )
        .await,
        1
    );
    assert_eq!(quick_campaigns::get(&db, &milan, id).await.unwrap().unsubscribed, 1);
    assert_eq!(mail::unsubscribe(&db, &"0".repeat(48)).await.unwrap(), None);
    assert_eq!(mail::unsubscribe_info(&db, "../etc").await.unwrap(), None);
}
both!(an_email_campaign_sends_and_records_each_message);

/// A message is never sent twice: one a stopped server left with the mail server ends as "unknown"
/// and the others go out; an unreachable server fails each message with the reason, and nothing is
/// logged as sent.
async fn a_stopped_send_is_not_repeated(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t)).await;
    let acc = new_account(&db, &marko, "Kupac").await;
    let mut members = Vec::new();
    for (i, name) in ["Ana", "Bojan", "Cvijeta"].iter().enumerate() {
        members.push(person(&db, &marko, name, "Kupčević", acc, Some(&format!("k{i}@kupac.rs"))).await);
    }
    let list = static_list(&db, &marko, "Kupci", &members).await;

    let down = app::services::email::Mailer::from_url("smtp://127.0.0.1:9").expect("mailer");
    let id = quick_campaigns::start_with(&db, &marko, &newsletter(list), Some(mail_start())).await.unwrap();
    job_runner::run_pending(&db, Some(&down), "test-runner").await.unwrap();
    let c = quick_campaigns::get(&db, &marko, id).await.unwrap();
    assert_eq!((c.status.as_str(), c.created_count, c.skipped), ("done", 0, vec![("send_failed".to_string(), 3)]));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM activities").await, 0);

    // A server queued the batch and stopped while Bojan's message was with the mail server.
    let id = quick_campaigns::start_with(&db, &marko, &newsletter(list), Some(mail_start())).await.unwrap();
    let job: i64 =
        sqlx::query_as::<_, (i64,)>("SELECT job_id FROM quick_campaigns WHERE id = $1").bind(id).fetch_one(&db.pool).await.unwrap().0;
    let payload = format!("{{\"campaign\":{id}}}");
    let mut tx = db.begin().await.unwrap();
    let batch = quick_campaigns::job_batch(&mut tx, &marko, &payload, 0, 200).await.unwrap();
    sqlx::query("UPDATE jobs SET after_id = $1 WHERE id = $2").bind(batch.last_id).bind(job).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE quick_campaign_members SET outcome = 'sending' WHERE campaign_id = $1 AND member_id = $2")
        .bind(id)
        .bind(members[1])
        .execute(&db.pool)
        .await
        .unwrap();
    let (url, mut inbox) = common::smtp::receiver().await;
    let mailer = app::services::email::Mailer::from_url(&url).expect("mailer");
    job_runner::run_pending(&db, Some(&mailer), "server-2").await.unwrap();
    let got = drain(&mut inbox).await;
    assert_eq!(got.len(), 2);
    assert!(!got.iter().any(|(env, _)| env.iter().any(|l| l.contains("<k1@kupac.rs>"))), "Bojan's message is not sent again");
    let c = quick_campaigns::get(&db, &marko, id).await.unwrap();
    assert_eq!((c.status.as_str(), c.created_count, c.skipped), ("done", 2, vec![("unknown".to_string(), 1)]));
}
both!(a_stopped_send_is_not_repeated);
