//! Integration tests of the reports — the forecast (won, open and weighted pipeline by expected close
//! month, by region, salesperson and forecast category, with the opportunity-list drill-down behind
//! every cell), the sales history against the same period a year earlier, goals (relative targets,
//! team roll-up, progress, who may set them), the report export, data completeness per owner (with the
//! lists of what is missing) and the adoption report (sign-ins, records kept, activities completed,
//! overdue work, neglected customers) — each on a fresh SQLite file and a fresh Postgres database (see
//! `common/`).
//!
//! The services read the real clock (`services::clock::today()`, no override), so every date is
//! computed from today: the deals lie in whole months or quarters that have already ended, which keeps
//! every figure independent of the day the test runs (won deals cannot close in the future). Money is
//! in minor units (1 RSD = 100); every amount is in RSD unless said otherwise.
//!
//! Run: `cargo test -p app --features ssr --test reports`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::clock;
use app::db::Db;
use app::domain::ids::pib_with_check;
use app::domain::reports::{
    share_bp, week_start, year_earlier, Adoption, Completeness, FillRow, ForecastCategory, GoalInput, GoalProgress, GroupBy, Measure,
    MetricInput, Neglected, Period, Report, ReportCell, ReportQuery, UserUsage,
};
use app::domain::{AccountInput, ActivityInput, CloseInput, CompleteInput, ContactInput, ListQuery, OpportunityInput};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::export::{report_table, Cell};
use app::services::reports::adoption;
use app::services::{
    accounts, activities, auth, contacts, currency, goals, opportunities, opportunities::board, opportunities::closing, picklists, reports,
    Actor,
};
use chrono::{Datelike, Duration, Months, NaiveDate};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Day `n` of the month starting at `start`.
fn day(start: NaiveDate, n: u32) -> NaiveDate {
    start.with_day(n).expect("day of month")
}

fn months_before(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n)).expect("months before")
}

fn months_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).expect("months after")
}

fn month_key(d: NaiveDate) -> String {
    Period::Month.key(d)
}

fn quarter_key(d: NaiveDate) -> String {
    Period::Quarter.key(d)
}

/// An account created by `actor` in a region and a customer category.
async fn account(db: &Db, actor: &Actor, name: &str, region: &str, category: &str) -> i64 {
    let mut input = account_input(name);
    input.region = region.into();
    input.category = category.into();
    accounts::create(db, actor, &input).await.expect("create account")
}

fn deal_input(name: &str, account: i64, stage: i64, amount: &str, close: NaiveDate, probability: &str, category: &str) -> OpportunityInput {
    let mut input = opportunity_input(name, account, stage, amount);
    input.close_date = iso(close);
    input.probability = probability.into();
    input.forecast_category = category.into();
    input
}

/// An open deal owned by `actor`, with an explicit probability and forecast category ("" = pipeline).
#[allow(clippy::too_many_arguments)]
async fn open_deal(
    db: &Db,
    actor: &Actor,
    name: &str,
    account: i64,
    stage: i64,
    amount: &str,
    close: NaiveDate,
    probability: &str,
    category: &str,
) -> i64 {
    opportunities::create(db, actor, &deal_input(name, account, stage, amount, close, probability, category)).await.expect("open deal")
}

/// A deal owned by `actor`, created open and closed as won on `date` (not in the future) for `amount`.
#[allow(clippy::too_many_arguments)]
async fn won_deal(db: &Db, actor: &Actor, name: &str, account: i64, stage: i64, amount: &str, date: NaiveDate, category: &str) -> i64 {
    let id = open_deal(db, actor, name, account, stage, amount, date, "", category).await;
    let close = CloseInput {
        id: id.to_string(),
        version: "1".into(),
        outcome: "won".into(),
        amount: amount.into(),
        close_date: iso(date),
        ..Default::default()
    };
    closing::close(db, actor, &close).await.expect("close as won");
    id
}

/// A deal owned by `actor`, created open and closed as lost (price) on `date`.
async fn lost_deal(db: &Db, actor: &Actor, name: &str, account: i64, stage: i64, amount: &str, date: NaiveDate) -> i64 {
    let id = open_deal(db, actor, name, account, stage, amount, date, "", "").await;
    let price = picklists::load(db).await.expect("picklists").loss_reasons.into_iter().find(|r| r.code == "price").expect("price").id;
    let close = CloseInput {
        id: id.to_string(),
        version: "1".into(),
        outcome: "lost".into(),
        reason_id: price.to_string(),
        close_date: iso(date),
        ..Default::default()
    };
    closing::close(db, actor, &close).await.expect("close as lost");
    id
}

fn range(from: NaiveDate, to: NaiveDate) -> ReportQuery {
    ReportQuery { from: iso(from), to: iso(to), ..Default::default() }
}

/// (count, won_count, won, open, weighted, forecast) of a cell.
fn figures(c: &ReportCell) -> (i64, i64, i64, i64, i64, i64) {
    (c.count, c.won_count, c.won_minor, c.open_minor, c.weighted_minor, c.forecast_minor())
}

/// (won_count, won, prior_count, prior, growth) of a sales cell.
fn history(c: &ReportCell) -> (i64, i64, i64, i64, Option<i64>) {
    (c.won_count, c.won_minor, c.prior_count, c.prior_minor, c.growth_bp())
}

async fn forecast(db: &Db, actor: &Actor, q: &ReportQuery) -> Report {
    reports::forecast(db, actor, q).await.expect("forecast")
}

async fn sales(db: &Db, actor: &Actor, q: &ReportQuery) -> Report {
    reports::sales(db, actor, q).await.expect("sales history")
}

/// The ids (ascending) and the summed amounts of the opportunity list for a drill-down query.
async fn drill(db: &Db, actor: &Actor, q: &ListQuery) -> (Vec<i64>, i64) {
    let page = opportunities::list(db, actor, q).await.expect("opportunity list");
    assert!(page.next_cursor.is_none(), "a drill-down fits one page");
    let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    (ids, page.rows.iter().map(|r| r.amount_minor).sum())
}

fn list_query(outcome: &str, from: NaiveDate, to: NaiveDate) -> ListQuery {
    ListQuery { outcome: outcome.into(), from: iso(from), to: iso(to), ..Default::default() }
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

async fn won_revenue_metric(db: &Db) -> i64 {
    let metrics = goals::metrics(db).await.expect("metrics");
    metrics.iter().find(|m| m.name == "won_revenue" && m.measure == Measure::WonRevenue && m.active).expect("seeded won_revenue metric").id
}

fn goal_input(metric: i64, assignee: &str, period: &str, start: &str, kind: &str, target: &str) -> GoalInput {
    GoalInput {
        metric_id: metric.to_string(),
        assignee: assignee.into(),
        period: period.into(),
        period_start: start.into(),
        target_kind: kind.into(),
        target: target.into(),
        ..Default::default()
    }
}

fn goal_of(goals: &[GoalProgress], id: i64) -> &GoalProgress {
    goals.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("goal {id} on the page"))
}

// ---------------------------------------------------------------------------------------------------
// The forecast's data set (scenarios 1 and 4)
// ---------------------------------------------------------------------------------------------------

/// Two months M1 and M2 that have ended (three and two months before this one), two regions and two
/// salespeople of one team; a salesperson of another team with nothing of it.
struct Forecast {
    admin: Actor,
    mgr: Actor,
    ana: Actor,
    iva: Actor,
    marko: Actor,
    t1: i64,
    m1: NaiveDate,
    m2: NaiveDate,
    /// Open: D1 Beograd M1 commit, D2 Beograd M2 pipeline, D3 Novi Sad M1 best case, D4 Novi Sad M2 commit.
    d: [i64; 4],
    d2_input: OpportunityInput,
    /// Won: W1 Beograd M1 (commit), W2 Novi Sad M2 (pipeline).
    w: [i64; 2],
    lost: i64,
    /// Open, just outside the range: the day before M1 and the day after M2.
    outside: [i64; 2],
}

impl Forecast {
    fn m1_last(&self) -> NaiveDate {
        Period::Month.last_day(self.m1)
    }
    fn m2_last(&self) -> NaiveDate {
        Period::Month.last_day(self.m2)
    }
    fn query(&self) -> ReportQuery {
        range(self.m1, self.m2_last())
    }
}

async fn forecast_data(db: &Db) -> Forecast {
    seed(db).await;
    let (open, _, _) = open_and_closed_stages(db).await;
    let qualify = open[0].id; // default probability 10 %: every deal below sets its own
    let t1 = team(db, "Prodaja Sever").await;
    let t2 = team(db, "Prodaja Jug").await;
    let admin = user(db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let marko = user(db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;
    // The team's accounts (the manager's), seen by both salespeople.
    let alfa = account(db, &mgr, "Alfa d.o.o.", "Beograd", "A").await;
    let beta = account(db, &mgr, "Beta a.d.", "Novi Sad", "B").await;

    let this_month = Period::Month.start_of(clock::today());
    let m1 = months_before(this_month, 3);
    let m2 = months_after(m1, 1);
    let m3 = months_after(m1, 2); // still before this month

    // Open deals (amount × probability = weighted):
    //   D1 Ana  Beograd  M1 day 10   100.000,00 × 40 % =  40.000,00  commit
    //   D2 Ana  Beograd  M2 day 5     50.000,00 × 20 % =  10.000,00  pipeline
    //   D3 Ana  Novi Sad M1 day 1    200.000,00 × 10 % =  20.000,00  best case (first day of the range)
    //   D4 Iva  Novi Sad M2 last day  40.000,00 × 60 % =  24.000,00  commit (last day of the range)
    let d1 = open_deal(db, &ana, "D1", alfa, qualify, "100.000,00", day(m1, 10), "40", "commit").await;
    let d2_input = deal_input("D2", alfa, qualify, "50.000", day(m2, 5), "20", "pipeline");
    let d2 = opportunities::create(db, &ana, &d2_input).await.expect("D2");
    let d3 = open_deal(db, &ana, "D3", beta, qualify, "200.000", m1, "10", "best_case").await;
    let d4 = open_deal(db, &iva, "D4", beta, qualify, "40.000", Period::Month.last_day(m2), "60", "commit").await;
    // Won: W1 Ana Beograd M1 day 20 80.000,00 (commit); W2 Iva Novi Sad M2 day 12 25.000,00.
    let w1 = won_deal(db, &ana, "W1", alfa, qualify, "80.000", day(m1, 20), "commit").await;
    let w2 = won_deal(db, &iva, "W2", beta, qualify, "25.000", day(m2, 12), "").await;
    // Lost in M1 (never counted) and open deals just outside the range (the day before M1 at 80 %,
    // the first day after M2 at 80 %).
    let lost = lost_deal(db, &ana, "L1", alfa, qualify, "30.000", day(m1, 15)).await;
    let x1 = open_deal(db, &iva, "X1", beta, qualify, "60.000", m1.pred_opt().expect("day before"), "80", "commit").await;
    let x2 = open_deal(db, &iva, "X2", beta, qualify, "70.000", m3, "80", "commit").await;
    Forecast { admin, mgr, ana, iva, marko, t1, m1, m2, d: [d1, d2, d3, d4], d2_input, w: [w1, w2], lost, outside: [x1, x2] }
}

// ---------------------------------------------------------------------------------------------------
// 1. The forecast by month, region, salesperson and forecast category, and its drill-down
// ---------------------------------------------------------------------------------------------------

/// Won and weighted open deals by expected close month; lost deals and deals outside the range never
/// count; by region, salesperson and forecast category; the drill-down lists exactly the deals behind a
/// cell; another team sees nothing of it.
async fn forecast_by_month(db: Db) {
    let f = forecast_data(&db).await;
    let [d1, d2, d3, d4] = f.d;
    let [w1, w2] = f.w;
    let (k1, k2) = (month_key(f.m1), month_key(f.m2));
    let o = opportunities::get(&db, &f.ana, d1).await.expect("D1");
    assert_eq!((o.forecast_category, o.probability), (ForecastCategory::Commit, 40));
    assert_eq!(opportunities::get(&db, &f.ana, d3).await.expect("D3").forecast_category, ForecastCategory::BestCase);
    let bad = deal_input("Loše", o.account_id, o.stage_id, "1", f.m1, "", "maybe");
    assert_eq!(opportunities::create(&db, &f.ana, &bad).await, Err(invalid("forecast_category", Problem::InvalidChoice)));

    // Without rows. M1: D1, D3 open, W1 won → count 3, won 1
    //   won 8.000.000, open 10.000.000 + 20.000.000 = 30.000.000, weighted 4.000.000 + 2.000.000 = 6.000.000,
    //   forecast 8.000.000 + 6.000.000 = 14.000.000.
    // M2: D2, D4 open, W2 won → count 3, won 1
    //   won 2.500.000, open 5.000.000 + 4.000.000 = 9.000.000, weighted 1.000.000 + 2.400.000 = 3.400.000,
    //   forecast 5.900.000.
    // Total: 6 deals, 2 won, won 10.500.000, open 39.000.000, weighted 9.400.000, forecast 19.900.000.
    let r = forecast(&db, &f.admin, &f.query()).await;
    assert_eq!((r.from.clone(), r.to.clone()), (iso(f.m1), iso(f.m2_last())));
    assert_eq!((r.period, r.group), (Period::Month, GroupBy::None));
    assert_eq!(r.periods, vec![k1.clone(), k2.clone()]);
    assert_eq!(figures(&r.period_total(&k1)), (3, 1, 8_000_000, 30_000_000, 6_000_000, 14_000_000));
    assert_eq!(figures(&r.period_total(&k2)), (3, 1, 2_500_000, 9_000_000, 3_400_000, 5_900_000));
    assert_eq!(figures(&r.total()), (6, 2, 10_500_000, 39_000_000, 9_400_000, 19_900_000));
    assert!(r.goals.is_empty(), "no goals set");
    // The manager and a salesperson of the team see the same; so does a quarter (both months in one
    // quarter or two, the total is the same).
    for viewer in [&f.mgr, &f.ana] {
        assert_eq!(forecast(&db, viewer, &f.query()).await.total(), r.total());
    }
    let by_quarter = forecast(&db, &f.admin, &ReportQuery { period: "quarter".into(), ..f.query() }).await;
    assert_eq!(by_quarter.period, Period::Quarter);
    assert_eq!(by_quarter.periods[0], quarter_key(f.m1));
    assert_eq!(figures(&by_quarter.total()), figures(&r.total()));
    // A year is shown by quarter in the forecast.
    assert_eq!(forecast(&db, &f.admin, &ReportQuery { period: "year".into(), ..f.query() }).await.period, Period::Quarter);

    // By region. Beograd: M1 D1 + W1 (count 2, won 8.000.000, open 10.000.000, weighted 4.000.000),
    //   M2 D2 (open 5.000.000, weighted 1.000.000); total count 3, won 8.000.000, open 15.000.000,
    //   weighted 5.000.000, forecast 13.000.000.
    // Novi Sad: M1 D3 (open 20.000.000, weighted 2.000.000), M2 D4 + W2 (count 2, won 2.500.000,
    //   open 4.000.000, weighted 2.400.000); total count 3, won 2.500.000, open 24.000.000,
    //   weighted 4.400.000, forecast 6.900.000.
    // Rows by forecast: Beograd 13.000.000 before Novi Sad 6.900.000.
    let by_region = forecast(&db, &f.admin, &ReportQuery { group: "region".into(), ..f.query() }).await;
    assert_eq!(by_region.group, GroupBy::Region);
    assert_eq!(by_region.rows, vec![("Beograd".to_string(), "Beograd".to_string()), ("Novi Sad".to_string(), "Novi Sad".to_string())]);
    assert_eq!(figures(&by_region.cell(&k1, "Beograd")), (2, 1, 8_000_000, 10_000_000, 4_000_000, 12_000_000));
    assert_eq!(figures(&by_region.cell(&k2, "Beograd")), (1, 0, 0, 5_000_000, 1_000_000, 1_000_000));
    assert_eq!(figures(&by_region.cell(&k1, "Novi Sad")), (1, 0, 0, 20_000_000, 2_000_000, 2_000_000));
    assert_eq!(figures(&by_region.cell(&k2, "Novi Sad")), (2, 1, 2_500_000, 4_000_000, 2_400_000, 4_900_000));
    assert_eq!(figures(&by_region.row_total("Beograd")), (3, 1, 8_000_000, 15_000_000, 5_000_000, 13_000_000));
    assert_eq!(figures(&by_region.row_total("Novi Sad")), (3, 1, 2_500_000, 24_000_000, 4_400_000, 6_900_000));
    assert_eq!(by_region.total(), r.total());

    // Only Novi Sad: exactly its row above; the same with customer category B (its account's).
    let novi_sad = forecast(&db, &f.admin, &ReportQuery { region: "Novi Sad".into(), ..f.query() }).await;
    assert_eq!(figures(&novi_sad.period_total(&k1)), (1, 0, 0, 20_000_000, 2_000_000, 2_000_000));
    assert_eq!(figures(&novi_sad.period_total(&k2)), (2, 1, 2_500_000, 4_000_000, 2_400_000, 4_900_000));
    assert_eq!(figures(&novi_sad.total()), (3, 1, 2_500_000, 24_000_000, 4_400_000, 6_900_000));
    let category_b = forecast(&db, &f.admin, &ReportQuery { category: "B".into(), ..f.query() }).await;
    assert_eq!(category_b.total(), novi_sad.total());

    // By salesperson. Ana: M1 D1, D3, W1 (count 3, won 8.000.000, open 30.000.000, weighted 6.000.000),
    //   M2 D2 (open 5.000.000, weighted 1.000.000). Iva: M2 D4, W2 (count 2, won 2.500.000,
    //   open 4.000.000, weighted 2.400.000); nothing in M1.
    let by_owner = forecast(&db, &f.admin, &ReportQuery { group: "owner".into(), ..f.query() }).await;
    let (ana, iva) = (f.ana.id.to_string(), f.iva.id.to_string());
    assert_eq!(by_owner.rows, vec![(ana.clone(), "Ana".to_string()), (iva.clone(), "Iva".to_string())]);
    assert_eq!(figures(&by_owner.cell(&k1, &ana)), (3, 1, 8_000_000, 30_000_000, 6_000_000, 14_000_000));
    assert_eq!(figures(&by_owner.cell(&k2, &ana)), (1, 0, 0, 5_000_000, 1_000_000, 1_000_000));
    assert_eq!(by_owner.cell(&k1, &iva), ReportCell::default());
    assert_eq!(figures(&by_owner.cell(&k2, &iva)), (2, 1, 2_500_000, 4_000_000, 2_400_000, 4_900_000));
    let only_iva = forecast(&db, &f.admin, &ReportQuery { owner: f.iva.id.to_string(), ..f.query() }).await;
    assert_eq!(only_iva.total(), ReportCell { key: String::new(), ..by_owner.row_total(&iva) });

    // By forecast category. Commit: D1 (M1, open 10.000.000, weighted 4.000.000), W1 (M1, won
    //   8.000.000), D4 (M2, open 4.000.000, weighted 2.400.000) → count 3, won 8.000.000,
    //   open 14.000.000, weighted 6.400.000. Best case: D3 → count 1, open 20.000.000, weighted
    //   2.000.000. Pipeline: D2 (open 5.000.000, weighted 1.000.000), W2 (won 2.500.000) → count 2.
    let by_category = forecast(&db, &f.admin, &ReportQuery { group: "forecast".into(), ..f.query() }).await;
    assert_eq!(by_category.group, GroupBy::ForecastCategory);
    let mut keys: Vec<String> = by_category.rows.iter().map(|r| r.0.clone()).collect();
    keys.sort();
    assert_eq!(keys, ["best_case", "commit", "pipeline"]);
    assert_eq!(figures(&by_category.row_total("commit")), (3, 1, 8_000_000, 14_000_000, 6_400_000, 14_400_000));
    assert_eq!(figures(&by_category.row_total("best_case")), (1, 0, 0, 20_000_000, 2_000_000, 2_000_000));
    assert_eq!(figures(&by_category.row_total("pipeline")), (2, 1, 2_500_000, 5_000_000, 1_000_000, 3_500_000));
    assert_eq!(figures(&by_category.cell(&k1, "commit")), (2, 1, 8_000_000, 10_000_000, 4_000_000, 12_000_000));
    assert_eq!(figures(&by_category.cell(&k2, "commit")), (1, 0, 0, 4_000_000, 2_400_000, 2_400_000));

    // Drill-down: the opportunity list with the cell's filters returns exactly its deals.
    let (m1_last, m2_last) = (f.m1_last(), f.m2_last());
    let region = |r: &str, mut q: ListQuery| {
        q.region = r.into();
        q
    };
    assert_eq!(drill(&db, &f.admin, &region("Novi Sad", list_query("open", f.m1, m1_last))).await, (vec![d3], 20_000_000));
    assert_eq!(drill(&db, &f.admin, &region("Beograd", list_query("open", f.m1, m1_last))).await, (vec![d1], 10_000_000));
    assert_eq!(drill(&db, &f.admin, &region("Beograd", list_query("won", f.m1, m1_last))).await, (vec![w1], 8_000_000));
    assert_eq!(drill(&db, &f.admin, &region("Novi Sad", list_query("open", f.m2, m2_last))).await, (vec![d4], 4_000_000));
    assert_eq!(drill(&db, &f.admin, &region("Novi Sad", list_query("won", f.m2, m2_last))).await, (vec![w2], 2_500_000));
    assert_eq!(drill(&db, &f.admin, &list_query("lost", f.m1, m2_last)).await.0, vec![f.lost], "the lost deal is there, not counted");
    let commit = ListQuery { forecast: "commit".into(), ..list_query("open", f.m1, m2_last) };
    assert_eq!(drill(&db, &f.admin, &commit).await, (sorted(vec![d1, d4]), 14_000_000));
    let commit_won = ListQuery { forecast: "commit".into(), ..list_query("won", f.m1, m2_last) };
    assert_eq!(drill(&db, &f.admin, &commit_won).await.0, vec![w1]);
    let category_b = ListQuery { category: "B".into(), ..list_query("open", f.m1, m2_last) };
    assert_eq!(drill(&db, &f.admin, &category_b).await, (sorted(vec![d3, d4]), 24_000_000));
    // Every cell of the region report against its drill-down: open deals are count − won, with the
    // open amount; won deals the won count, with the won amount.
    for (period, (from, to)) in [(&k1, (f.m1, m1_last)), (&k2, (f.m2, m2_last))] {
        for (key, label) in &by_region.rows {
            let c = by_region.cell(period, key);
            let (open_ids, open_sum) = drill(&db, &f.mgr, &region(label, list_query("open", from, to))).await;
            let (won_ids, won_sum) = drill(&db, &f.mgr, &region(label, list_query("won", from, to))).await;
            assert_eq!((open_ids.len() as i64, open_sum), (c.count - c.won_count, c.open_minor), "open {period} {label}");
            assert_eq!((won_ids.len() as i64, won_sum), (c.won_count, c.won_minor), "won {period} {label}");
        }
    }
    // The deals outside the range are in the list without the range, never in the report.
    let everything_open = drill(&db, &f.admin, &ListQuery { outcome: "open".into(), ..Default::default() }).await.0;
    assert_eq!(everything_open, sorted(vec![d1, d2, d3, d4, f.outside[0], f.outside[1]]));

    // Another team's salesperson sees nothing of it (the periods are still there).
    let theirs = forecast(&db, &f.marko, &ReportQuery { group: "region".into(), ..f.query() }).await;
    assert_eq!(theirs.periods, vec![k1.clone(), k2.clone()]);
    assert!(theirs.cells.is_empty() && theirs.rows.is_empty() && theirs.goals.is_empty(), "{theirs:?}");
    assert_eq!(theirs.total(), ReportCell::default());
    assert_eq!(drill(&db, &f.marko, &list_query("open", f.m1, m2_last)).await, (vec![], 0));
    assert_eq!(drill(&db, &f.marko, &list_query("won", f.m1, m2_last)).await, (vec![], 0));
    // Nor when asking for the team by its filter.
    assert_eq!(forecast(&db, &f.marko, &ReportQuery { team: f.t1.to_string(), ..f.query() }).await.total(), ReportCell::default());

    // Moving D2 to best case (an update) moves its 5.000.000 open, 1.000.000 weighted between rows.
    let update = OpportunityInput { id: d2.to_string(), version: "1".into(), forecast_category: "best_case".into(), ..f.d2_input.clone() };
    assert_eq!(opportunities::update(&db, &f.ana, &update).await, Ok(2));
    assert_eq!(opportunities::get(&db, &f.ana, d2).await.expect("D2").forecast_category, ForecastCategory::BestCase);
    let moved = forecast(&db, &f.admin, &ReportQuery { group: "forecast".into(), ..f.query() }).await;
    assert_eq!(figures(&moved.row_total("best_case")), (2, 0, 0, 25_000_000, 3_000_000, 3_000_000));
    assert_eq!(figures(&moved.row_total("pipeline")), (1, 1, 2_500_000, 0, 0, 2_500_000));
    let best_case = ListQuery { forecast: "best_case".into(), ..list_query("open", f.m1, m2_last) };
    assert_eq!(drill(&db, &f.admin, &best_case).await, (sorted(vec![d2, d3]), 25_000_000));

    // An EUR deal counts in RSD at the current rate: 1.000,00 EUR (100.000 minor) in M2 at 50 %.
    let rate = currency::eur_rate(&db).await.expect("EUR rate");
    let mut eur = deal_input("E1", o.account_id, o.stage_id, "1.000,00", day(f.m2, 3), "50", "");
    eur.currency = "EUR".into();
    opportunities::create(&db, &f.ana, &eur).await.expect("EUR deal");
    let rsd = |minor: i64| -> i64 { ((minor as i128 * rate as i128 + 500_000) / 1_000_000) as i64 };
    let with_eur = forecast(&db, &f.admin, &f.query()).await;
    let (before, after) = (r.period_total(&k2), with_eur.period_total(&k2));
    assert_eq!(after.count - before.count, 1);
    assert_eq!(after.open_minor - before.open_minor, rsd(100_000), "rate {rate}");
    assert_eq!(after.weighted_minor - before.weighted_minor, rsd(50_000), "rate {rate}");
    assert_eq!(with_eur.period_total(&k1), r.period_total(&k1));

    // Without a range: this month and the five after it.
    let default = forecast(&db, &f.admin, &ReportQuery::default()).await;
    let this_month = Period::Month.start_of(clock::today());
    assert_eq!(default.from, iso(this_month));
    assert_eq!(default.periods.len(), 6);
    assert_eq!(default.periods[0], month_key(this_month));
}
both!(forecast_by_month);

// ---------------------------------------------------------------------------------------------------
// 2. Sales history against the same period a year earlier
// ---------------------------------------------------------------------------------------------------

/// Won deals by quarter and month and by region, beside the same period a year earlier, with growth.
async fn won_by_region_with_last_year(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let stage = open[0].id;
    let t1 = team(&db, "Prodaja Sever").await;
    let t2 = team(&db, "Prodaja Jug").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;
    let alfa = account(&db, &mgr, "Alfa d.o.o.", "Beograd", "A").await;
    let beta = account(&db, &mgr, "Beta a.d.", "Novi Sad", "B").await;

    // Two quarters that have ended: QA and QB (QB the last one); the range QA start … QB end; the prior
    // range the same a year earlier.
    let qb = months_before(Period::Quarter.start_of(clock::today()), 3);
    let qa = months_before(qb, 3);
    let qb_last = Period::Quarter.last_day(qb);
    let (qa_ly, qb_ly) = (year_earlier(qa), year_earlier(qb));

    // This period:                         The same period a year earlier:
    //   S1 Beograd  QA month 1 day 10 100.000  P1 Beograd  QA-1y first day       80.000
    //   S2 Beograd  QB month 1 day 5   50.000  P2 Beograd  QB-1y month 1 day 21  40.000
    //   S3 Beograd  QB last day        30.000  P3 Novi Sad QA-1y month 2 day 5   40.000
    //   S4 Novi Sad QB month 2 day 10  60.000
    won_deal(&db, &ana, "S1", alfa, stage, "100.000", day(qa, 10), "").await;
    won_deal(&db, &ana, "S2", alfa, stage, "50.000", day(qb, 5), "").await;
    won_deal(&db, &ana, "S3", alfa, stage, "30.000", qb_last, "").await;
    won_deal(&db, &ana, "S4", beta, stage, "60.000", day(months_after(qb, 1), 10), "").await;
    won_deal(&db, &ana, "P1", alfa, stage, "80.000", qa_ly, "").await;
    won_deal(&db, &ana, "P2", alfa, stage, "40.000", day(qb_ly, 21), "").await;
    won_deal(&db, &ana, "P3", beta, stage, "40.000", day(months_after(qa_ly, 1), 5), "").await;
    // Counted nowhere: won the day before the range (after the prior range ends), won the day before
    // the prior range, lost in QB, open in QB.
    won_deal(&db, &ana, "N1", alfa, stage, "999", qa.pred_opt().expect("day"), "").await;
    won_deal(&db, &ana, "N2", alfa, stage, "777", qa_ly.pred_opt().expect("day"), "").await;
    lost_deal(&db, &ana, "N3", alfa, stage, "12.000", day(qb, 6)).await;
    open_deal(&db, &ana, "N4", alfa, stage, "13.000", day(qb, 7), "50", "commit").await;

    // By quarter and region:
    //   QA Beograd : won 1 / 10.000.000, prior 1 / 8.000.000 → growth 2.000.000 / 8.000.000 = 25 % = 2500 bp
    //   QB Beograd : won 2 / 8.000.000 (S2 + S3), prior 1 / 4.000.000 → 100 % = 10000 bp
    //   QA Novi Sad: won 0, prior 1 / 4.000.000 → −100 % = −10000 bp
    //   QB Novi Sad: won 1 / 6.000.000, no prior → no growth
    //   Beograd 18.000.000 against 12.000.000, Novi Sad 6.000.000 against 4.000.000 (both +50 %);
    //   total 4 deals / 24.000.000 against 3 / 16.000.000 → +50 % = 5000 bp.
    let q = ReportQuery { period: "quarter".into(), group: "region".into(), ..range(qa, qb_last) };
    let r = sales(&db, &mgr, &q).await;
    let (ka, kb) = (quarter_key(qa), quarter_key(qb));
    assert_eq!((r.from.clone(), r.to.clone(), r.period, r.group), (iso(qa), iso(qb_last), Period::Quarter, GroupBy::Region));
    assert_eq!(r.periods, vec![ka.clone(), kb.clone()]);
    assert_eq!(r.rows, vec![("Beograd".to_string(), "Beograd".to_string()), ("Novi Sad".to_string(), "Novi Sad".to_string())]);
    assert_eq!(history(&r.cell(&ka, "Beograd")), (1, 10_000_000, 1, 8_000_000, Some(2_500)));
    assert_eq!(history(&r.cell(&kb, "Beograd")), (2, 8_000_000, 1, 4_000_000, Some(10_000)));
    assert_eq!(history(&r.cell(&ka, "Novi Sad")), (0, 0, 1, 4_000_000, Some(-10_000)));
    assert_eq!(history(&r.cell(&kb, "Novi Sad")), (1, 6_000_000, 0, 0, None));
    assert_eq!(r.cell(&kb, "Beograd").count, 2, "the count of a sales cell is its won deals");
    assert_eq!(history(&r.row_total("Beograd")), (3, 18_000_000, 2, 12_000_000, Some(5_000)));
    assert_eq!(history(&r.row_total("Novi Sad")), (1, 6_000_000, 1, 4_000_000, Some(5_000)));
    assert_eq!(history(&r.total()), (4, 24_000_000, 3, 16_000_000, Some(5_000)));
    assert!(r.goals.is_empty());

    // By month without rows (QA's three months, then QB's):
    //   QA m1: S1 10.000.000 vs P1 8.000.000 → 2500 bp;  QA m2: nothing vs P3 4.000.000 → −10000 bp;
    //   QA m3: nothing at all;  QB m1: S2 5.000.000 vs P2 4.000.000 → 2500 bp;
    //   QB m2: S4 6.000.000, no prior;  QB m3: S3 3.000.000, no prior.
    let r = sales(&db, &ana, &ReportQuery { period: "month".into(), ..range(qa, qb_last) }).await;
    let months: Vec<String> = (0..6).map(|i| month_key(months_after(qa, i))).collect();
    assert_eq!(r.periods, months);
    assert_eq!(history(&r.period_total(&months[0])), (1, 10_000_000, 1, 8_000_000, Some(2_500)));
    assert_eq!(history(&r.period_total(&months[1])), (0, 0, 1, 4_000_000, Some(-10_000)));
    assert_eq!(history(&r.period_total(&months[2])), (0, 0, 0, 0, None));
    assert_eq!(history(&r.period_total(&months[3])), (1, 5_000_000, 1, 4_000_000, Some(2_500)));
    assert_eq!(history(&r.period_total(&months[4])), (1, 6_000_000, 0, 0, None));
    assert_eq!(history(&r.period_total(&months[5])), (1, 3_000_000, 0, 0, None));
    assert_eq!(history(&r.total()), (4, 24_000_000, 3, 16_000_000, Some(5_000)));

    // Only Novi Sad: QA prior 4.000.000, QB won 6.000.000.
    let ns = sales(&db, &mgr, &ReportQuery { period: "quarter".into(), region: "Novi Sad".into(), ..range(qa, qb_last) }).await;
    assert_eq!(history(&ns.period_total(&ka)), (0, 0, 1, 4_000_000, Some(-10_000)));
    assert_eq!(history(&ns.period_total(&kb)), (1, 6_000_000, 0, 0, None));
    // The forecast grouping is not offered by the sales history: no rows.
    let plain = sales(&db, &mgr, &ReportQuery { period: "quarter".into(), group: "forecast".into(), ..range(qa, qb_last) }).await;
    assert_eq!(plain.group, GroupBy::None);
    // By account: Alfa's 18.000.000 before Beta's 6.000.000.
    let by_account = sales(&db, &mgr, &ReportQuery { period: "quarter".into(), group: "account".into(), ..range(qa, qb_last) }).await;
    assert_eq!(by_account.rows, vec![(alfa.to_string(), "Alfa d.o.o.".to_string()), (beta.to_string(), "Beta a.d.".to_string())]);
    assert_eq!(history(&by_account.row_total(&alfa.to_string())), (3, 18_000_000, 2, 12_000_000, Some(5_000)));
    // Another team sees nothing.
    let theirs = sales(&db, &marko, &q).await;
    assert!(theirs.cells.is_empty() && theirs.rows.is_empty(), "{theirs:?}");

    // A range longer than a year (the year before QA up to QB; the report offers up to 60 periods):
    // every period still has the same period a year earlier beside it, also when that one lies inside
    // the range itself.
    //   QA-1y: P1 + P3 = 8.000.000 + 4.000.000 = 12.000.000 won (its own prior: nothing)
    //   QA   : S1 10.000.000 won, prior P1 + P3 = 2 deals / 12.000.000
    //   QB   : S2 + S3 + S4 = 14.000.000 won, prior P2 = 1 deal / 4.000.000
    let long = sales(&db, &mgr, &ReportQuery { period: "quarter".into(), ..range(qa_ly, qb_last) }).await;
    assert_eq!(long.periods.first(), Some(&quarter_key(qa_ly)));
    let hist = |c: ReportCell| (c.won_count, c.won_minor, c.prior_count, c.prior_minor);
    assert_eq!(hist(long.period_total(&quarter_key(qa_ly))), (2, 12_000_000, 0, 0));
    // A range longer than a year: a deal inside it is also the year-earlier figure of the period a
    // year later (QA-1y and QB-1y are both in the range and beside QA and QB).
    assert_eq!(
        (hist(long.period_total(&ka)), hist(long.period_total(&kb))),
        ((1, 10_000_000, 2, 12_000_000), (3, 14_000_000, 1, 4_000_000)),
        "QA and QB against QA-1y and QB-1y inside the range"
    );
}
both!(won_by_region_with_last_year);

// ---------------------------------------------------------------------------------------------------
// 3. Goals: relative targets, roll-up, progress, who may set them
// ---------------------------------------------------------------------------------------------------

/// A user goal 30 % above the same month last year, an absolute one and a team goal over both; the
/// progress of each; one goal per metric, assignee and period; only admins and managers (for their
/// team) set goals; stale versions conflict; the forecast shows the goal of what it is filtered to.
async fn goal_progress_relative(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let stage = open[0].id;
    let t1 = team(&db, "Prodaja Sever").await;
    let t2 = team(&db, "Prodaja Jug").await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;
    let alfa = account(&db, &mgr, "Alfa d.o.o.", "Beograd", "A").await;
    let jug = account(&db, &marko, "Jug d.o.o.", "Niš", "A").await;

    // PM: the last month that has ended; LY: the same month a year earlier.
    let this_month = Period::Month.start_of(clock::today());
    let pm = months_before(this_month, 1);
    let pm_last = Period::Month.last_day(pm);
    let ly = year_earlier(pm);
    let ly_last = Period::Month.last_day(ly);

    // Ana, LY: won 100.000 + 50.000 = 15.000.000 (the base); one more the day before LY (not in it).
    won_deal(&db, &ana, "LY1", alfa, stage, "100.000", day(ly, 3), "").await;
    won_deal(&db, &ana, "LY2", alfa, stage, "50.000", ly_last, "").await;
    won_deal(&db, &ana, "LY0", alfa, stage, "9.999", ly.pred_opt().expect("day"), "").await;
    // PM: Ana won 117.000 (11.700.000), has open 40.000 + 10.000 = 5.000.000 closing in PM, lost 20.000;
    // Iva won 33.000 (3.300.000), has open 7.000 (700.000); Marko (other team) won 50.000.
    won_deal(&db, &ana, "A-won", alfa, stage, "117.000", day(pm, 10), "").await;
    open_deal(&db, &ana, "A-open1", alfa, stage, "40.000", day(pm, 20), "50", "").await;
    open_deal(&db, &ana, "A-open2", alfa, stage, "10.000", pm_last, "", "").await;
    open_deal(&db, &ana, "A-later", alfa, stage, "99.000", this_month, "", "").await;
    lost_deal(&db, &ana, "A-lost", alfa, stage, "20.000", day(pm, 11)).await;
    won_deal(&db, &iva, "I-won", alfa, stage, "33.000", day(pm, 2), "").await;
    open_deal(&db, &iva, "I-open", alfa, stage, "7.000", day(pm, 25), "", "").await;
    won_deal(&db, &marko, "M-won", jug, stage, "50.000", day(pm, 3), "").await;

    let metric = won_revenue_metric(&db).await;
    let (ana_ref, iva_ref, t1_ref) = (format!("user:{}", ana.id), format!("user:{}", iva.id), format!("team:{t1}"));

    // Ana: +30 % on LY, the month named by its key. Target 15.000.000 × 1,3 = 19.500.000.
    let ana_goal =
        goals::save_goal(&db, &mgr, &goal_input(metric, &ana_ref, "month", &month_key(pm), "relative", "30")).await.expect("ana");
    // Iva: 80.000,00 absolute, the month named by a day in it.
    let iva_goal =
        goals::save_goal(&db, &mgr, &goal_input(metric, &iva_ref, "month", &iso(day(pm, 15)), "absolute", "80.000")).await.expect("iva");
    // The team: 300.000,00 absolute.
    let team_goal = goals::save_goal(&db, &mgr, &goal_input(metric, &t1_ref, "month", &iso(pm), "", "300.000")).await.expect("team");

    // Refused: a second goal for Ana's month (whatever its target); a salesperson setting goals; a
    // manager setting them for another team or its member; bad input.
    let again = goal_input(metric, &ana_ref, "month", &iso(pm_last), "absolute", "1.000");
    assert_eq!(goals::save_goal(&db, &mgr, &again).await, Err(invalid("period", Problem::AlreadyExists)));
    assert_eq!(goals::save_goal(&db, &admin, &again).await, Err(invalid("period", Problem::AlreadyExists)));
    let own = goal_input(metric, &ana_ref, "quarter", &iso(pm), "absolute", "1.000");
    assert_eq!(goals::save_goal(&db, &ana, &own).await, Err(invalid("assignee", Problem::InvalidChoice)));
    let for_marko = goal_input(metric, &format!("user:{}", marko.id), "month", &iso(pm), "absolute", "1.000");
    assert_eq!(goals::save_goal(&db, &mgr, &for_marko).await, Err(invalid("assignee", Problem::InvalidChoice)));
    let for_t2 = goal_input(metric, &format!("team:{t2}"), "month", &iso(pm), "absolute", "1.000");
    assert_eq!(goals::save_goal(&db, &mgr, &for_t2).await, Err(invalid("assignee", Problem::InvalidChoice)));
    assert_eq!(
        goals::save_goal(&db, &mgr, &goal_input(metric, &ana_ref, "week", &iso(pm), "", "1")).await,
        Err(invalid("period", Problem::InvalidChoice))
    );
    assert_eq!(
        goals::save_goal(&db, &mgr, &goal_input(metric, &ana_ref, "quarter", &iso(pm), "absolute", "0")).await,
        Err(invalid("target", Problem::OutOfRange(1, i64::MAX / 100)))
    );
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM goals").await, 3);

    // Progress in PM (ended, so the projection is the actual value):
    //   Ana : base 15.000.000, target 19.500.000, actual 11.700.000 → 6000 bp, in progress 5.000.000.
    //   Iva : target 8.000.000, actual 3.300.000 → 4125 bp, in progress 700.000.
    //   Team: target 30.000.000, actual 11.700.000 + 3.300.000 = 15.000.000 → 5000 bp,
    //         in progress 5.700.000; its members' goals 19.500.000 + 8.000.000 = 27.500.000.
    let page = goals::page(&db, &mgr, &iso(day(pm, 15))).await.expect("goals page");
    assert_eq!(page.on, iso(day(pm, 15)));
    assert_eq!(page.goals.iter().map(|g| g.id).collect::<Vec<_>>(), vec![team_goal, ana_goal, iva_goal], "team first, then by name");
    let a = goal_of(&page.goals, ana_goal);
    assert_eq!((a.relative, a.target_raw, a.base, a.target), (true, 3_000, Some(15_000_000), 19_500_000));
    assert_eq!((a.actual, a.in_progress, a.projection, a.percent_bp()), (11_700_000, 5_000_000, 11_700_000, Some(6_000)));
    assert_eq!((a.period, a.period_key.clone(), a.start.clone(), a.last.clone()), (Period::Month, month_key(pm), iso(pm), iso(pm_last)));
    assert_eq!((a.assignee.clone(), a.assignee_ref.clone(), a.is_team, a.member_of), ("Ana".to_string(), ana_ref.clone(), false, Some(t1)));
    assert_eq!((a.measure, a.members_target, a.can_edit), (Measure::WonRevenue, None, true));
    let i = goal_of(&page.goals, iva_goal);
    assert_eq!((i.relative, i.base, i.target, i.start.clone()), (false, None, 8_000_000, iso(pm)));
    assert_eq!((i.actual, i.in_progress, i.projection, i.percent_bp()), (3_300_000, 700_000, 3_300_000, Some(4_125)));
    let t = goal_of(&page.goals, team_goal);
    assert_eq!((t.is_team, t.assignee.clone(), t.target, t.base), (true, "Prodaja Sever".to_string(), 30_000_000, None));
    assert_eq!((t.actual, t.in_progress, t.percent_bp()), (15_000_000, 5_700_000, Some(5_000)));
    assert_eq!(t.members_target, Some(27_500_000));
    assert!(page.can_set_goals() && !page.can_manage_metrics);
    assert!(page.assignees.contains(&(t1_ref.clone(), "Prodaja Sever".to_string())));
    assert!(!page.assignees.iter().any(|(r, _)| *r == format!("user:{}", marko.id)));
    // Filtered to the team: its goal and its members'; to Iva: hers only. The choices stay all three.
    let mut team_only = page.clone();
    team_only.narrow_to(&t1_ref);
    assert_eq!(team_only.goals.iter().map(|g| g.id).collect::<Vec<_>>(), vec![team_goal, ana_goal, iva_goal]);
    assert_eq!(
        team_only.who_options,
        vec![(t1_ref.clone(), "Prodaja Sever".to_string()), (ana_ref.clone(), "Ana".to_string()), (iva_ref.clone(), "Iva".to_string())]
    );
    let mut ivas = page.clone();
    ivas.narrow_to(&iva_ref);
    assert_eq!((ivas.goals.iter().map(|g| g.id).collect::<Vec<_>>(), ivas.who_options.len()), (vec![iva_goal], 3));

    // Ana sees her goal and her team's (not Iva's) and cannot change them; Marko sees none and may set none.
    let hers = goals::page(&db, &ana, &iso(pm)).await.expect("Ana's page");
    assert_eq!(sorted(hers.goals.iter().map(|g| g.id).collect()), sorted(vec![ana_goal, team_goal]));
    assert!(hers.goals.iter().all(|g| !g.can_edit) && !hers.can_set_goals());
    assert_eq!(goal_of(&hers.goals, team_goal).members_target, Some(27_500_000), "the roll-up counts goals Ana does not see");
    let his = goals::page(&db, &marko, &iso(pm)).await.expect("Marko's page");
    assert!(his.goals.is_empty() && !his.can_set_goals());
    // Today's page does not hold PM's goals; the admin's holds them all.
    assert!(goals::page(&db, &mgr, "").await.expect("today").goals.iter().all(|g| g.start != iso(pm)));
    assert_eq!(goals::page(&db, &admin, &iso(pm_last)).await.expect("admin").goals.len(), 3);

    // The forecast of PM shows the goal of what it is filtered to: Ana's 19.500.000, the team's
    // 30.000.000 (its own goal beats its members' sum), everyone's (the admin) the team's; none by region.
    let pm_q = range(pm, pm_last);
    let for_ana = forecast(&db, &mgr, &ReportQuery { owner: ana.id.to_string(), ..pm_q.clone() }).await;
    assert_eq!(for_ana.goals, vec![(month_key(pm), 19_500_000)]);
    assert_eq!(for_ana.goal(&month_key(pm)), Some(19_500_000));
    // Ana's PM: won 11.700.000, open 5.000.000 (40.000 at 50 % and 10.000 at 10 %: weighted 2.000.000 + 100.000).
    assert_eq!(figures(&for_ana.total()), (3, 1, 11_700_000, 5_000_000, 2_100_000, 13_800_000));
    let for_team = forecast(&db, &mgr, &ReportQuery { team: t1.to_string(), ..pm_q.clone() }).await;
    assert_eq!(for_team.goals, vec![(month_key(pm), 30_000_000)]);
    assert_eq!(forecast(&db, &admin, &pm_q).await.goals, vec![(month_key(pm), 30_000_000)]);
    assert_eq!(forecast(&db, &ana, &pm_q).await.goals, vec![(month_key(pm), 30_000_000)], "a salesperson: the own team");
    assert!(forecast(&db, &mgr, &ReportQuery { region: "Beograd".into(), ..pm_q.clone() }).await.goals.is_empty());
    assert!(forecast(&db, &marko, &pm_q).await.goals.is_empty(), "no goal for Marko's team");
    // A goal of another won-revenue metric does not enter the forecast.
    let other = MetricInput { name: "Prihod (drugi)".into(), measure: "won_revenue".into(), active: "1".into(), ..Default::default() };
    let other = goals::save_metric(&db, &admin, &other).await.expect("second revenue metric");
    goals::save_goal(&db, &mgr, &goal_input(other, &ana_ref, "month", &iso(pm), "absolute", "1")).await.expect("other metric goal");
    assert_eq!(
        forecast(&db, &mgr, &ReportQuery { owner: ana.id.to_string(), ..pm_q.clone() }).await.goals,
        vec![(month_key(pm), 19_500_000)]
    );

    // Metrics: admins only; an activity kind only for activities.
    let meetings = MetricInput {
        name: "Sastanci".into(),
        measure: "activities_done".into(),
        activity_kind: "meeting".into(),
        active: "1".into(),
        ..Default::default()
    };
    assert_eq!(goals::save_metric(&db, &mgr, &meetings).await, Err(AppError::Forbidden));
    let bad_kind = MetricInput { measure: "won_deals".into(), ..meetings.clone() };
    assert_eq!(goals::save_metric(&db, &admin, &bad_kind).await, Err(invalid("activity_kind", Problem::InvalidChoice)));
    let m = goals::save_metric(&db, &admin, &meetings).await.expect("meetings metric");
    let stale = MetricInput { id: m.to_string(), version: "2".into(), ..meetings.clone() };
    assert_eq!(goals::save_metric(&db, &admin, &stale).await, Err(AppError::Conflict));
    let metric_row = goals::metrics(&db).await.expect("metrics").into_iter().find(|x| x.id == m).expect("saved metric");
    assert_eq!(
        (metric_row.measure, metric_row.activity_kind, metric_row.active),
        (Measure::ActivitiesDone, Some("meeting".to_string()), true)
    );

    // Changing and deleting with a stale version conflicts; a salesperson cannot delete (not found).
    let change =
        GoalInput { id: ana_goal.to_string(), version: "2".into(), ..goal_input(metric, &ana_ref, "month", &iso(pm), "relative", "20") };
    assert_eq!(goals::save_goal(&db, &mgr, &change).await, Err(AppError::Conflict));
    assert_eq!(goals::save_goal(&db, &mgr, &GoalInput { version: "1".into(), ..change.clone() }).await, Ok(ana_goal));
    // +20 % on 15.000.000 = 18.000.000; 11.700.000 of it = 6500 bp.
    let page = goals::page(&db, &mgr, &iso(pm)).await.expect("page");
    let a = goal_of(&page.goals, ana_goal);
    assert_eq!((a.version, a.target, a.percent_bp()), (2, 18_000_000, Some(6_500)));
    assert_eq!(goal_of(&page.goals, team_goal).members_target, Some(26_000_000));
    assert_eq!(goals::delete_goal(&db, &mgr, team_goal, 2).await, Err(AppError::Conflict));
    assert_eq!(goals::delete_goal(&db, &ana, team_goal, 1).await, Err(AppError::NotFound));
    assert_eq!(goals::delete_goal(&db, &mgr, team_goal, 1).await, Ok(()));
    assert_eq!(goals::delete_goal(&db, &mgr, team_goal, 1).await, Err(AppError::NotFound));
    // Without its own goal the team's forecast goal is its members' sum: 18.000.000 + 8.000.000.
    assert_eq!(forecast(&db, &mgr, &ReportQuery { team: t1.to_string(), ..pm_q.clone() }).await.goals, vec![(month_key(pm), 26_000_000)]);

    // A goal of the running month: the projection scales the actual value to the whole month.
    // Iva wins 10.000,00 today; at this pace the month ends at 1.000.000 × days in month / days gone
    // (rounded half up; the actual value itself on the month's last day).
    let today = clock::today();
    won_deal(&db, &iva, "I-today", alfa, stage, "10.000", today, "").await;
    let now_goal = goals::save_goal(&db, &mgr, &goal_input(metric, &iva_ref, "month", &iso(today), "", "100.000")).await.expect("now");
    let total_days = (Period::Month.last_day(this_month) - this_month).num_days() + 1;
    let gone = (today - this_month).num_days() + 1;
    let expected = (1_000_000 * total_days + gone / 2) / gone;
    let now_page = goals::page(&db, &mgr, "").await.expect("today's page");
    let g = goal_of(&now_page.goals, now_goal);
    assert_eq!((g.actual, g.target, g.projection, g.percent_bp()), (1_000_000, 10_000_000, expected, Some(1_000)));

    // Goals are visible to their user, the user's manager and (a team goal) the team: Marko, of the
    // other team, does not see Ana's goal (18.000.000) nor team 1's (its members' 26.000.000) on the
    // goals page, and must not see them in the forecast by filtering to Ana or to team 1.
    let his = goals::page(&db, &marko, &iso(pm)).await.expect("Marko's page");
    assert!(his.goals.is_empty());
    let marko_on_ana = forecast(&db, &marko, &ReportQuery { owner: ana.id.to_string(), ..pm_q.clone() }).await;
    let marko_on_t1 = forecast(&db, &marko, &ReportQuery { team: t1.to_string(), ..pm_q.clone() }).await;
    assert_eq!(marko_on_ana.total(), ReportCell::default(), "Ana's deals are not his to see");
    // Goals follow the goals page's visibility whatever the filter names: another team's salesperson
    // reads neither Ana's nor team 1's targets.
    assert_eq!((marko_on_ana.goals, marko_on_t1.goals), (vec![], vec![]), "another team's goals leak into the forecast");
}
both!(goal_progress_relative);

// ---------------------------------------------------------------------------------------------------
// 4. The report as a table (CSV/XLSX export)
// ---------------------------------------------------------------------------------------------------

/// The exported table ends with the totals line, whose numbers are the report's totals.
async fn export_report_table(db: Db) {
    let f = forecast_data(&db).await;
    let (k1, k2) = (month_key(f.m1), month_key(f.m2));
    let r = forecast(&db, &f.admin, &ReportQuery { group: "region".into(), ..f.query() }).await;
    let (headers, rows) = report_table(&r, true, Lang::En);
    assert_eq!(headers.len(), 8);
    assert_eq!(
        headers,
        ["Period", "Rows", "Deals", "Won (RSD)", "Open pipeline (RSD)", "Weighted (RSD)", "Forecast (won + weighted) (RSD)", "Goal (RSD)"]
    );
    // One line per non-empty cell (M1: both regions, M2: both regions), then the totals.
    assert_eq!(rows.len(), 5);
    let total = r.total();
    let money = |minor: i64| Cell::Number(minor as f64 / 100.0);
    // 6 deals; won 105.000,00; open 390.000,00; weighted 94.000,00; forecast 199.000,00; no goal.
    assert_eq!(
        rows[4],
        vec![
            Cell::Text(format!("{} – {}", r.from, r.to)),
            Cell::Text("Total".into()),
            Cell::Number(total.count as f64),
            money(total.won_minor),
            money(total.open_minor),
            money(total.weighted_minor),
            money(total.forecast_minor()),
            Cell::Text(String::new()),
        ]
    );
    assert_eq!(
        rows[4][2..7].to_vec(),
        vec![Cell::Number(6.0), Cell::Number(105_000.0), Cell::Number(390_000.0), Cell::Number(94_000.0), Cell::Number(199_000.0)]
    );
    // A cell line: Novi Sad in M2 (2 deals, won 25.000,00, open 40.000,00, weighted 24.000,00, forecast 49.000,00).
    let ns_m2 = rows.iter().find(|row| row[0] == Cell::Text(k2.clone()) && row[1] == Cell::Text("Novi Sad".into())).expect("Novi Sad M2");
    assert_eq!(
        ns_m2[2..7].to_vec(),
        vec![Cell::Number(2.0), Cell::Number(25_000.0), Cell::Number(40_000.0), Cell::Number(24_000.0), Cell::Number(49_000.0)]
    );
    // The cell lines add up to the totals line.
    let column_sum = |i: usize| -> f64 {
        rows[..4]
            .iter()
            .map(|row| match &row[i] {
                Cell::Number(n) => *n,
                other => panic!("not a number: {other:?}"),
            })
            .sum()
    };
    assert_eq!((2..7).map(column_sum).collect::<Vec<_>>(), vec![6.0, 105_000.0, 390_000.0, 94_000.0, 199_000.0]);

    // With a goal (Ana's M1, 150.000,00), filtered to Ana: the goal has its own line and the totals its sum.
    // Ana: D1, D3, W1 in M1 and D2 in M2 → 4 deals, won 80.000,00, open 350.000,00, weighted 70.000,00,
    // forecast 150.000,00.
    let metric = won_revenue_metric(&db).await;
    let ana_ref = format!("user:{}", f.ana.id);
    goals::save_goal(&db, &f.mgr, &goal_input(metric, &ana_ref, "month", &k1, "absolute", "150.000")).await.expect("goal");
    let r = forecast(&db, &f.mgr, &ReportQuery { owner: f.ana.id.to_string(), ..f.query() }).await;
    assert_eq!(r.goals, vec![(k1.clone(), 15_000_000)]);
    let (_, rows) = report_table(&r, true, Lang::Sr);
    // M1 cell, M1 goal, M2 cell, totals.
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1][0..2].to_vec(), vec![Cell::Text(k1.clone()), Cell::Text("Cilj".into())]);
    assert_eq!(rows[1][7], money(15_000_000));
    let total = r.total();
    assert_eq!(figures(&total), (4, 1, 8_000_000, 35_000_000, 7_000_000, 15_000_000));
    assert_eq!(
        rows[3],
        vec![
            Cell::Text(format!("{} – {}", r.from, r.to)),
            Cell::Text("Ukupno".into()),
            Cell::Number(4.0),
            Cell::Number(80_000.0),
            Cell::Number(350_000.0),
            Cell::Number(70_000.0),
            Cell::Number(150_000.0),
            Cell::Number(150_000.0),
        ]
    );

    // The sales history's table: won deals, won revenue, the same period last year.
    let s = sales(&db, &f.admin, &ReportQuery { period: "month".into(), ..f.query() }).await;
    let (headers, rows) = report_table(&s, false, Lang::En);
    assert_eq!(headers.len(), 5);
    let t = s.total();
    // W1 (80.000,00) and W2 (25.000,00), nothing a year earlier.
    assert_eq!((t.won_count, t.won_minor, t.prior_minor), (2, 10_500_000, 0));
    assert_eq!(rows.last().expect("totals")[2..].to_vec(), vec![Cell::Number(2.0), Cell::Number(105_000.0), Cell::Number(0.0)]);
}
both!(export_report_table);

// ---------------------------------------------------------------------------------------------------
// 5. Data completeness per owner, and the records behind every gap
// ---------------------------------------------------------------------------------------------------

async fn completeness(db: &Db, actor: &Actor, entity: &str) -> Completeness {
    adoption::completeness(db, actor, entity, &Default::default()).await.expect("completeness")
}

fn fill(owner_id: i64, owner: &str, records: i64, filled: Vec<i64>) -> FillRow {
    FillRow { owner_id, owner: owner.into(), records, filled }
}

/// The share of every field of a line, in basis points.
fn shares(r: &FillRow) -> Vec<Option<i64>> {
    r.filled.iter().map(|f| share_bp(*f, r.records)).collect()
}

fn field_at(c: &Completeness, code: &str) -> usize {
    c.fields.iter().position(|f| f == code).unwrap_or_else(|| panic!("no field {code} in {}", c.entity))
}

fn missing(field: &str, owner: Option<i64>) -> ListQuery {
    ListQuery { missing: field.into(), owner: owner.map(|o| o.to_string()).unwrap_or_default(), ..Default::default() }
}

/// The ids (ascending) of the contacts `actor` sees that lack `field` (of one owner, or anyone's).
async fn contacts_missing(db: &Db, actor: &Actor, field: &str, owner: Option<i64>) -> Vec<i64> {
    let page = contacts::list(db, actor, &missing(field, owner)).await.expect("contact list");
    assert!(page.next_cursor.is_none(), "the list fits one page");
    sorted(page.rows.iter().map(|r| r.id).collect())
}

fn contact_input(first: &str, last: &str, account: Option<i64>, email: &str, phone: &str, mobile: &str, job: &str) -> ContactInput {
    ContactInput {
        first_name: first.into(),
        last_name: last.into(),
        account_id: account.map(|a| a.to_string()).unwrap_or_default(),
        email: email.into(),
        phone: phone.into(),
        mobile: mobile.into(),
        job_title: job.into(),
        ..Default::default()
    }
}

/// Contacts with and without e-mail, phone (a mobile counts), job title and account, per owner and in
/// total, with their shares in basis points; every gap opens exactly its contacts in the list; an
/// opportunity's amount (0 counts as none) and an account's PIB the same way; each viewer sees the
/// owners of the records they may see.
async fn completeness_per_owner(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let stage = open[0].id;
    let t1 = team(&db, "Prodaja Sever").await;
    let t2 = team(&db, "Prodaja Jug").await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;

    // Accounts: Ana's Alfa (with a PIB) and Beta (none), Iva's Gama (none), Marko's Delta (with a PIB).
    let with_pib = |name: &str, pib: String| AccountInput { pib, ..account_input(name) };
    let alfa = accounts::create(&db, &ana, &with_pib("Alfa d.o.o.", "100002887".into())).await.expect("Alfa");
    let beta = new_account(&db, &ana, "Beta a.d.").await;
    let gama = new_account(&db, &iva, "Gama d.o.o.").await;
    let delta = accounts::create(&db, &marko, &with_pib("Delta d.o.o.", pib_with_check(10_123_456))).await.expect("Delta");

    // Contacts:           e-mail  phone         job title  account
    //   Ana   C1 Petar    ✓       ✓             ✓          Alfa
    //         C2 Jovan    –       '' + mobile   –          Alfa
    //         C3 Milan    ✓       –             –          –
    //   Iva   C4 Vesna    ✓       ✓             ✓          –
    //         C5 Zoran    ''      –             –          Gama
    //   Marko C6 Dragan   ✓       –             –          Delta
    // ('' is an empty text as an import leaves it: still missing; a mobile alone counts as a phone.)
    let create = |actor: &Actor, input: ContactInput| {
        let (db, actor) = (db.clone(), actor.clone());
        async move { contacts::create(&db, &actor, &input).await.expect("create contact") }
    };
    let c1 = create(&ana, contact_input("Petar", "Petrović", Some(alfa), "petar@alfa.rs", "011 123 4567", "", "Direktor")).await;
    let c2 = create(&ana, contact_input("Jovan", "Jovanović", Some(alfa), "", "", "064 123 4567", "")).await;
    let c3 = create(&ana, contact_input("Milan", "Milić", None, "milan@gmail.com", "", "", "")).await;
    let c4 = create(&iva, contact_input("Vesna", "Vesić", None, "vesna@firma.rs", "021 456 789", "", "Nabavka")).await;
    let c5 = create(&iva, contact_input("Zoran", "Zorić", Some(gama), "", "", "", "")).await;
    let c6 = create(&marko, contact_input("Dragan", "Dragić", Some(delta), "dragan@delta.rs", "", "", "")).await;
    for (sql, id) in [("UPDATE contacts SET phone = '' WHERE id = $1", c2), ("UPDATE contacts SET email = '' WHERE id = $1", c5)] {
        sqlx::query(sql).bind(id).execute(&db.pool).await.expect("an empty text");
    }

    // Everyone's (the admin): owners by name.
    //   Ana   3 contacts: e-mail 2 (C1, C3), phone 2 (C1, C2), job title 1 (C1), account 2 (C1, C2)
    //         → 2/3 = 6666 bp, 6666, 1/3 = 3333, 6666.
    //   Iva   2 contacts: e-mail 1 (C4), phone 1 (C4), job title 1 (C4), account 1 (C5) → 1/2 = 5000 bp each.
    //   Marko 1 contact:  e-mail 1, phone 0, job title 0, account 1 → 10000, 0, 0, 10000 bp.
    //   Total 6 contacts: e-mail 4 → 6666 bp, phone 3 → 5000, job title 2 → 3333, account 4 → 6666.
    let c = completeness(&db, &admin, "contacts").await;
    assert_eq!(c.entity, "contacts");
    assert_eq!(c.fields, ["email", "phone", "job_title", "account"]);
    assert_eq!(
        c.rows,
        vec![
            fill(ana.id, "Ana", 3, vec![2, 2, 1, 2]),
            fill(iva.id, "Iva", 2, vec![1, 1, 1, 1]),
            fill(marko.id, "Marko", 1, vec![1, 0, 0, 1])
        ]
    );
    assert_eq!(c.total, fill(0, "", 6, vec![4, 3, 2, 4]));
    assert_eq!(shares(&c.rows[0]), vec![Some(6_666), Some(6_666), Some(3_333), Some(6_666)]);
    assert_eq!(shares(&c.rows[1]), vec![Some(5_000); 4]);
    assert_eq!(shares(&c.rows[2]), vec![Some(10_000), Some(0), Some(0), Some(10_000)]);
    assert_eq!(shares(&c.total), vec![Some(6_666), Some(5_000), Some(3_333), Some(6_666)]);
    // Per team of the records, by team name: Jug (Marko's) before Sever (Ana's and Iva's).
    assert_eq!(c.teams, vec![fill(t2, "Prodaja Jug", 1, vec![1, 0, 0, 1]), fill(t1, "Prodaja Sever", 5, vec![3, 3, 2, 3])]);
    // The report's team and owner filters narrow every line.
    let sever = adoption::completeness(&db, &admin, "contacts", &ReportQuery { team: t1.to_string(), ..Default::default() }).await.unwrap();
    assert_eq!((sever.rows, sever.teams, sever.total.records), (c.rows[..2].to_vec(), vec![c.teams[1].clone()], 5));
    let ivas =
        adoption::completeness(&db, &admin, "contacts", &ReportQuery { owner: iva.id.to_string(), ..Default::default() }).await.unwrap();
    assert_eq!((ivas.rows, ivas.teams), (vec![c.rows[1].clone()], vec![fill(t1, "Prodaja Sever", 2, vec![1, 1, 1, 1])]));

    // The team (the manager, and a salesperson of the team): Ana and Iva; Mila owns nothing, so has no line.
    //   Total 5 contacts: e-mail 3 → 3/5 = 6000 bp, phone 3 → 6000, job title 2 → 4000, account 3 → 6000.
    let team_view = completeness(&db, &mgr, "contacts").await;
    assert_eq!(team_view.rows, c.rows[..2].to_vec());
    assert_eq!(team_view.total, fill(0, "", 5, vec![3, 3, 2, 3]));
    assert_eq!(shares(&team_view.total), vec![Some(6_000), Some(6_000), Some(4_000), Some(6_000)]);
    assert_eq!(completeness(&db, &ana, "contacts").await, team_view);
    // Marko (the other team) sees his own line only.
    let his = completeness(&db, &marko, "contacts").await;
    assert_eq!(his.rows, vec![fill(marko.id, "Marko", 1, vec![1, 0, 0, 1])]);
    assert_eq!(his.total, fill(0, "", 1, vec![1, 0, 0, 1]));

    // Every gap opens exactly its contacts: Ana's without an e-mail is C2; Iva's is C5 (''); Ana's
    // without a phone only C3 (C2 has a mobile); without a job title C2 and C3; the team's without an
    // account C3 and C4.
    assert_eq!(contacts_missing(&db, &ana, "email", Some(ana.id)).await, vec![c2]);
    assert_eq!(contacts_missing(&db, &mgr, "email", Some(ana.id)).await, vec![c2]);
    assert_eq!(contacts_missing(&db, &mgr, "email", Some(iva.id)).await, vec![c5]);
    assert_eq!(contacts_missing(&db, &ana, "phone", Some(ana.id)).await, vec![c3]);
    assert_eq!(contacts_missing(&db, &ana, "job_title", Some(ana.id)).await, vec![c2, c3]);
    assert_eq!(contacts_missing(&db, &mgr, "account", None).await, vec![c3, c4]);
    assert_eq!(contacts_missing(&db, &admin, "phone", None).await, vec![c3, c5, c6]);
    // … and for every line and field, the list holds records − filled contacts.
    for row in &c.rows {
        for (i, code) in c.fields.iter().enumerate() {
            let n = contacts_missing(&db, &admin, code, Some(row.owner_id)).await.len() as i64;
            assert_eq!(n, row.records - row.filled[i], "{} without {code}", row.owner);
        }
    }
    // Marko cannot open Ana's gaps (her contacts are not his to see), and has none of his own in e-mail.
    assert!(contacts_missing(&db, &marko, "email", Some(ana.id)).await.is_empty());
    assert!(contacts_missing(&db, &marko, "email", None).await.is_empty());
    assert_eq!(contacts_missing(&db, &marko, "phone", None).await, vec![c6]);
    // A field code the kind does not have narrows nothing.
    assert_eq!(contacts_missing(&db, &ana, "fax", Some(ana.id)).await, vec![c1, c2, c3]);

    // Opportunities: Ana's O1 100.000,00 (with contact C1), O2 0,00 and O3 without an amount — 0 is no
    // amount: 1 of 3 = 3333 bp; Iva's O4 5.000,00: 1 of 1 = 10000 bp; the team's 2 of 4 = 5000 bp.
    let o1 = opportunities::create(
        &db,
        &ana,
        &OpportunityInput { contact_id: c1.to_string(), ..opportunity_input("O1", alfa, stage, "100.000") },
    )
    .await
    .expect("O1");
    let o2 = new_opportunity(&db, &ana, "O2", alfa, stage, "0").await;
    let o3 = new_opportunity(&db, &ana, "O3", beta, stage, "").await;
    let o4 = new_opportunity(&db, &iva, "O4", gama, stage, "5.000").await;
    assert_eq!(opportunities::get(&db, &ana, o2).await.expect("O2").amount_minor, 0);
    let opps = completeness(&db, &mgr, "opportunities").await;
    let (amount, contact) = (field_at(&opps, "amount"), field_at(&opps, "contact"));
    assert_eq!(
        opps.rows.iter().map(|r| (r.owner_id, r.records, r.filled[amount])).collect::<Vec<_>>(),
        vec![(ana.id, 3, 1), (iva.id, 1, 1)]
    );
    assert_eq!((opps.rows[0].filled[contact], opps.total.records, opps.total.filled[amount]), (1, 4, 2));
    assert_eq!(share_bp(opps.rows[0].filled[amount], opps.rows[0].records), Some(3_333));
    assert_eq!(share_bp(opps.rows[1].filled[amount], opps.rows[1].records), Some(10_000));
    assert_eq!(share_bp(opps.total.filled[amount], opps.total.records), Some(5_000));
    let (ids, _) = drill(&db, &mgr, &missing("amount", Some(ana.id))).await;
    assert_eq!(ids, vec![o2, o3]);
    let (ids, _) = drill(&db, &mgr, &missing("amount", None)).await;
    assert_eq!(ids, vec![o2, o3], "O1 and O4 have an amount");
    assert!(!ids.contains(&o1) && !ids.contains(&o4));

    // Accounts' PIB: Ana 1 of 2 (Alfa) = 5000 bp, Iva 0 of 1 = 0, Marko 1 of 1 = 10000; everyone's 2 of
    // 4 = 5000 bp, the team's 1 of 3 = 3333 bp. Ana's account without a PIB is Beta.
    let accs = completeness(&db, &admin, "accounts").await;
    let pib = field_at(&accs, "pib");
    assert_eq!(
        accs.rows.iter().map(|r| (r.owner_id, r.records, r.filled[pib], share_bp(r.filled[pib], r.records))).collect::<Vec<_>>(),
        vec![(ana.id, 2, 1, Some(5_000)), (iva.id, 1, 0, Some(0)), (marko.id, 1, 1, Some(10_000))]
    );
    assert_eq!((accs.total.records, share_bp(accs.total.filled[pib], accs.total.records)), (4, Some(5_000)));
    let team_accs = completeness(&db, &mgr, "accounts").await;
    assert_eq!((team_accs.total.records, share_bp(team_accs.total.filled[pib], team_accs.total.records)), (3, Some(3_333)));
    let page = accounts::list(&db, &mgr, &missing("pib", Some(ana.id))).await.expect("account list");
    assert_eq!(sorted(page.rows.iter().map(|r| r.id).collect()), vec![beta]);
    let page = accounts::list(&db, &admin, &missing("pib", None)).await.expect("account list");
    assert_eq!(sorted(page.rows.iter().map(|r| r.id).collect()), vec![beta, gama]);

    // Nothing to count is an empty report; an unknown kind is not found.
    let leads = completeness(&db, &admin, "leads").await;
    assert_eq!((leads.rows.len(), leads.total.records, leads.total.filled.clone()), (0, 0, vec![0, 0, 0]));
    assert_eq!(shares(&leads.total), vec![None; 3]);
    assert_eq!(adoption::completeness(&db, &admin, "products", &Default::default()).await, Err(AppError::NotFound));
}
both!(completeness_per_owner);

// ---------------------------------------------------------------------------------------------------
// 6. Adoption: sign-ins, records kept, activities completed, overdue work and neglected customers
// ---------------------------------------------------------------------------------------------------

async fn adoption_report(db: &Db, actor: &Actor, from: &str, to: &str) -> Adoption {
    let q = ReportQuery { from: from.into(), to: to.into(), ..Default::default() };
    adoption::adoption(db, actor, &q).await.expect("adoption report")
}

fn usage(a: &Adoption, user: i64) -> &UserUsage {
    a.users.iter().find(|u| u.user_id == user).unwrap_or_else(|| panic!("no usage line for user {user}"))
}

/// A local time `days` from today, as a form sends it ("2026-11-27T09:00").
fn local_at(days: i64, hm: &str) -> String {
    format!("{}T{hm}", iso(clock::today() + Duration::days(days)))
}

fn activity_input(kind: &str, subject: &str, starts: &str, regarding: (&str, i64)) -> ActivityInput {
    ActivityInput {
        kind: kind.into(),
        subject: subject.into(),
        starts_at: starts.into(),
        regarding_kind: regarding.0.into(),
        regarding_id: regarding.1.to_string(),
        ..Default::default()
    }
}

/// An activity logged as already done (completed now, whenever it started).
async fn logged(db: &Db, actor: &Actor, kind: &str, subject: &str, starts: &str, regarding: (&str, i64)) -> i64 {
    let input = ActivityInput { completed: "on".into(), ..activity_input(kind, subject, starts, regarding) };
    activities::create(db, actor, &input).await.expect("logged activity")
}

fn kinds(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// One person's sign-ins, records created and changed, activities completed by kind and overdue work;
/// who was active in which week; each viewer sees the people they may see; the best customers without a
/// completed activity in the last 60 days, until somebody calls them.
async fn adoption_usage(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let stage = open[0].id;
    let t1 = team(&db, "Prodaja Sever").await;
    let t2 = team(&db, "Prodaja Jug").await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;
    let today = clock::today();
    let this_week = week_start(today);

    // Ana signs in twice (a wrong password is no sign-in).
    assert!(auth::sign_in(&db, "ana@veza.rs", "pogresna-lozinka", "10.0.0.1").await.is_err());
    for _ in 0..2 {
        auth::sign_in(&db, "ana@veza.rs", PASSWORD, "10.0.0.1").await.expect("sign in");
    }
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM sign_ins WHERE user_id = $1", ana.id).await, 2);

    // Ana creates an account and a contact and changes the contact; her activities:
    //   A1 call today 08:00 and M meeting today 09:00, both completed; A2 call yesterday 10:00, logged
    //   as done; Late task yesterday 09:00, still open (overdue); Later task today 23:59, open (not yet).
    // Created: account, contact, A1, M, A2, Late, Later = 7 records. Changed: the contact, A1 and M
    // (completing is a change) = 3. Completed: call 2 (A1, A2), meeting 1. Overdue: 1.
    let kupac = new_account(&db, &ana, "Kupac d.o.o.").await;
    let input =
        ContactInput { first_name: "Petar".into(), last_name: "Petrović".into(), account_id: kupac.to_string(), ..Default::default() };
    let petar = contacts::create(&db, &ana, &input).await.expect("contact");
    let change = ContactInput { id: petar.to_string(), version: "1".into(), job_title: "Direktor".into(), ..input };
    contacts::update(&db, &ana, &change).await.expect("change the contact");
    let a1 = activities::create(&db, &ana, &activity_input("call", "Poziv", &local_at(0, "08:00"), ("account", kupac))).await.expect("A1");
    let m =
        activities::create(&db, &ana, &activity_input("meeting", "Sastanak", &local_at(0, "09:00"), ("contact", petar))).await.expect("M");
    for id in [a1, m] {
        let done = CompleteInput { id: id.to_string(), version: "1".into(), outcome: "Dogovoreno".into(), ..Default::default() };
        activities::complete(&db, &ana, &done).await.expect("complete");
    }
    logged(&db, &ana, "call", "Obavljen poziv", &local_at(-1, "10:00"), ("account", kupac)).await;
    activities::create(&db, &ana, &activity_input("task", "Zakasnelo", &local_at(-1, "09:00"), ("account", kupac))).await.expect("Late");
    activities::create(&db, &ana, &activity_input("task", "Kasnije", &local_at(0, "23:59"), ("account", kupac))).await.expect("Later");

    // Mila's customers: won revenue of the last 365 days, and the last completed activity:
    //   Zaboravljeni  500.000,00 won 30 days ago;      an e-mail 90 days ago           → neglected, first
    //   Mali           20.000,00 won 100 days ago;     an e-mail 61 days ago at 23:00  → neglected, second
    //   Granica        10.000,00 won 365 days ago;     nothing                         → neglected, third
    //   Posećeni    1.000.000,00 won 200 days ago;     an e-mail on its deal 10 days ago → not neglected
    //   Skoro          30.000,00 won 50 days ago;      an e-mail 60 days ago at 00:00  → not neglected
    //   Stari       2.000.000,00 won 366 days ago;     nothing                         → no revenue in the year
    // Mila created 6 accounts, 6 deals and 4 e-mails (16 records), changed the 6 deals (closing them) and
    // completed 4 e-mails (now, whenever they took place).
    let ago = |days: i64| today - Duration::days(days);
    let mut customers = Vec::new();
    for (name, amount, won_days) in [
        ("Zaboravljeni d.o.o.", "500.000", 30),
        ("Mali d.o.o.", "20.000", 100),
        ("Granica d.o.o.", "10.000", 365),
        ("Posećeni d.o.o.", "1.000.000", 200),
        ("Skoro d.o.o.", "30.000", 50),
        ("Stari d.o.o.", "2.000.000", 366),
    ] {
        let acc = new_account(&db, &mgr, name).await;
        let deal = won_deal(&db, &mgr, &format!("Posao {name}"), acc, stage, amount, ago(won_days), "").await;
        customers.push((acc, deal));
    }
    let [zab, mali, granica, poseceni, skoro, _stari] = [0, 1, 2, 3, 4, 5].map(|i| customers[i]);
    logged(&db, &mgr, "email", "Ponuda", &local_at(-90, "10:00"), ("account", zab.0)).await;
    logged(&db, &mgr, "email", "Pitanje", &local_at(-61, "23:00"), ("account", mali.0)).await;
    logged(&db, &mgr, "email", "Isporuka", &local_at(-10, "12:00"), ("opportunity", poseceni.1)).await;
    logged(&db, &mgr, "email", "Čestitka", &local_at(-60, "00:00"), ("account", skoro.0)).await;

    // The default range: the last four weeks, this one included.
    let r = adoption_report(&db, &admin, "", "").await;
    let first = this_week - Duration::days(21);
    let weeks: Vec<String> = (0..4).map(|i| iso(first + Duration::days(7 * i))).collect();
    assert_eq!((r.from.clone(), r.to.clone()), (iso(first), iso(today)));
    let a = usage(&r, ana.id);
    assert_eq!((a.name.as_str(), a.sign_ins, a.created, a.updated, a.overdue), ("Ana", 2, 7, 3, 1));
    assert_eq!(a.completed, kinds(&[("call", 2), ("meeting", 1)]));
    assert_eq!(a.completed_total(), 3);
    let last = a.last_sign_in.clone().expect("last sign-in");
    assert!(last.starts_with(&format!("{}T", iso(today))), "last sign-in {last} is today's, in local time");
    let m = usage(&r, mgr.id);
    assert_eq!((m.sign_ins, m.last_sign_in.clone(), m.created, m.updated, m.overdue), (0, None, 16, 6, 0));
    assert_eq!(m.completed, kinds(&[("email", 4)]));
    // Per person and week: this week's line holds what each completed, the weeks before are empty.
    let idle_weeks: Vec<(String, Vec<(String, i64)>)> = weeks.iter().map(|w| (w.clone(), Vec::new())).collect();
    let with_this_week = |k: Vec<(String, i64)>| {
        let mut w = idle_weeks.clone();
        w[3].1 = k;
        w
    };
    assert_eq!(a.weekly, with_this_week(kinds(&[("call", 2), ("meeting", 1)])));
    assert_eq!(m.weekly, with_this_week(kinds(&[("email", 4)])));
    // The admin sees every active user, by name; Iva, Marko and the admin did nothing.
    assert_eq!(r.users.iter().map(|u| u.user_id).collect::<Vec<_>>(), vec![admin.id, ana.id, iva.id, marko.id, mgr.id]);
    let idle = |id: i64, name: &str| UserUsage { user_id: id, name: name.into(), weekly: idle_weeks.clone(), ..Default::default() };
    for (id, name) in [(admin.id, "Admin"), (iva.id, "Iva"), (marko.id, "Marko")] {
        assert_eq!(usage(&r, id), &idle(id, name));
    }
    // The team filter narrows the people to that team; the owner filter to one person.
    let t1_only =
        adoption::adoption(&db, &admin, &ReportQuery { team: mgr.team_id.unwrap().to_string(), ..Default::default() }).await.unwrap();
    assert_eq!(t1_only.users.iter().map(|u| u.user_id).collect::<Vec<_>>(), vec![ana.id, iva.id, mgr.id]);
    let ana_only = adoption::adoption(&db, &admin, &ReportQuery { owner: ana.id.to_string(), ..Default::default() }).await.unwrap();
    assert_eq!(ana_only.users, vec![a.clone()]);
    assert_eq!(ana_only.completed_by_week.last(), Some(&(iso(this_week), kinds(&[("call", 2), ("meeting", 1)]))));
    // The dashboard's four weeks of team activity are the same figures.
    assert_eq!(adoption::weekly_completed(&db, &mgr, &ReportQuery::default(), 4).await.unwrap(), r.completed_by_week);
    // Active this week: Ana and Mila; nobody in the three weeks before. Completed this week: Ana's
    // calls and meeting, Mila's e-mails.
    assert_eq!(r.active_by_week, weeks.iter().cloned().zip([0, 0, 0, 2]).collect::<Vec<_>>());
    let empty: Vec<(String, i64)> = Vec::new();
    let this_weeks = kinds(&[("call", 2), ("email", 4), ("meeting", 1)]);
    assert_eq!(
        r.completed_by_week,
        weeks.iter().cloned().zip([empty.clone(), empty.clone(), empty.clone(), this_weeks.clone()]).collect::<Vec<_>>()
    );
    assert_eq!(r.completeness.iter().map(|c| c.entity.as_str()).collect::<Vec<_>>(), ["accounts", "contacts", "opportunities", "leads"]);

    // The manager sees the team's people (Ana, Iva and herself), not Marko.
    let team_r = adoption_report(&db, &mgr, "", "").await;
    assert_eq!(team_r.users.iter().map(|u| u.user_id).collect::<Vec<_>>(), vec![ana.id, iva.id, mgr.id]);
    assert_eq!((usage(&team_r, ana.id), usage(&team_r, mgr.id)), (usage(&r, ana.id), usage(&r, mgr.id)));
    assert_eq!(team_r.active_by_week.last(), Some(&(iso(this_week), 2)));
    assert_eq!(team_r.completed_by_week.last(), Some(&(iso(this_week), this_weeks.clone())));
    // A salesperson sees herself only: her week and her completed activities; her contact is complete
    // in job title and account, not in e-mail or phone.
    let own = adoption_report(&db, &ana, "", "").await;
    assert_eq!(own.users, vec![usage(&r, ana.id).clone()]);
    assert_eq!(own.active_by_week.last(), Some(&(iso(this_week), 1)));
    assert_eq!(own.completed_by_week.last(), Some(&(iso(this_week), kinds(&[("call", 2), ("meeting", 1)]))));
    assert_eq!(own.completeness[1].rows, vec![fill(ana.id, "Ana", 1, vec![0, 0, 1, 1])]);
    let his = adoption_report(&db, &marko, "", "").await;
    assert_eq!(his.users, vec![idle(marko.id, "Marko")]);
    assert!(his.active_by_week.iter().all(|w| w.1 == 0) && his.completed_by_week.iter().all(|w| w.1.is_empty()));

    // Yesterday alone: nothing of today's counts; the overdue task is overdue whatever the range.
    let yesterday = ago(1);
    let y = adoption_report(&db, &ana, &iso(yesterday), &iso(yesterday)).await;
    assert_eq!((y.from.clone(), y.to.clone()), (iso(yesterday), iso(yesterday)));
    assert_eq!(
        y.users,
        vec![UserUsage {
            user_id: ana.id,
            name: "Ana".into(),
            overdue: 1,
            weekly: vec![(iso(week_start(yesterday)), Vec::new())],
            ..Default::default()
        }]
    );
    assert_eq!(y.active_by_week, vec![(iso(week_start(yesterday)), 0)]);

    // Neglected customers, by won revenue: Zaboravljeni (last contact 90 days ago), Mali (61 days ago,
    // one day before the 60), Granica (won on the first day of the year, never contacted).
    let zab_row = Neglected {
        account_id: zab.0,
        name: "Zaboravljeni d.o.o.".into(),
        owner: "Mila".into(),
        won_minor: 50_000_000,
        last_contact: Some(iso(ago(90))),
    };
    let mali_row = Neglected {
        account_id: mali.0,
        name: "Mali d.o.o.".into(),
        owner: "Mila".into(),
        won_minor: 2_000_000,
        last_contact: Some(iso(ago(61))),
    };
    let granica_row =
        Neglected { account_id: granica.0, name: "Granica d.o.o.".into(), owner: "Mila".into(), won_minor: 1_000_000, last_contact: None };
    assert_eq!(r.neglect_days, 60);
    assert_eq!(r.neglected, vec![zab_row.clone(), mali_row.clone(), granica_row.clone()]);
    assert_eq!(team_r.neglected, r.neglected);
    assert_eq!(own.neglected, r.neglected, "the team's customers are Ana's to see");
    assert!(his.neglected.is_empty(), "not Marko's customers");
    // After 90 days instead of 60: Mali (61 days ago) is no longer neglected; Granica (never) still is.
    let q90 = ReportQuery { days: "90".into(), ..Default::default() };
    let r90 = adoption::adoption(&db, &admin, &q90).await.unwrap();
    assert_eq!(r90.neglect_days, 90);
    assert!(!r90.neglected.iter().any(|n| n.account_id == mali.0) && r90.neglected.iter().any(|n| n.account_id == granica.0));
    // A number of days not offered falls back to 60.
    assert_eq!(
        adoption::adoption(&db, &admin, &ReportQuery { days: "7; DROP".into(), ..Default::default() }).await.unwrap().neglect_days,
        60
    );
    // Ana calls Zaboravljeni today: no longer neglected.
    logged(&db, &ana, "call", "Javljanje", &local_at(0, "08:30"), ("account", zab.0)).await;
    assert_eq!(adoption_report(&db, &admin, "", "").await.neglected, vec![mali_row, granica_row]);

    // A sign-in at 00:30 on Monday of last week, company time (still Sunday in UTC), is last week's.
    let monday = this_week - Duration::days(7);
    let at = clock::stamp(clock::local_to_utc(monday.and_hms_opt(0, 30, 0).expect("00:30")).expect("a local time"));
    sqlx::query("INSERT INTO sign_ins (user_id, at) VALUES ($1, $2)").bind(iva.id).bind(&at).execute(&db.pool).await.expect("sign-in row");
    let r = adoption_report(&db, &mgr, "", "").await;
    let i = usage(&r, iva.id);
    assert_eq!((i.sign_ins, i.last_sign_in.clone()), (1, Some(format!("{}T00:30", iso(monday)))));
    // Weeks are the company's: a Monday 00:30 sign-in (Sunday in UTC) belongs to that Monday's week.
    assert_eq!(r.active_by_week, weeks.iter().cloned().zip([0, 0, 1, 2]).collect::<Vec<_>>(), "Iva was active last week");
}
both!(adoption_usage);

// ---------------------------------------------------------------------------------------------------
// 7. Pipeline health: funnel, won deal size and cycle, age of open deals, slipping deals, lead sources
// ---------------------------------------------------------------------------------------------------

use app::domain::reports::{AgeBucket, FunnelStep, Health, Slipping, SourceRow};
use app::domain::{LeadInput, QualifyInput};
use app::services::leads;
use app::services::reports::health;

async fn pipeline_health_of(db: &Db, actor: &Actor, q: &ReportQuery) -> Health {
    health::health(db, actor, q).await.expect("pipeline health")
}

/// Moves an opportunity through `stages` in turn (as the board does); returns its version after.
async fn move_through(db: &Db, actor: &Actor, id: i64, stages: &[i64]) -> i64 {
    let mut version = opportunities::get(db, actor, id).await.expect("deal").version;
    for stage in stages {
        version = board::move_opportunity(db, actor, id, *stage, version).await.expect("move the card").version;
    }
    version
}

/// Closes an open deal (at `version`) as won today for the actual value `amount`.
async fn close_won_today(db: &Db, actor: &Actor, id: i64, version: i64, amount: &str) {
    let close = CloseInput {
        id: id.to_string(),
        version: version.to_string(),
        outcome: "won".into(),
        amount: amount.into(),
        close_date: iso(clock::today()),
        ..Default::default()
    };
    closing::close(db, actor, &close).await.expect("close as won");
}

/// Closes an open deal (at `version`) as lost today (price).
async fn close_lost_today(db: &Db, actor: &Actor, id: i64, version: i64) {
    let price = picklists::load(db).await.expect("picklists").loss_reasons.into_iter().find(|r| r.code == "price").expect("price").id;
    let close = CloseInput {
        id: id.to_string(),
        version: version.to_string(),
        outcome: "lost".into(),
        reason_id: price.to_string(),
        close_date: iso(clock::today()),
        ..Default::default()
    };
    closing::close(db, actor, &close).await.expect("close as lost");
}

/// Sets an opportunity's creation time to `local` (the company's time) on `date`.
async fn set_created(db: &Db, id: i64, date: NaiveDate, local: (u32, u32)) {
    let at = clock::stamp(clock::local_to_utc(date.and_hms_opt(local.0, local.1, 0).expect("a time")).expect("a local time"));
    sqlx::query("UPDATE opportunities SET created_at = $1 WHERE id = $2").bind(&at).bind(id).execute(&db.pool).await.expect("created_at");
}

/// Moves an open deal's expected close date to `close` (an update of the whole form); returns the new version.
async fn move_close_date(db: &Db, actor: &Actor, id: i64, input: &OpportunityInput, close: NaiveDate) -> i64 {
    let version = opportunities::get(db, actor, id).await.expect("deal").version;
    let change = OpportunityInput { id: id.to_string(), version: version.to_string(), close_date: iso(close), ..input.clone() };
    opportunities::update(db, actor, &change).await.expect("move the close date")
}

async fn lead_source(db: &Db, code: &str) -> i64 {
    picklists::load(db).await.expect("picklists").sources.into_iter().find(|s| s.code == code).expect("seeded lead source").id
}

/// A new lead of `actor` from `source` (None: no source), with an estimate.
async fn new_lead(db: &Db, actor: &Actor, company: &str, source: Option<i64>, estimated: &str) -> i64 {
    let input = LeadInput {
        company: company.into(),
        first_name: "Petar".into(),
        last_name: "Petrović".into(),
        rating: "warm".into(),
        source_id: source.map(|s| s.to_string()).unwrap_or_default(),
        estimated: estimated.into(),
        ..Default::default()
    };
    leads::create(db, actor, &input).await.expect("lead")
}

/// Qualifies a new lead (version 1), with or without an opportunity; returns the opportunity.
async fn qualify_lead(db: &Db, actor: &Actor, lead: i64, with_opportunity: bool) -> Option<i64> {
    let q = QualifyInput {
        lead_id: lead.to_string(),
        version: "1".into(),
        create_opportunity: if with_opportunity { "on".into() } else { String::new() },
        ..Default::default()
    };
    leads::qualify(db, actor, &q).await.expect("qualify").opportunity_id
}

/// (stage, reached) of every funnel step.
fn reached(h: &Health) -> Vec<(i64, String, i64)> {
    h.funnel.iter().map(|f: &FunnelStep| (f.stage_id, f.stage.clone(), f.reached)).collect()
}

/// (count, value) of every age bucket, youngest first.
fn ages(h: &Health) -> Vec<(Option<i64>, i64, i64)> {
    h.ageing.iter().map(|a: &AgeBucket| (a.max_days, a.count, a.value_minor)).collect()
}

/// Deals created this week go through the stages (one skipping two), are won, lost or stay open: how
/// many reached each stage and how long they stayed; the won deals' average size and cycle; open deals
/// by age; open deals whose close date was pushed later (not once it is closed); leads by source down
/// to won revenue; the owner filter; another team sees nothing.
async fn pipeline_health(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let [prospecting, qualification, needs, proposal, negotiation] = [0, 1, 2, 3, 4].map(|i| open[i].id);
    let t1 = team(&db, "Prodaja Sever").await;
    let t2 = team(&db, "Prodaja Jug").await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let marko = user(&db, "marko@veza.rs", "Marko", "sales", Some(t2)).await;
    let alfa = account(&db, &mgr, "Alfa d.o.o.", "Beograd", "A").await;
    let today = clock::today();
    let ago = |days: i64| today - Duration::days(days);
    let later = |days: i64| today + Duration::days(days);
    // The range: the last seven days and today; every deal below is created now (in it) unless said otherwise.
    let q = range(ago(7), today);

    // The funnel's deals (stage changes: P Prospecting, Q Qualification, N Needs analysis, Pr Proposal,
    // Ng Negotiation):
    //   F1 Ana 100.000  P → Q → N                     open
    //   F2 Ana 100.000  P → Q → won for 120.000 today
    //   F3 Ana  50.000  P → Q → lost today
    //   F4 Ana  50.000  P                             open
    //   F5 Iva  80.000  created in N → Ng             open (skips Proposal)
    //   W2 Iva  60.000  P → won today
    let f1 = open_deal(&db, &ana, "F1", alfa, prospecting, "100.000", later(30), "", "").await;
    move_through(&db, &ana, f1, &[qualification, needs]).await;
    let f2 = open_deal(&db, &ana, "F2", alfa, prospecting, "100.000", later(30), "", "").await;
    let v = move_through(&db, &ana, f2, &[qualification]).await;
    close_won_today(&db, &ana, f2, v, "120.000").await;
    let f3 = open_deal(&db, &ana, "F3", alfa, prospecting, "50.000", later(30), "", "").await;
    let v = move_through(&db, &ana, f3, &[qualification]).await;
    close_lost_today(&db, &ana, f3, v).await;
    open_deal(&db, &ana, "F4", alfa, prospecting, "50.000", later(30), "", "").await;
    let f5 = open_deal(&db, &iva, "F5", alfa, needs, "80.000", later(30), "", "").await;
    move_through(&db, &iva, f5, &[negotiation]).await;
    let w2 = won_deal(&db, &iva, "W2", alfa, prospecting, "60.000", today, "").await;

    // Slipping (close dates c0 = in 20 days):
    //   S1 Iva 40.000: c0 → c0 + 10 → c0 + 25 (two pushes) → c0 + 15 (earlier: no push); open.
    //   S2 Ana 30.000: c0 → c0 + 10 (a push), then lost: closed, so not slipping.
    //   S3 Iva 20.000: c0 → c0 − 10 (earlier) → c0 + 5 (one push); open.
    let c0 = later(20);
    let s1_input = deal_input("S1", alfa, prospecting, "40.000", c0, "", "");
    let s1 = opportunities::create(&db, &iva, &s1_input).await.expect("S1");
    for days in [10, 25, 15] {
        move_close_date(&db, &iva, s1, &s1_input, c0 + Duration::days(days)).await;
    }
    let s2_input = deal_input("S2", alfa, prospecting, "30.000", c0, "", "");
    let s2 = opportunities::create(&db, &ana, &s2_input).await.expect("S2");
    let v = move_close_date(&db, &ana, s2, &s2_input, c0 + Duration::days(10)).await;
    close_lost_today(&db, &ana, s2, v).await;
    let s3_input = deal_input("S3", alfa, prospecting, "20.000", c0, "", "");
    let s3 = opportunities::create(&db, &iva, &s3_input).await.expect("S3");
    for days in [-10, 5] {
        move_close_date(&db, &iva, s3, &s3_input, c0 + Duration::days(days)).await;
    }

    // Leads (created now):
    //   L1 Ana web   200.000 → qualified with an opportunity LD (P), won for 150.000 today
    //   L2 Ana web            new
    //   L3 Iva web            qualified without an opportunity
    //   L4 Iva fair           new
    //   L5 Ana (no source)    new
    //   L6 Iva fair   25.000 → qualified with an opportunity LD6 (P), open
    let (web, fair) = (lead_source(&db, "web").await, lead_source(&db, "fair").await);
    let l1 = new_lead(&db, &ana, "Mlekara d.o.o.", Some(web), "200.000").await;
    let ld = qualify_lead(&db, &ana, l1, true).await.expect("LD");
    assert_eq!(opportunities::get(&db, &ana, ld).await.expect("LD").amount_minor, 20_000_000, "the lead's estimate");
    close_won_today(&db, &ana, ld, 1, "150.000").await;
    new_lead(&db, &ana, "Pekara d.o.o.", Some(web), "").await;
    let l3 = new_lead(&db, &iva, "Mesara d.o.o.", Some(web), "").await;
    assert_eq!(qualify_lead(&db, &iva, l3, false).await, None);
    new_lead(&db, &iva, "Vinarija d.o.o.", Some(fair), "").await;
    new_lead(&db, &ana, "Bez izvora d.o.o.", None, "").await;
    let l6 = new_lead(&db, &iva, "Sirana d.o.o.", Some(fair), "25.000").await;
    let _ld6 = qualify_lead(&db, &iva, l6, true).await.expect("LD6");

    // Old open deals (created now, then dated back to noon, company time): A10 10.000 ten days ago,
    // A45 20.000 45 days ago, A200 30.000 200 days ago — all before the range.
    for (name, amount, days) in [("A10", "10.000", 10), ("A45", "20.000", 45), ("A200", "30.000", 200)] {
        let id = open_deal(&db, &ana, name, alfa, prospecting, amount, later(30), "", "").await;
        set_created(&db, id, ago(days), (12, 0)).await;
    }
    // The won deals were created today: dated at noon (company time) so that their creation day is
    // today whatever the hour the test runs (see the time-zone check at the end).
    for id in [f2, w2, ld] {
        set_created(&db, id, today, (12, 0)).await;
    }

    let h = pipeline_health_of(&db, &admin, &q).await;
    assert_eq!((h.from.clone(), h.to.clone()), (iso(ago(7)), iso(today)));
    // Created in the range: F1–F5, W2, S1–S3, LD, LD6 = 11; won: F2, W2, LD = 3 (A10 … A200 were created
    // before it).
    assert_eq!((h.created, h.won_of_created), (11, 3));

    // The funnel: a deal reached a stage when it ever was in it or a later open stage, or won.
    //   Prospecting:    all 11
    //   Qualification:  F1, F2, F3 (lost after it), F5 (in N), W2 and LD (won) = 6
    //   Needs analysis: F1, F2, F5, W2, LD = 5
    //   Proposal:       F2, F5 (skipped it to Ng), W2, LD = 4 — nobody stayed in it
    //   Negotiation:    F2, F5, W2, LD = 4
    let name = |i: usize| open[i].name.clone();
    assert_eq!(
        reached(&h),
        vec![
            (prospecting, name(0), 11),
            (qualification, name(1), 6),
            (needs, name(2), 5),
            (proposal, name(3), 4),
            (negotiation, name(4), 4)
        ]
    );
    assert_eq!(
        h.funnel.iter().map(|f| f.stage.as_str()).collect::<Vec<_>>(),
        ["Prospecting", "Qualification", "Needs analysis", "Proposal", "Negotiation"]
    );
    // The stays took (milli)seconds: about 0 days, in tenths. No deal stayed in Proposal: no average.
    for step in &h.funnel {
        if step.stage_id == proposal {
            assert_eq!(step.avg_days_x10, None, "nobody stayed in Proposal");
        } else {
            assert!(matches!(step.avg_days_x10, Some(0..=1)), "{}: {:?}", step.stage, step.avg_days_x10);
        }
    }

    // Won deals closed in the range: F2 120.000 + W2 60.000 + LD 150.000 = 330.000 / 3 = 110.000 each on
    // average; created and closed today: a cycle of 0 days.
    assert_eq!((h.won_closed, h.avg_won_minor, h.avg_cycle_days), (3, Some(11_000_000), Some(0)));

    // Open deals by age (whatever their creation date):
    //   ≤ 30 days:  F1 100.000 + F4 50.000 + F5 80.000 + S1 40.000 + S3 20.000 + LD6 25.000 + A10 10.000
    //               = 7 deals, 325.000
    //   31–60:      A45 20.000;  61–90 and 91–180: none;  older: A200 30.000
    assert_eq!(
        ages(&h),
        vec![(Some(30), 7, 32_500_000), (Some(60), 1, 2_000_000), (Some(90), 0, 0), (Some(180), 0, 0), (None, 1, 3_000_000)]
    );

    // Slipping: S1 pushed twice (then pulled back a little), from c0; S3 pushed once; S2 is closed.
    assert_eq!(h.slipping.iter().map(|s| (s.id, s.pushes)).collect::<Vec<_>>(), vec![(s1, 2), (s3, 1)]);
    assert_eq!(
        h.slipping[0],
        Slipping {
            id: s1,
            name: "S1".into(),
            owner: "Iva".into(),
            amount_minor: 4_000_000,
            currency: "RSD".into(),
            close_date: iso(c0 + Duration::days(15)),
            pushes: 2,
            first_close: iso(c0),
        }
    );
    assert_eq!((h.slipping[1].close_date.clone(), h.slipping[1].amount_minor), (iso(c0 + Duration::days(5)), 2_000_000));
    assert!(h.slipping.iter().all(|s| s.id != s2), "a closed deal does not slip");

    // Leads by source (most leads first):
    //   web:  L1, L2, L3 = 3 leads; qualified L1, L3 = 2; 1 opportunity (LD), won for 150.000
    //   fair: L4, L6 = 2 leads; qualified L6; 1 opportunity (LD6), open
    //   none: L5
    let row = |source_id, leads, qualified, opportunities, won_count, won_minor| SourceRow {
        source_id,
        leads,
        qualified,
        opportunities,
        won_count,
        won_minor,
    };
    assert_eq!(h.sources, vec![row(Some(web), 3, 2, 1, 1, 15_000_000), row(Some(fair), 2, 1, 1, 0, 0), row(None, 1, 0, 0, 0, 0)]);

    // The team sees the same: its manager, a salesperson of it, the admin asking for the team.
    for viewer in [&mgr, &iva] {
        assert_eq!(pipeline_health_of(&db, viewer, &q).await, h);
    }
    assert_eq!(pipeline_health_of(&db, &admin, &ReportQuery { team: t1.to_string(), ..q.clone() }).await, h);
    // Without a range: the last year, which also holds A10, A45 and A200 (14 created, all in Prospecting
    // only); the rest is the same.
    let year = pipeline_health_of(&db, &admin, &ReportQuery::default()).await;
    assert_eq!((year.from.clone(), year.to.clone()), (iso(today - Duration::days(365)), iso(today)));
    assert_eq!((year.created, year.won_of_created), (14, 3));
    assert_eq!(reached(&year).iter().map(|r| r.2).collect::<Vec<_>>(), vec![14, 6, 5, 4, 4]);
    assert_eq!(
        (year.won_closed, year.avg_won_minor, &year.ageing, &year.slipping, &year.sources),
        (3, h.avg_won_minor, &h.ageing, &h.slipping, &h.sources)
    );
    // The 30 days to a week ago: only A10 was created in them (in Prospecting); nothing closed, pushed
    // or brought in; the age of open deals is always today's.
    let before = pipeline_health_of(&db, &admin, &range(ago(30), ago(8))).await;
    assert_eq!((before.created, before.won_closed, before.slipping.len()), (1, 0, 0));
    assert_eq!(reached(&before), vec![(prospecting, name(0), 1)]);
    assert!(before.sources.is_empty());
    assert_eq!(before.ageing, h.ageing, "the age of open deals is today's");

    // Only Iva's: F5, W2, S1, S3, LD6 created (W2 won); W2 won for 60.000; her open deals F5, S1, S3,
    // LD6 = 80.000 + 40.000 + 20.000 + 25.000 = 165.000, all young; her leads: fair L4, L6 (L6 qualified
    // into LD6), web L3 (qualified, no opportunity).
    let hers = pipeline_health_of(&db, &admin, &ReportQuery { owner: iva.id.to_string(), ..q.clone() }).await;
    assert_eq!((hers.created, hers.won_of_created), (5, 1));
    // Iva's funnel: all 5 reached Prospecting; Qualification … Negotiation: F5 and W2.
    assert_eq!(reached(&hers).iter().map(|r| r.2).collect::<Vec<_>>(), vec![5, 2, 2, 2, 2]);
    assert_eq!((hers.won_closed, hers.avg_won_minor, hers.avg_cycle_days), (1, Some(6_000_000), Some(0)));
    assert_eq!(ages(&hers)[0], (Some(30), 4, 16_500_000));
    assert_eq!(hers.ageing[1..].iter().map(|a| a.count).sum::<i64>(), 0);
    assert_eq!(hers.slipping.iter().map(|s| s.id).collect::<Vec<_>>(), vec![s1, s3]);
    assert_eq!(hers.sources, vec![row(Some(fair), 2, 1, 1, 0, 0), row(Some(web), 1, 1, 0, 0, 0)]);

    // Every figure opens exactly its deals: created in the range, of them won, each funnel step and
    // each age bucket.
    let drill = |extra: ListQuery| {
        let db = db.clone();
        let admin = admin.clone();
        let q = ListQuery { owner: iva.id.to_string(), created_from: hers.from.clone(), created_to: hers.to.clone(), ..extra };
        async move { opportunities::list(&db, &admin, &q).await.expect("drill-down").rows.len() as i64 }
    };
    assert_eq!(drill(ListQuery::default()).await, hers.created);
    assert_eq!(drill(ListQuery { outcome: "won".into(), ..Default::default() }).await, hers.won_of_created);
    for f in &hers.funnel {
        assert_eq!(drill(ListQuery { reached: f.stage_id.to_string(), ..Default::default() }).await, f.reached, "{}", f.stage);
    }
    for a in &hers.ageing {
        let q = ListQuery {
            owner: iva.id.to_string(),
            outcome: "open".into(),
            created_from: a.created_from.clone(),
            created_to: a.created_to.clone(),
            ..Default::default()
        };
        assert_eq!(opportunities::list(&db, &admin, &q).await.unwrap().rows.len() as i64, a.count, "{:?}", a.max_days);
    }

    // Another team's salesperson sees nothing of it, also asking for the team by its filter: the
    // buckets are there, empty.
    let empty = Health {
        from: iso(ago(7)),
        to: iso(today),
        ageing: vec![
            AgeBucket { max_days: Some(30), created_from: iso(ago(30)), ..Default::default() },
            AgeBucket { max_days: Some(60), created_from: iso(ago(60)), created_to: iso(ago(31)), ..Default::default() },
            AgeBucket { max_days: Some(90), created_from: iso(ago(90)), created_to: iso(ago(61)), ..Default::default() },
            AgeBucket { max_days: Some(180), created_from: iso(ago(180)), created_to: iso(ago(91)), ..Default::default() },
            AgeBucket { max_days: None, created_to: iso(ago(181)), ..Default::default() },
        ],
        ..Default::default()
    };
    assert_eq!(pipeline_health_of(&db, &marko, &q).await, empty);
    assert_eq!(pipeline_health_of(&db, &marko, &ReportQuery { team: t1.to_string(), ..q.clone() }).await, empty);

    // A deal created 20 days ago (noon) and won today for 70.000: four won deals, 400.000 / 4 = 100.000
    // on average; cycles 0, 0, 0 and 20 days → 5 on average. It was created before the range: the
    // funnel and the created count do not change.
    let old = open_deal(&db, &ana, "Stari", alfa, prospecting, "70.000", later(30), "", "").await;
    set_created(&db, old, ago(20), (12, 0)).await;
    close_won_today(&db, &ana, old, 1, "70.000").await;
    let h2 = pipeline_health_of(&db, &admin, &q).await;
    assert_eq!((h2.won_closed, h2.avg_won_minor, h2.avg_cycle_days), (4, Some(10_000_000), Some(5)));
    assert_eq!((h2.created, h2.won_of_created, reached(&h2), h2.ageing.clone()), (11, 3, reached(&h), h.ageing.clone()));

    // S3 was first due on c0 in the range: moved earlier to c0 − 10, then later to c0 + 5 (its one push).
    let s3_row = h.slipping.iter().find(|s| s.id == s3).expect("S3 slips");
    assert_eq!(s3_row.pushes, 1);
    assert_eq!(s3_row.first_close, iso(c0), "the first close date S3 had in the range");

    // The creation day is the company's: a deal created today at 00:30 (still yesterday in UTC) and won
    // today took 0 days.
    let early = open_deal(&db, &mgr, "Rani", alfa, prospecting, "10.000", later(30), "", "").await;
    set_created(&db, early, today, (0, 30)).await;
    close_won_today(&db, &mgr, early, 1, "10.000").await;
    let mila = pipeline_health_of(&db, &admin, &ReportQuery { owner: mgr.id.to_string(), ..q.clone() }).await;
    assert_eq!((mila.created, mila.won_closed), (1, 1));
    assert_eq!(mila.avg_cycle_days, Some(0), "created and won on the same day, company time");
}
both!(pipeline_health);

// ---------------------------------------------------------------------------------------------------
// 7. The home dashboard per role
// ---------------------------------------------------------------------------------------------------

/// A salesperson's dashboard holds their own figures; a manager's the team's; an administrator's
/// everyone's, with data completeness.
async fn dashboard_per_role(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let stage = open[0].id;
    let t1 = team(&db, "Prodaja Sever").await;
    let admin = user(&db, "admin@veza.rs", "Admin", "admin", None).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t1)).await;
    let alfa = account(&db, &mgr, "Alfa d.o.o.", "Beograd", "A").await;
    let today = clock::today();
    let month = Period::Month.start_of(today);
    // Ana: open 100.000,00 × 40 % = 40.000,00 closing at the end of this month, and 80.000,00 won today.
    // Iva: open 50.000,00 × 20 % = 10.000,00 closing next month, and a deal lost today.
    open_deal(&db, &ana, "A1", alfa, stage, "100.000", Period::Month.last_day(month), "40", "commit").await;
    won_deal(&db, &ana, "A2", alfa, stage, "80.000", today, "").await;
    open_deal(&db, &iva, "I1", alfa, stage, "50.000", months_after(month, 1), "20", "").await;
    lost_deal(&db, &iva, "I2", alfa, stage, "10.000", today).await;
    let metric = won_revenue_metric(&db).await;
    goals::save_goal(&db, &admin, &goal_input(metric, &format!("user:{}", ana.id), "month", &iso(today), "absolute", "100.000"))
        .await
        .expect("Ana's goal");
    goals::save_goal(&db, &admin, &goal_input(metric, &format!("user:{}", iva.id), "month", &iso(today), "absolute", "50.000"))
        .await
        .expect("Iva's goal");

    let dash = |actor: Actor| {
        let db = db.clone();
        async move { reports::dashboard::dashboard(&db, &actor).await.expect("dashboard") }
    };
    let a = dash(ana.clone()).await;
    assert_eq!((a.scope.as_str(), a.scope_params.clone()), ("owner", format!("&owner={}", ana.id)));
    // Ana's own: won 80.000,00 + weighted 40.000,00 = forecast 120.000,00; her goal of 100.000,00 this month.
    let t = a.forecast.total();
    assert_eq!((t.won_minor, t.weighted_minor, t.forecast_minor()), (8_000_000, 4_000_000, 12_000_000));
    assert_eq!(a.forecast.goal(&Period::Month.key(month)), Some(10_000_000));
    assert_eq!(a.goals.iter().map(|g| g.assignee.clone()).collect::<Vec<_>>(), vec!["Ana".to_string()]);
    assert_eq!(a.goals[0].actual, 8_000_000);
    assert_eq!((a.won, a.lost), (1, 0));
    assert!(a.slipping.is_empty() && a.sources.is_empty() && a.completeness.is_empty());

    // The manager: the team's deals (both), both goals, won 1 of 2 closed; the goal line is the members' sum.
    let m = dash(mgr.clone()).await;
    assert_eq!((m.scope.as_str(), m.scope_params.clone()), ("team", format!("&team={t1}")));
    let t = m.forecast.total();
    assert_eq!((t.won_minor, t.weighted_minor, t.open_minor), (8_000_000, 5_000_000, 15_000_000));
    assert_eq!(m.forecast.goal(&Period::Month.key(month)), Some(15_000_000));
    assert_eq!(m.goals.len(), 2);
    assert_eq!((m.won, m.lost), (1, 1));
    assert!(m.completeness.is_empty());

    // The administrator: everyone, and data completeness of the four record kinds.
    let d = dash(admin.clone()).await;
    assert_eq!((d.scope.as_str(), d.scope_params.as_str()), ("all", ""));
    assert_eq!(d.forecast.total().open_minor, 15_000_000);
    assert_eq!(d.completeness.iter().map(|c| c.entity.as_str()).collect::<Vec<_>>(), ["accounts", "contacts", "opportunities", "leads"]);
}
both!(dashboard_per_role);
