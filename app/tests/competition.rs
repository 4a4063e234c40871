//! Integration tests of products and pricing, opportunity lines, closing and reopening deals,
//! competitor intelligence and the win/loss, profitability and cross-sell analyses — each on a fresh
//! SQLite file and a fresh Postgres database (see `common/`).
//!
//! Run: `cargo test -p app --features ssr --test competition`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use app::domain::money::Currency;
use app::domain::{
    AnalysisQuery, CloseInput, CompetitorProductInput, DiscountInput, LineInput, MarketShareInput, ObservationInput, Opportunity,
    OpportunityLine, Outcome, PriceItemInput, PriceListInput, PriceSource, ProductInput, ProductQuery, StageKind,
};
use app::error::{AppError, Problem};
use app::services::{
    accounts, analysis, competitors, opportunities, opportunities::board, opportunities::closing,
    opportunities::competitors as competitors_on_deal, opportunities::deal, opportunities::lines, picklists, products, Actor,
};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// A product of our catalog (created by a manager); `cost` empty for none.
async fn product(db: &Db, mgr: &Actor, code: &str, family: &str, list_price: &str, cost: &str) -> i64 {
    let input = ProductInput {
        code: code.into(),
        name: format!("Proizvod {code}"),
        family: family.into(),
        unit: "kom".into(),
        list_price: list_price.into(),
        unit_cost: cost.into(),
        ..Default::default()
    };
    products::catalog::save_product(db, mgr, &input).await.expect("save product")
}

/// A price list: currency, category ("" for all), validity and "off" for an inactive one.
async fn price_list(db: &Db, mgr: &Actor, name: &str, category: &str, from: &str, to: &str, active: &str) -> i64 {
    let input = PriceListInput {
        name: name.into(),
        currency: "RSD".into(),
        category: category.into(),
        valid_from: from.into(),
        valid_to: to.into(),
        active: active.into(),
        ..Default::default()
    };
    products::price_lists::save_price_list(db, mgr, &input).await.expect("save price list")
}

async fn set_price(db: &Db, mgr: &Actor, list: i64, product: i64, price: &str) {
    let input = PriceItemInput { price_list_id: list.to_string(), product_id: product.to_string(), price: price.into() };
    products::price_lists::set_price(db, mgr, &input).await.expect("set price");
}

fn discount(name: &str, product: Option<i64>, family: &str, percent: &str) -> DiscountInput {
    DiscountInput {
        name: name.into(),
        product_id: product.map(|p| p.to_string()).unwrap_or_default(),
        family: family.into(),
        percent: percent.into(),
        valid_from: "2026-01-01".into(),
        ..Default::default()
    }
}

fn line(opp: i64, version: i64, product: i64, quantity: &str) -> LineInput {
    LineInput {
        opportunity_id: opp.to_string(),
        opportunity_version: version.to_string(),
        product_id: product.to_string(),
        quantity: quantity.into(),
        ..Default::default()
    }
}

async fn opp(db: &Db, actor: &Actor, id: i64) -> Opportunity {
    opportunities::get(db, actor, id).await.expect("opportunity")
}

async fn lines(db: &Db, actor: &Actor, id: i64) -> Vec<OpportunityLine> {
    deal::deal(db, actor, id).await.expect("deal").lines
}

/// An account with the given category ("" for none), industry ("" for none) and relationship.
async fn account(db: &Db, actor: &Actor, name: &str, kind: &str, category: &str, industry: &str) -> i64 {
    let mut input = account_input(name);
    input.types = vec![kind.into()];
    input.category = category.into();
    input.industry = industry.into();
    accounts::create(db, actor, &input).await.expect("create account")
}

async fn loss_reason(db: &Db, code: &str) -> i64 {
    picklists::load(db).await.expect("picklists").loss_reasons.into_iter().find(|r| r.code == code).expect("seeded loss reason").id
}

fn won(id: i64, version: i64, amount: &str, date: &str) -> CloseInput {
    CloseInput {
        id: id.to_string(),
        version: version.to_string(),
        outcome: "won".into(),
        amount: amount.into(),
        close_date: date.into(),
        ..Default::default()
    }
}

fn lost(id: i64, version: i64, reason: i64, won_by: Option<i64>, notes: &str) -> CloseInput {
    CloseInput {
        id: id.to_string(),
        version: version.to_string(),
        outcome: "lost".into(),
        reason_id: reason.to_string(),
        won_by_id: won_by.map(|w| w.to_string()).unwrap_or_default(),
        notes: notes.into(),
        ..Default::default()
    }
}

fn today() -> String {
    app::db::today()
}

/// Tomorrow in the company's time zone, as the services judge "in the future" (in UTC it is still
/// today during the last hour of a Belgrade day).
fn tomorrow() -> String {
    (app::clock::today() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string()
}

/// Every number anywhere in a JSON value.
fn numbers(v: &serde_json::Value, out: &mut Vec<i64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_i64()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
        _ => {}
    }
}

/// The values of every key `key` anywhere in a JSON value.
fn values_of(v: &serde_json::Value, key: &str, out: &mut Vec<serde_json::Value>) {
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|x| values_of(x, key, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k == key {
                    out.push(x.clone());
                }
                values_of(x, key, out);
            }
        }
        _ => {}
    }
}

/// (closed_at, close_reason_id, won_by_id, close_notes) as stored.
async fn close_columns(db: &Db, id: i64) -> (Option<String>, Option<i64>, Option<i64>, Option<String>) {
    sqlx::query_as("SELECT closed_at, close_reason_id, won_by_id, close_notes FROM opportunities WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .expect("close columns")
}

/// (old_value, new_value) of the audit rows of an opportunity's field, oldest first.
async fn audit_rows(db: &Db, id: i64, field: &str) -> Vec<(Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT old_value, new_value FROM audit_entries WHERE entity = 'opportunity' AND record_id = $1 AND field = $2 ORDER BY id",
    )
    .bind(id)
    .bind(field)
    .fetch_all(&db.pool)
    .await
    .expect("audit rows")
}

// ---------------------------------------------------------------------------------------------------
// 1. Price lists: which price a line gets
// ---------------------------------------------------------------------------------------------------

/// The customer's category list beats the general one; expired and inactive lists never apply; an
/// EUR deal without an EUR list gets the list price converted at the stored rate; a manual price wins.
async fn price_list_resolution(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;

    let p = product(&db, &mgr, "PMP-100", "Pumps", "1.000,00", "400").await;
    let general = price_list(&db, &mgr, "Opšti 2026", "", "2026-01-01", "", "").await;
    set_price(&db, &mgr, general, p, "900").await;
    let cat_a = price_list(&db, &mgr, "Kategorija A", "A", "2026-01-01", "", "").await;
    set_price(&db, &mgr, cat_a, p, "850,00").await;
    // Newer than the general list: either would win if its dates or its flag were ignored.
    let expired = price_list(&db, &mgr, "Prolećna akcija", "", "2026-02-01", "2026-03-31", "").await;
    set_price(&db, &mgr, expired, p, "500").await;
    let inactive = price_list(&db, &mgr, "Povučen", "", "2026-06-01", "", "off").await;
    set_price(&db, &mgr, inactive, p, "400").await;
    let pricing = products::price_lists::pricing(&db, &mgr).await.expect("pricing");
    assert_eq!(pricing.price_lists.len(), 4);
    assert!(pricing.price_lists.iter().all(|l| l.items == 1), "{:?}", pricing.price_lists);
    assert!(!pricing.price_lists.iter().find(|l| l.id == inactive).expect("inactive list").active);
    // Sales may not maintain price lists.
    assert_eq!(
        products::price_lists::save_price_list(
            &db,
            &ana,
            &PriceListInput { name: "X".into(), valid_from: "2026-01-01".into(), ..Default::default() }
        )
        .await,
        Err(AppError::Forbidden)
    );

    let a = account(&db, &ana, "Kupac A d.o.o.", "customer", "A", "").await;
    let b = account(&db, &ana, "Kupac B d.o.o.", "customer", "B", "").await;
    let on_a = new_opportunity(&db, &ana, "Pumpe za A", a, open[0].id, "1.000,00").await;
    let on_b = new_opportunity(&db, &ana, "Pumpe za B", b, open[0].id, "1.000,00").await;
    let mut eur = opportunity_input("Pumpe u evrima", b, open[0].id, "10");
    eur.currency = "EUR".into();
    let in_eur = opportunities::create(&db, &ana, &eur).await.expect("EUR opportunity");

    // Category A: 850.00 from the category list.
    assert_eq!(lines::save_line(&db, &ana, &line(on_a, 1, p, "1")).await, Ok(2));
    let l = &lines(&db, &ana, on_a).await[0];
    assert_eq!((l.unit_price_minor, l.price_source, l.price_list_name.as_deref()), (85_000, PriceSource::PriceList, Some("Kategorija A")));
    assert_eq!((l.discount_bp, l.discount_minor, l.total_minor), (0, 0, 85_000));
    assert_eq!(opp(&db, &ana, on_a).await.amount_minor, 85_000);

    // Category B: 900.00 from the general list (not the expired 500.00 nor the inactive 400.00).
    assert_eq!(lines::save_line(&db, &ana, &line(on_b, 1, p, "1")).await, Ok(2));
    let l = &lines(&db, &ana, on_b).await[0];
    assert_eq!((l.unit_price_minor, l.price_source, l.price_list_name.as_deref()), (90_000, PriceSource::PriceList, Some("Opšti 2026")));

    // EUR without an EUR list: 1,000.00 RSD / 117.17 = 8.5346 → 8.53 EUR; the cost 400.00 RSD → 3.41 EUR.
    assert_eq!(products::pricing::convert(100_000, Currency::RSD, Currency::EUR, 117_170_000), 853);
    assert_eq!(lines::save_line(&db, &ana, &line(in_eur, 1, p, "1")).await, Ok(2));
    let l = &lines(&db, &ana, in_eur).await[0];
    assert_eq!((l.unit_price_minor, l.price_source, l.price_list_name.as_deref(), l.total_minor), (853, PriceSource::ListPrice, None, 853));
    assert_eq!(lines(&db, &mgr, in_eur).await[0].unit_cost_minor, Some(341));
    assert_eq!(opp(&db, &ana, in_eur).await.amount_minor, 853);

    // A manual price wins over every list: 2 × 777.50 = 1,555.00; the value is 900.00 + 1,555.00.
    let manual = LineInput { unit_price: "777,50".into(), ..line(on_b, 2, p, "2") };
    assert_eq!(lines::save_line(&db, &ana, &manual).await, Ok(3));
    let ls = lines(&db, &ana, on_b).await;
    assert_eq!(ls.len(), 2);
    assert_eq!((ls[1].unit_price_minor, ls[1].price_source, ls[1].price_list_name.as_deref()), (77_750, PriceSource::Manual, None));
    assert_eq!(ls[1].total_minor, 155_500);
    assert_eq!(opp(&db, &ana, on_b).await.amount_minor, 245_500);

    // The rate is the one stored in currency_rates: from today 120.00 → 1,000.00 RSD = 8.33 EUR.
    sqlx::query("INSERT INTO currency_rates (currency, valid_from, rate_micros) VALUES ('EUR', $1, 120000000)")
        .bind(today())
        .execute(&db.pool)
        .await
        .expect("a newer rate");
    assert_eq!(lines::save_line(&db, &ana, &line(in_eur, 2, p, "1")).await, Ok(3));
    assert_eq!(lines(&db, &ana, in_eur).await[1].unit_price_minor, 833);
    assert_eq!(opp(&db, &ana, in_eur).await.amount_minor, 853 + 833);
}
both!(price_list_resolution);

// ---------------------------------------------------------------------------------------------------
// 2. Discount rules
// ---------------------------------------------------------------------------------------------------

/// A product rule beats a family rule; a volume rule applies from its quantity; expired, inactive and
/// other-category rules never apply; a manual discount overrides the rules; totals are exact.
async fn discount_rules(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;

    let p = product(&db, &mgr, "PMP-100", "Pumps", "1.000,00", "").await;
    let q = product(&db, &mgr, "PMP-200", "Pumps", "200", "").await;
    let general = price_list(&db, &mgr, "Opšti 2026", "", "2026-01-01", "", "").await;
    set_price(&db, &mgr, general, p, "900").await;

    let save = |d: DiscountInput| {
        let (db, mgr) = (db.clone(), mgr.clone());
        async move { products::discounts::save_discount(&db, &mgr, &d).await.expect("save discount") }
    };
    save(discount("Pumpe 10 %", None, "Pumps", "10")).await;
    save(discount("PMP-100 5 %", Some(p), "", "5")).await;
    save(DiscountInput { min_quantity: "10".into(), ..discount("PMP-100 količinski", Some(p), "", "20") }).await;
    save(DiscountInput { valid_from: "2025-01-01".into(), valid_to: "2025-12-31".into(), ..discount("Stara akcija", Some(p), "", "30") })
        .await;
    save(DiscountInput { active: "off".into(), ..discount("Ugašen rabat", Some(p), "", "40") }).await;
    save(DiscountInput { category: "A".into(), ..discount("Samo za A", None, "Pumps", "50") }).await;
    assert_eq!(products::price_lists::pricing(&db, &mgr).await.expect("pricing").discounts.len(), 6);
    // A rule is for a product or a family, not both and not neither.
    assert_eq!(
        products::discounts::save_discount(&db, &mgr, &discount("Oba", Some(p), "Pumps", "5")).await,
        Err(invalid("family", Problem::InvalidChoice))
    );
    assert_eq!(products::discounts::save_discount(&db, &ana, &discount("Prodaja", Some(p), "", "5")).await, Err(AppError::Forbidden));

    let b = account(&db, &ana, "Kupac B d.o.o.", "customer", "B", "").await;
    let o = new_opportunity(&db, &ana, "Pumpe", b, open[0].id, "").await;
    let mut v = 1;
    let add = |input: LineInput| {
        let (db, ana) = (db.clone(), ana.clone());
        async move { lines::save_line(&db, &ana, &input).await.expect("save line") }
    };

    // 2.5 × 900.00 = 2,250.00, less the product rule's 5 % = 2,137.50 (not the family's 10 %).
    v = add(line(o, v, p, "2,5")).await;
    // 9 × 900.00 = 8,100.00 less 5 % = 7,695.00 (below the volume rule's 10).
    v = add(line(o, v, p, "9")).await;
    // 10 × 900.00 = 9,000.00 less the volume rule's 20 % = 7,200.00.
    v = add(line(o, v, p, "10")).await;
    // No product rule for PMP-200: the family's 10 % (not the 50 % of category A) on its list price,
    // 3 × 200.00 = 600.00 less 10 % = 540.00.
    v = add(line(o, v, q, "3")).await;
    // A manual 12.5 % overrides the rules: 10 × 900.00 less 12.5 % = 7,875.00.
    v = add(LineInput { discount: "12,5".into(), ..line(o, v, p, "10") }).await;
    // A manual 50.00 off per unit: 2 × (900.00 − 50.00) = 1,700.00.
    v = add(LineInput { discount_amount: "50".into(), ..line(o, v, p, "2") }).await;
    assert_eq!(v, 7);

    let ls = lines(&db, &ana, o).await;
    #[allow(clippy::type_complexity)]
    let got: Vec<(i64, i64, i64, i64, Option<&str>, i64)> = ls
        .iter()
        .map(|l| (l.quantity_milli, l.unit_price_minor, l.discount_bp, l.discount_minor, l.discount_rule_name.as_deref(), l.total_minor))
        .collect();
    assert_eq!(
        got,
        vec![
            (2_500, 90_000, 500, 0, Some("PMP-100 5 %"), 213_750),
            (9_000, 90_000, 500, 0, Some("PMP-100 5 %"), 769_500),
            (10_000, 90_000, 2_000, 0, Some("PMP-100 količinski"), 720_000),
            (3_000, 20_000, 1_000, 0, Some("Pumpe 10 %"), 54_000),
            (10_000, 90_000, 1_250, 0, None, 787_500),
            (2_000, 90_000, 0, 5_000, None, 170_000),
        ]
    );
    assert_eq!(ls[3].price_source, PriceSource::ListPrice);
    // 2,137.50 + 7,695.00 + 7,200.00 + 540.00 + 7,875.00 + 1,700.00 = 27,147.50
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 2_714_750);

    // Raising the second line to 10 brings it under the volume rule: 7,695.00 → 7,200.00.
    let change = LineInput { id: ls[1].id.to_string(), ..line(o, v, p, "10") };
    let v = lines::save_line(&db, &ana, &change).await.expect("change the line");
    assert_eq!(v, 8);
    let changed = lines(&db, &ana, o).await.into_iter().find(|l| l.id == ls[1].id).expect("changed line");
    assert_eq!((changed.discount_bp, changed.total_minor, changed.version), (2_000, 720_000, 2));
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 2_714_750 - 769_500 + 720_000);

    // Category A customers do get the 50 % family rule on PMP-200: 3 × 200.00 less 50 % = 300.00.
    let a = account(&db, &ana, "Kupac A d.o.o.", "customer", "A", "").await;
    let oa = new_opportunity(&db, &ana, "Pumpe za A", a, open[0].id, "").await;
    lines::save_line(&db, &ana, &line(oa, 1, q, "3")).await.expect("line for A");
    let l = &lines(&db, &ana, oa).await[0];
    assert_eq!((l.discount_bp, l.discount_rule_name.as_deref(), l.total_minor), (5_000, Some("Samo za A"), 30_000));
}
both!(discount_rules);

// ---------------------------------------------------------------------------------------------------
// 3. The opportunity's value follows its lines
// ---------------------------------------------------------------------------------------------------

async fn value_follows_lines(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let (t1, t2) = (team(&db, "Beograd").await, team(&db, "Niš").await);
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let p = product(&db, &mgr, "P-1", "Pumps", "1.000,00", "").await;
    let q = product(&db, &mgr, "Q-1", "Valves", "200", "").await;
    let acc = new_account(&db, &ana, "Kupac d.o.o.").await;
    let o = new_opportunity(&db, &ana, "Linija", acc, open[1].id, "1.000,00").await;
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 100_000);

    // Two lines: 2 × 1,000.00 + 1 × 200.00 = 2,200.00.
    assert_eq!(lines::save_line(&db, &ana, &line(o, 1, p, "2")).await, Ok(2));
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 200_000);
    assert_eq!(lines::save_line(&db, &ana, &line(o, 2, q, "1")).await, Ok(3));
    let o3 = opp(&db, &ana, o).await;
    assert_eq!((o3.amount_minor, o3.version), (220_000, 3));
    let ls = lines(&db, &ana, o).await;
    let (l1, l2) = (ls[0].id, ls[1].id);
    assert_eq!(ls.iter().map(|l| l.total_minor).collect::<Vec<_>>(), vec![200_000, 20_000]);

    // A stale page changes nothing.
    assert_eq!(lines::save_line(&db, &ana, &line(o, 2, q, "5")).await, Err(AppError::Conflict));
    // Someone who may not see the deal gets "not found".
    assert_eq!(lines::save_line(&db, &bob, &line(o, 3, q, "5")).await, Err(AppError::NotFound));
    assert_eq!(lines(&db, &ana, o).await.len(), 2);

    // Three instead of two: 3,000.00 + 200.00.
    let change = LineInput { id: l1.to_string(), ..line(o, 3, p, "3") };
    assert_eq!(lines::save_line(&db, &ana, &change).await, Ok(4));
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 320_000);
    assert_eq!(lines::delete_line(&db, &ana, o, 3, l2).await, Err(AppError::Conflict));

    // The currency is fixed by the lines; the amount typed in the form is ignored.
    let mut form = opportunity_input("Linija (izmena)", acc, open[1].id, "5");
    form.id = o.to_string();
    form.version = "4".into();
    form.currency = "EUR".into();
    assert_eq!(opportunities::update(&db, &ana, &form).await, Err(invalid("currency", Problem::FixedByLines)));
    form.currency = "RSD".into();
    assert_eq!(opportunities::update(&db, &ana, &form).await, Ok(5));
    let o5 = opp(&db, &ana, o).await;
    assert_eq!((o5.name.as_str(), o5.amount_minor, o5.currency), ("Linija (izmena)", 320_000, Currency::RSD));

    // Deleting a line: the value is what remains.
    assert_eq!(lines::delete_line(&db, &ana, o, 5, l2).await, Ok(6));
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 300_000);
    assert_eq!(lines::delete_line(&db, &ana, o, 6, l2).await, Err(AppError::NotFound));

    // The history names each change of the lines.
    let rows = audit_rows(&db, o, "lines").await;
    assert_eq!(
        rows,
        vec![
            (None, Some("P-1 × 2 = 2000 RSD".to_string())),
            (None, Some("Q-1 × 1 = 200 RSD".to_string())),
            (Some("P-1 × 2 = 2000 RSD".to_string()), Some("P-1 × 3 = 3000 RSD".to_string())),
            (Some("Q-1 × 1 = 200 RSD".to_string()), None),
        ]
    );
    let amounts: Vec<Option<String>> = audit_rows(&db, o, "amount").await.into_iter().map(|r| r.1).collect();
    let amounts: Vec<&str> = amounts.iter().map(|a| a.as_deref().unwrap_or("")).collect();
    // Created at 1,000.00, then each change of the lines.
    assert_eq!(amounts, vec!["1000", "2000", "2200", "3200", "3000"]);

    // With the last line gone the value stays, and the currency may change again.
    assert_eq!(lines::delete_line(&db, &ana, o, 6, l1).await, Ok(7));
    assert_eq!(opp(&db, &ana, o).await.amount_minor, 300_000);
    form.version = "7".into();
    form.currency = "EUR".into();
    assert_eq!(opportunities::update(&db, &ana, &form).await, Ok(8));
    let o8 = opp(&db, &ana, o).await;
    assert_eq!((o8.currency, o8.amount_minor), (Currency::EUR, 500));
}
both!(value_follows_lines);

// ---------------------------------------------------------------------------------------------------
// 4. Closing as won or lost
// ---------------------------------------------------------------------------------------------------

async fn close_won_and_lost_rules(db: Db) {
    seed(&db).await;
    let (open, won_stage, lost_stage) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let customer = account(&db, &ana, "Kupac d.o.o.", "customer", "", "").await;
    let rival = account(&db, &ana, "Konkurent d.o.o.", "competitor", "", "").await;
    let price = loss_reason(&db, "price").await;
    let no_decision = loss_reason(&db, "no_decision").await;
    let other = loss_reason(&db, "other").await;
    let source = picklists::load(&db).await.expect("lists").sources[0].id;

    // Won and lost stages are reached by closing, never by a move or on creation.
    let w = new_opportunity(&db, &ana, "Dobijamo", customer, open[3].id, "5.000,00").await;
    assert_eq!(board::move_opportunity(&db, &ana, w, won_stage.id, 1).await, Err(invalid("stage_id", Problem::UseClose)));
    assert_eq!(board::move_opportunity(&db, &ana, w, lost_stage.id, 1).await, Err(invalid("stage_id", Problem::UseClose)));
    assert_eq!(
        opportunities::create(&db, &ana, &opportunity_input("Odmah dobijen", customer, won_stage.id, "1")).await,
        Err(invalid("stage_id", Problem::UseClose))
    );
    let mut form = opportunity_input("Dobijamo", customer, lost_stage.id, "5.000,00");
    form.id = w.to_string();
    form.version = "1".into();
    assert_eq!(opportunities::update(&db, &ana, &form).await, Err(invalid("stage_id", Problem::UseClose)));

    // Won: the actual value and a close date not in the future.
    assert_eq!(closing::close(&db, &ana, &won(w, 1, "", &today())).await, Err(invalid("amount", Problem::Required)));
    assert_eq!(closing::close(&db, &ana, &won(w, 1, "4.800", &tomorrow())).await, Err(invalid("close_date", Problem::InFuture)));
    assert_eq!(closing::close(&db, &ana, &won(w, 1, "4.800", "")).await, Err(invalid("close_date", Problem::Required)));
    assert_eq!(closing::close(&db, &ana, &won(w, 2, "4.800", &today())).await, Err(AppError::Conflict));
    assert_eq!(opp(&db, &ana, w).await.stage_kind, StageKind::Open, "refused closes changed nothing");
    assert_eq!(closing::close(&db, &ana, &won(w, 1, "4.800,50", &today())).await, Ok(2));
    let o = opp(&db, &ana, w).await;
    assert_eq!((o.stage_id, o.stage_kind, o.probability, o.amount_minor), (won_stage.id, StageKind::Won, 100, 480_050));
    assert_eq!((o.close_date.clone(), o.version), (today(), 2));
    let d = deal::deal(&db, &ana, w).await.expect("deal");
    let c = d.close.expect("close info");
    assert_eq!((c.outcome, c.reason, c.won_by), (Outcome::Won, None, None));
    assert!(c.closed_at.is_some());
    assert_eq!(count_for(&db, "SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = $1", w).await, 2);
    // Closed: closing again, moving or changing its stage is refused.
    assert_eq!(closing::close(&db, &ana, &won(w, 2, "1", &today())).await, Err(invalid("opportunity", Problem::Closed)));
    assert_eq!(board::move_opportunity(&db, &ana, w, open[0].id, 2).await, Err(invalid("stage_id", Problem::Closed)));
    let mut form = opportunity_input("Dobijamo", customer, open[0].id, "4.800,50");
    form.id = w.to_string();
    form.version = "2".into();
    assert_eq!(opportunities::update(&db, &ana, &form).await, Err(invalid("stage_id", Problem::Closed)));
    assert_eq!(lines::save_line(&db, &ana, &line(w, 2, 1, "1")).await, Err(invalid("opportunity", Problem::Closed)));

    // Lost: a loss reason from its list; the winner must be a competitor; nobody wins a deal that
    // ended without decision; "other" needs the lessons learned.
    let l = new_opportunity(&db, &ana, "Gubimo", customer, open[2].id, "3.000,00").await;
    let no_reason = CloseInput { reason_id: String::new(), ..lost(l, 1, price, None, "") };
    assert_eq!(closing::close(&db, &ana, &no_reason).await, Err(invalid("reason_id", Problem::Required)));
    assert_eq!(closing::close(&db, &ana, &lost(l, 1, source, None, "")).await, Err(invalid("reason_id", Problem::InvalidChoice)));
    assert_eq!(closing::close(&db, &ana, &lost(l, 1, price, Some(customer), "")).await, Err(invalid("won_by_id", Problem::InvalidChoice)));
    assert_eq!(
        closing::close(&db, &ana, &lost(l, 1, no_decision, Some(rival), "")).await,
        Err(invalid("won_by_id", Problem::NotWithReason))
    );
    assert_eq!(closing::close(&db, &ana, &lost(l, 1, other, None, "  ")).await, Err(invalid("notes", Problem::Required)));
    assert_eq!(
        closing::close(&db, &ana, &CloseInput { outcome: "maybe".into(), ..lost(l, 1, price, None, "") }).await,
        Err(invalid("outcome", Problem::InvalidChoice))
    );
    assert!(deal::deal(&db, &ana, l).await.expect("deal").competitors.is_empty(), "refused closes named no competitor");
    assert_eq!(closing::close(&db, &ana, &lost(l, 1, price, Some(rival), "Skuplji 8 %")).await, Ok(2));
    let o = opp(&db, &ana, l).await;
    assert_eq!((o.stage_id, o.stage_kind, o.probability, o.amount_minor), (lost_stage.id, StageKind::Lost, 0, 300_000));
    assert_eq!(o.close_date, today(), "an empty close date of a lost deal is today");
    let d = deal::deal(&db, &ana, l).await.expect("deal");
    assert_eq!(d.competitors.iter().map(|c| (c.id, c.label.as_str())).collect::<Vec<_>>(), vec![(rival, "Konkurent d.o.o.")]);
    let c = d.close.expect("close info");
    assert_eq!(c.outcome, Outcome::Lost);
    assert_eq!(c.reason.map(|r| r.code), Some("price".to_string()));
    assert_eq!(c.won_by.map(|w| w.id), Some(rival));
    assert_eq!(c.notes.as_deref(), Some("Skuplji 8 %"));
    let cols = close_columns(&db, l).await;
    assert_eq!((cols.1, cols.2, cols.3.as_deref()), (Some(price), Some(rival), Some("Skuplji 8 %")));
    assert_eq!(closing::close(&db, &ana, &lost(l, 2, price, None, "")).await, Err(invalid("opportunity", Problem::Closed)));
    // The winner of a lost deal stays on it; a customer is no competitor.
    assert_eq!(competitors_on_deal::remove_competitor(&db, &ana, l, rival).await, Err(invalid("competitor_id", Problem::Closed)));
    assert_eq!(competitors_on_deal::add_competitor(&db, &ana, l, customer).await, Err(invalid("competitor_id", Problem::InvalidChoice)));

    // "other" with its notes, and no decision without a winner, are fine.
    let x = new_opportunity(&db, &ana, "Ostalo", customer, open[0].id, "100").await;
    assert_eq!(closing::close(&db, &ana, &lost(x, 1, other, None, "Kupac je odustao od investicije")).await, Ok(2));
    let y = new_opportunity(&db, &ana, "Bez odluke", customer, open[0].id, "100").await;
    assert_eq!(closing::close(&db, &ana, &lost(y, 1, no_decision, None, "")).await, Ok(2));
    assert!(deal::deal(&db, &ana, y).await.expect("deal").competitors.is_empty());
}
both!(close_won_and_lost_rules);

// ---------------------------------------------------------------------------------------------------
// 5. Reopening (managers only)
// ---------------------------------------------------------------------------------------------------

async fn reopen_by_manager_only(db: Db) {
    seed(&db).await;
    let (open, won_stage, lost_stage) = open_and_closed_stages(&db).await;
    let (t1, t2) = (team(&db, "Beograd").await, team(&db, "Niš").await);
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let other_mgr = user(&db, "nikola@veza.rs", "Nikola", "manager", Some(t2)).await;
    let customer = new_account(&db, &ana, "Kupac d.o.o.").await;
    let rival = account(&db, &ana, "Konkurent d.o.o.", "competitor", "", "").await;
    let price = loss_reason(&db, "price").await;
    let o = new_opportunity(&db, &ana, "Pumpe", customer, open[1].id, "2.000").await;
    assert_eq!(closing::close(&db, &ana, &lost(o, 1, price, Some(rival), "Skuplji")).await, Ok(2));

    assert_eq!(closing::reopen(&db, &ana, o, 2, open[2].id).await, Err(AppError::Forbidden));
    assert!(!deal::deal(&db, &ana, o).await.expect("deal").can_reopen);
    assert!(deal::deal(&db, &mgr, o).await.expect("deal").can_reopen);
    assert_eq!(closing::reopen(&db, &other_mgr, o, 2, open[2].id).await, Err(AppError::NotFound), "another team's manager");
    assert_eq!(closing::reopen(&db, &mgr, o, 1, open[2].id).await, Err(AppError::Conflict));
    assert_eq!(closing::reopen(&db, &mgr, o, 2, won_stage.id).await, Err(invalid("stage_id", Problem::InvalidChoice)));
    assert_eq!(closing::reopen(&db, &mgr, o, 2, lost_stage.id).await, Err(invalid("stage_id", Problem::InvalidChoice)));
    assert_eq!(opp(&db, &ana, o).await.stage_kind, StageKind::Lost);

    assert_eq!(closing::reopen(&db, &mgr, o, 2, open[2].id).await, Ok(3));
    let r = opp(&db, &ana, o).await;
    assert_eq!((r.stage_id, r.stage_kind, r.probability, r.version), (open[2].id, StageKind::Open, 40, 3));
    assert_eq!(close_columns(&db, o).await, (None, None, None, None));
    assert_eq!(deal::deal(&db, &ana, o).await.expect("deal").close, None);
    let changes: Vec<(Option<i64>, i64)> =
        sqlx::query_as("SELECT from_stage_id, to_stage_id FROM opportunity_stage_changes WHERE opportunity_id = $1 ORDER BY id")
            .bind(o)
            .fetch_all(&db.pool)
            .await
            .expect("stage changes");
    assert_eq!(changes, vec![(None, open[1].id), (Some(open[1].id), lost_stage.id), (Some(lost_stage.id), open[2].id)]);
    // The history keeps how it had closed.
    assert_eq!(audit_rows(&db, o, "close_reason").await, vec![(None, Some("Price".to_string())), (Some("Price".to_string()), None)]);
    assert_eq!(
        audit_rows(&db, o, "won_by").await,
        vec![(None, Some("Konkurent d.o.o.".to_string())), (Some("Konkurent d.o.o.".to_string()), None)]
    );
    assert_eq!(audit_rows(&db, o, "close_notes").await, vec![(None, Some("Skuplji".to_string())), (Some("Skuplji".to_string()), None)]);
    // An open deal cannot be reopened; it can be closed again.
    assert_eq!(closing::reopen(&db, &mgr, o, 3, open[0].id).await, Err(invalid("stage_id", Problem::InvalidChoice)));
    assert_eq!(closing::close(&db, &ana, &won(o, 3, "2.100", &today())).await, Ok(4));
    assert_eq!(opp(&db, &ana, o).await.stage_kind, StageKind::Won);
}
both!(reopen_by_manager_only);

// ---------------------------------------------------------------------------------------------------
// 6. Win rates, margins and who sees costs
// ---------------------------------------------------------------------------------------------------

async fn win_rates_margins_and_hidden_costs(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let (t1, t2) = (team(&db, "Beograd").await, team(&db, "Niš").await);
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t1)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t1)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(t2)).await;
    let p = product(&db, &mgr, "PMP-100", "Pumps", "1.000,00", "400").await;
    let q = product(&db, &mgr, "VNT-20", "Valves", "200", "50").await;
    let rival = account(&db, &ana, "Konkurent X", "competitor", "", "").await;
    let price = loss_reason(&db, "price").await;
    let no_decision = loss_reason(&db, "no_decision").await;
    let c1 = new_account(&db, &ana, "Kupac 1").await;
    let c2 = new_account(&db, &ana, "Kupac 2").await;
    let c3 = new_account(&db, &ana, "Kupac 3").await;
    let c4 = new_account(&db, &ana, "Kupac 4").await;

    // Won against X: 8 × 1,000.00 + 10 × 200.00 = 10,000.00; cost 8 × 400.00 + 10 × 50.00 = 3,700.00.
    let d1 = new_opportunity(&db, &ana, "Dobijen", c1, open[2].id, "").await;
    competitors_on_deal::add_competitor(&db, &ana, d1, rival).await.expect("competitor on the deal");
    lines::save_line(&db, &ana, &line(d1, 1, p, "8")).await.expect("line");
    lines::save_line(&db, &ana, &line(d1, 2, q, "10")).await.expect("line");
    assert_eq!(opp(&db, &ana, d1).await.amount_minor, 1_000_000);
    assert_eq!(closing::close(&db, &ana, &won(d1, 3, "10.000,00", &today())).await, Ok(4));
    // Lost to X twice on price (5,000.00 and 3,000.00), once without decision (2,000.00) and no competitor.
    let d2 = new_opportunity(&db, &ana, "Izgubljen 1", c2, open[2].id, "5.000").await;
    closing::close(&db, &ana, &lost(d2, 1, price, Some(rival), "")).await.expect("lost");
    let d3 = new_opportunity(&db, &ana, "Izgubljen 2", c3, open[2].id, "3.000").await;
    closing::close(&db, &ana, &lost(d3, 1, price, Some(rival), "")).await.expect("lost");
    let d4 = new_opportunity(&db, &ana, "Bez odluke", c4, open[2].id, "2.000").await;
    closing::close(&db, &ana, &lost(d4, 1, no_decision, None, "")).await.expect("lost");
    // Open deals count nowhere.
    let d5 = new_opportunity(&db, &ana, "Otvoren", c4, open[2].id, "9.000").await;
    competitors_on_deal::add_competitor(&db, &ana, d5, rival).await.expect("competitor on the open deal");

    let wl = analysis::win_loss(&db, &mgr, &AnalysisQuery::default()).await.expect("win/loss");
    assert_eq!((wl.overall.won, wl.overall.lost, wl.overall.rate_bp()), (1, 3, Some(2500)));
    assert_eq!((wl.overall.won_minor, wl.overall.lost_minor), (1_000_000, 1_000_000));
    assert_eq!(wl.by_competitor.len(), 1, "{:?}", wl.by_competitor);
    let x = &wl.by_competitor[0];
    assert_eq!((x.key.clone(), x.label.as_str(), x.won, x.lost, x.rate_bp()), (rival.to_string(), "Konkurent X", 1, 2, Some(3333)));
    assert_eq!((x.won_minor, x.lost_minor), (1_000_000, 800_000));
    let reasons: Vec<(String, i64, i64)> = wl.reasons.iter().map(|r| (r.reason.code.clone(), r.count, r.value_minor)).collect();
    assert_eq!(reasons, vec![("price".to_string(), 2, 800_000), ("no_decision".to_string(), 1, 200_000)]);
    let families: Vec<(String, i64, i64)> = wl.by_family.iter().map(|r| (r.key.clone(), r.won, r.lost)).collect();
    assert_eq!(families, vec![("Pumps".to_string(), 1, 0), ("Valves".to_string(), 1, 0)]);
    assert_eq!(wl.by_owner.iter().map(|r| (r.label.as_str(), r.won, r.lost)).collect::<Vec<_>>(), vec![("Ana", 1, 3)]);
    let quarter = format!("{}-Q{}", &today()[..4], (today()[5..7].parse::<i64>().expect("month") + 2) / 3);
    assert_eq!(wl.by_quarter.iter().map(|r| (r.key.clone(), r.won, r.lost)).collect::<Vec<_>>(), vec![(quarter, 1, 3)]);
    // The same for the salesperson; nothing for another team; nothing before the deals closed.
    assert_eq!(analysis::win_loss(&db, &ana, &AnalysisQuery::default()).await.expect("win/loss").overall, wl.overall);
    let theirs = analysis::win_loss(&db, &bob, &AnalysisQuery::default()).await.expect("win/loss");
    assert_eq!((theirs.overall.won, theirs.overall.lost, theirs.overall.rate_bp()), (0, 0, None));
    assert!(theirs.by_competitor.is_empty() && theirs.reasons.is_empty());
    let before = AnalysisQuery { to: "2020-12-31".into(), ..Default::default() };
    let early = analysis::win_loss(&db, &mgr, &before).await.expect("win/loss").overall;
    assert_eq!((early.won, early.lost), (0, 0));

    // The competitor list and page count the same record.
    let list = competitors::list(&db, &mgr).await.expect("competitors");
    let row = list.iter().find(|c| c.id == rival).expect("X in the list");
    assert_eq!((row.record.won, row.record.lost, row.record.won_minor, row.record.lost_minor), (1, 2, 1_000_000, 800_000));
    let page = competitors::page(&db, &mgr, rival).await.expect("competitor page");
    assert_eq!((page.record.won, page.record.lost), (1, 2));
    assert_eq!(page.opportunities.len(), 4, "the deals X was on, open ones included");
    assert_eq!(
        page.loss_reasons.iter().map(|r| (r.reason.code.as_str(), r.count, r.value_minor)).collect::<Vec<_>>(),
        vec![("price", 2, 800_000)]
    );

    // Margins: 10,000.00 − 3,700.00 = 6,300.00 (63 %), for managers only.
    let pm = analysis::profitability(&db, &mgr, &AnalysisQuery::default()).await.expect("profitability");
    assert!(pm.sees_margin);
    assert_eq!(pm.most.len(), 1);
    let r = &pm.most[0];
    assert_eq!((r.account_id, r.deals, r.revenue_minor, r.margin_minor, r.margin_bp()), (c1, 1, 1_000_000, Some(630_000), Some(6300)));
    let ps = analysis::profitability(&db, &ana, &AnalysisQuery::default()).await.expect("profitability");
    assert!(!ps.sees_margin);
    assert_eq!(ps.most.iter().map(|r| (r.account_id, r.revenue_minor, r.margin_minor)).collect::<Vec<_>>(), vec![(c1, 1_000_000, None)]);
    assert!(ps.most.iter().chain(ps.least.iter()).all(|r| r.margin_minor.is_none()));

    // A second won deal whose line has no cost: its margin is unknown, so the manager's margin
    // ranking leaves it out; sales rank by revenue (500.00) and see it.
    let r_prod = product(&db, &mgr, "SRV-1", "Service", "500", "").await;
    let c5 = new_account(&db, &ana, "Kupac 5").await;
    let d6 = new_opportunity(&db, &ana, "Servis", c5, open[2].id, "").await;
    lines::save_line(&db, &ana, &line(d6, 1, r_prod, "1")).await.expect("line");
    closing::close(&db, &ana, &won(d6, 2, "500", &today())).await.expect("won");
    let pm = analysis::profitability(&db, &mgr, &AnalysisQuery::default()).await.expect("profitability");
    let most: Vec<(i64, i64, Option<i64>)> = pm.most.iter().map(|r| (r.account_id, r.revenue_minor, r.margin_minor)).collect();
    assert_eq!(most, vec![(c1, 1_000_000, Some(630_000))]);
    assert_eq!(pm.least.iter().map(|r| r.account_id).collect::<Vec<_>>(), vec![c1]);
    let ps = analysis::profitability(&db, &ana, &AnalysisQuery::default()).await.expect("profitability");
    assert_eq!(ps.most.iter().map(|r| r.account_id).collect::<Vec<_>>(), vec![c1, c5]);
    assert_eq!(ps.least.iter().map(|r| r.account_id).collect::<Vec<_>>(), vec![c5, c1]);

    // The deal page: costs and margins for the manager, none for the salesperson.
    let dm = deal::deal(&db, &mgr, d1).await.expect("deal");
    assert!(dm.sees_cost);
    let got: Vec<(Option<i64>, Option<i64>)> = dm.lines.iter().map(|l| (l.unit_cost_minor, l.margin_minor)).collect();
    // 8,000.00 − 3,200.00 = 4,800.00 and 2,000.00 − 500.00 = 1,500.00
    assert_eq!(got, vec![(Some(40_000), Some(480_000)), (Some(5_000), Some(150_000))]);
    assert_eq!(dm.margin_minor, Some(630_000));
    let ds = deal::deal(&db, &ana, d1).await.expect("deal");
    assert!(!ds.sees_cost);
    assert_eq!(ds.lines.len(), 2);
    assert!(ds.lines.iter().all(|l| l.unit_cost_minor.is_none() && l.margin_minor.is_none()), "{:?}", ds.lines);
    assert_eq!(ds.margin_minor, None);

    // Nor are they in what is sent to the browser.
    let secret = [40_000, 5_000, 480_000, 150_000, 630_000, 320_000];
    let json = serde_json::to_value(&ds).expect("serialize the deal");
    let mut nums = Vec::new();
    numbers(&json, &mut nums);
    assert!(!nums.iter().any(|n| secret.contains(n)), "a cost figure in the salesperson's deal: {json}");
    let mut costs = Vec::new();
    values_of(&json, "unit_cost_minor", &mut costs);
    values_of(&json, "margin_minor", &mut costs);
    assert_eq!(costs.len(), 5, "two lines × (cost, margin) + the deal's margin");
    assert!(costs.iter().all(|v| v.is_null()), "{costs:?}");
    let text = serde_json::to_string(&ds).expect("serialize");
    assert!(!text.contains("\"unit_cost_minor\":40000") && text.contains("\"unit_cost_minor\":null"), "{text}");
    // The same check does see the costs in the manager's deal.
    let mut nums = Vec::new();
    numbers(&serde_json::to_value(&dm).expect("serialize"), &mut nums);
    assert!(nums.contains(&40_000) && nums.contains(&630_000));

    // The catalog: costs for managers only.
    let cm = products::catalog::catalog(&db, &mgr, &ProductQuery::default()).await.expect("catalog");
    assert!(cm.sees_cost && cm.can_edit);
    let costs: Vec<(String, Option<i64>)> = cm.products.iter().map(|p| (p.code.clone(), p.unit_cost_minor)).collect();
    assert_eq!(costs, vec![("PMP-100".to_string(), Some(40_000)), ("SRV-1".to_string(), None), ("VNT-20".to_string(), Some(5_000))]);
    let cs = products::catalog::catalog(&db, &ana, &ProductQuery::default()).await.expect("catalog");
    assert!(!cs.sees_cost && !cs.can_edit);
    assert_eq!(cs.products.len(), 3);
    assert!(cs.products.iter().all(|p| p.unit_cost_minor.is_none()));
    let text = serde_json::to_string(&cs).expect("serialize");
    assert!(!text.contains("40000") && !text.contains("\"unit_cost_minor\":5000"), "{text}");
    assert_eq!(products::catalog::get_product(&db, &ana, p).await.expect("product").unit_cost_minor, None);
    assert_eq!(products::catalog::get_product(&db, &mgr, p).await.expect("product").unit_cost_minor, Some(40_000));
}
both!(win_rates_margins_and_hidden_costs);

// ---------------------------------------------------------------------------------------------------
// 7. Competitors: observations, market share, their products, cross-sell
// ---------------------------------------------------------------------------------------------------

async fn competitor_intelligence(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let (ta, tb) = (team(&db, "Beograd").await, team(&db, "Niš").await);
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(ta)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(ta)).await;
    let bob = user(&db, "bob@veza.rs", "Bob", "sales", Some(tb)).await;
    let ours = product(&db, &mgr, "PMP-100", "Pumps", "1.000,00", "400").await;
    let rival = account(&db, &ana, "Konkurent X", "competitor", "", "").await;
    let mut input = account_input("Tajni kupac");
    input.region = "Vojvodina".into();
    let customer = accounts::create(&db, &ana, &input).await.expect("customer");
    assert_eq!(accounts::get(&db, &bob, customer).await, Err(AppError::NotFound));

    // Their product, countered by ours.
    let cp = CompetitorProductInput {
        competitor_id: rival.to_string(),
        name: "X-Pump 90".into(),
        family: "Pumps".into(),
        quality: "3".into(),
        counters: vec![ours.to_string()],
        ..Default::default()
    };
    let xp = competitors::save_product(&db, &ana, &cp).await.expect("competitor product");
    assert_eq!(
        competitors::save_product(&db, &ana, &CompetitorProductInput { quality: "6".into(), ..cp.clone() }).await,
        Err(invalid("quality", Problem::OutOfRange(1, 5)))
    );

    // Observations: at the hidden customer (newest but one), without one, and the latest.
    let obs = |on: &str, price: &str| ObservationInput {
        competitor_id: rival.to_string(),
        competitor_product_id: xp.to_string(),
        observed_on: on.into(),
        price: price.into(),
        ..Default::default()
    };
    let at_customer = ObservationInput {
        customer_id: customer.to_string(),
        rebate: "5".into(),
        quality: "4".into(),
        why_liked: "Brza isporuka".into(),
        ..obs("2026-10-01", "950")
    };
    let o1 = competitors::record_observation(&db, &ana, &at_customer).await.expect("observation");
    let o2 = competitors::record_observation(&db, &ana, &obs("2026-09-01", "980")).await.expect("observation");
    let o3 = competitors::record_observation(&db, &bob, &obs("2026-11-01", "920,50")).await.expect("observation");
    // In the future, with nothing observed, at a customer the recorder may not see: refused.
    assert_eq!(competitors::record_observation(&db, &ana, &obs(&tomorrow(), "900")).await, Err(invalid("observed_on", Problem::InFuture)));
    assert_eq!(competitors::record_observation(&db, &ana, &obs("2026-10-02", "")).await, Err(invalid("price", Problem::Required)));
    let hidden = ObservationInput { customer_id: customer.to_string(), ..obs("2026-10-02", "900") };
    assert_eq!(competitors::record_observation(&db, &bob, &hidden).await, Err(invalid("customer_id", Problem::InvalidChoice)));
    let not_competitor =
        ObservationInput { competitor_id: customer.to_string(), competitor_product_id: String::new(), ..obs("2026-10-02", "900") };
    assert_eq!(competitors::record_observation(&db, &ana, &not_competitor).await, Err(invalid("competitor_id", Problem::InvalidChoice)));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM field_observations").await, 3);

    // Market shares, entered out of order, come back by date.
    for (share, as_of) in [("25", "2026-06-30"), ("20", "2025-12-31"), ("22,5", "2026-03-31")] {
        let m = MarketShareInput {
            competitor_id: rival.to_string(),
            share: share.into(),
            as_of: as_of.into(),
            region: "Srbija".into(),
            ..Default::default()
        };
        competitors::add_market_share(&db, &ana, &m).await.expect("market share");
    }
    assert_eq!(
        competitors::add_market_share(
            &db,
            &ana,
            &MarketShareInput { competitor_id: customer.to_string(), share: "5".into(), as_of: "2026-01-01".into(), ..Default::default() }
        )
        .await,
        Err(AppError::NotFound)
    );

    // Deals with X: one won, one lost to X, one open that an observation names.
    let c = new_account(&db, &ana, "Kupac d.o.o.").await;
    let price = loss_reason(&db, "price").await;
    let w = new_opportunity(&db, &ana, "Dobijen", c, open[1].id, "1.000").await;
    competitors_on_deal::add_competitor(&db, &ana, w, rival).await.expect("competitor");
    closing::close(&db, &ana, &won(w, 1, "1.000", &today())).await.expect("won");
    let l = new_opportunity(&db, &ana, "Izgubljen", c, open[1].id, "2.000").await;
    closing::close(&db, &ana, &lost(l, 1, price, Some(rival), "")).await.expect("lost");
    let o = new_opportunity(&db, &ana, "U toku", c, open[1].id, "3.000").await;
    let on_deal = ObservationInput {
        opportunity_id: o.to_string(),
        note: "Nude 60 dana odloženo".into(),
        price: String::new(),
        ..obs("2026-11-02", "")
    };
    let o4 = competitors::record_observation(&db, &ana, &on_deal).await.expect("observation on a deal");
    assert_eq!(deal::deal(&db, &ana, o).await.expect("deal").competitors.iter().map(|c| c.id).collect::<Vec<_>>(), vec![rival]);

    // The page as another team's salesperson sees it.
    let page = competitors::page(&db, &bob, rival).await.expect("competitor page");
    assert_eq!(page.profile.name, "Konkurent X");
    assert_eq!(page.observations.iter().map(|o| o.id).collect::<Vec<_>>(), vec![o4, o3, o1, o2], "newest first");
    let seen = page.observations.iter().find(|o| o.id == o1).expect("the observation at the customer");
    assert_eq!((seen.customer_id, seen.customer_name.as_deref()), (None, None));
    assert_eq!((seen.price_minor, seen.currency, seen.rebate_bp, seen.quality), (Some(95_000), Some(Currency::RSD), Some(500), Some(4)));
    assert_eq!((seen.recorded_by.as_str(), seen.product_name.as_deref()), ("Ana", Some("X-Pump 90")));
    assert_eq!(page.why_liked, vec!["Brza isporuka".to_string()]);
    assert_eq!((page.record.won, page.record.lost), (0, 0), "bob sees none of ana's deals");
    assert!(page.opportunities.is_empty());
    assert!(!page.can_edit);
    // … and as the recorder's team sees it.
    let page = competitors::page(&db, &ana, rival).await.expect("competitor page");
    let seen = page.observations.iter().find(|o| o.id == o1).expect("the observation at the customer");
    assert_eq!(
        (seen.customer_id, seen.customer_name.as_deref(), seen.region.as_deref()),
        (Some(customer), Some("Tajni kupac"), Some("Vojvodina"))
    );
    assert_eq!((page.record.won, page.record.lost, page.record.won_minor, page.record.lost_minor), (1, 1, 100_000, 200_000));
    assert_eq!(page.record.rate_bp(), Some(5000));
    assert_eq!(page.opportunities.len(), 3);
    assert_eq!(page.loss_reasons.iter().map(|r| (r.reason.code.as_str(), r.count)).collect::<Vec<_>>(), vec![("price", 1)]);
    let shares: Vec<(i64, &str)> = page.shares.iter().map(|s| (s.share_bp, s.as_of.as_str())).collect();
    assert_eq!(shares, vec![(2_000, "2025-12-31"), (2_250, "2026-03-31"), (2_500, "2026-06-30")]);
    assert_eq!(page.products.len(), 1);
    let xprod = &page.products[0];
    assert_eq!((xprod.name.as_str(), xprod.family.as_deref(), xprod.quality), ("X-Pump 90", Some("Pumps"), Some(3)));
    let counters: Vec<(i64, i64, Currency)> = xprod.counters.iter().map(|c| (c.product_id, c.list_price_minor, c.currency)).collect();
    assert_eq!(counters, vec![(ours, 100_000, Currency::RSD)]);
    let prices: Vec<(&str, i64, Option<i64>)> = xprod.prices.iter().map(|p| (p.on.as_str(), p.price_minor, p.rebate_bp)).collect();
    assert_eq!(prices, vec![("2026-09-01", 98_000, None), ("2026-10-01", 95_000, Some(500)), ("2026-11-01", 92_050, None)]);
    // The list: latest share and every observation.
    let list = competitors::list(&db, &bob).await.expect("competitors");
    let row = list.iter().find(|c| c.id == rival).expect("X in the list");
    assert_eq!((row.latest_share_bp, row.observations, row.record.won, row.record.lost), (Some(2_500), 4, 0, 0));
    // On the customer's page only those who see the customer see its observations.
    assert_eq!(
        competitors::observations_at(&db, &ana, customer).await.expect("observations").iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![o1]
    );
    assert!(competitors::observations_at(&db, &bob, customer).await.expect("observations").is_empty());
}
both!(competitor_intelligence);

/// Cross-sell: a family that two accounts of the same industry bought in won deals and the target
/// has not (lost deals, other industries and families the target already bought do not count).
async fn cross_sell_hints(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let pump = product(&db, &mgr, "PMP-100", "Pumps", "1.000,00", "").await;
    let valve = product(&db, &mgr, "VNT-20", "Valves", "200", "").await;
    let motor = product(&db, &mgr, "MOT-5", "Motors", "3.000", "").await;
    let price = loss_reason(&db, "price").await;
    let s1 = account(&db, &ana, "Mlekara 1", "customer", "", "Prehrana").await;
    let s2 = account(&db, &ana, "Mlekara 2", "customer", "", "Prehrana").await;
    let target = account(&db, &ana, "Mlekara 3", "customer", "", "Prehrana").await;
    let metal = account(&db, &ana, "Livnica", "customer", "", "Metal").await;

    /// A deal with one line, then won (or lost).
    async fn deal_with(db: &Db, ana: &Actor, acc: i64, stage: i64, product: i64, qty: &str, outcome: Result<(), i64>) {
        let o = new_opportunity(db, ana, "Isporuka", acc, stage, "").await;
        lines::save_line(db, ana, &line(o, 1, product, qty)).await.expect("line");
        match outcome {
            Ok(()) => closing::close(db, ana, &won(o, 2, "1", &app::db::today())).await.expect("won"),
            Err(reason) => closing::close(db, ana, &lost(o, 2, reason, None, "")).await.expect("lost"),
        };
    }
    deal_with(&db, &ana, s1, open[0].id, pump, "1", Ok(())).await; // 1,000.00
    deal_with(&db, &ana, s2, open[0].id, pump, "2", Ok(())).await; // 2,000.00
    deal_with(&db, &ana, s1, open[0].id, valve, "1", Ok(())).await; // the target has valves
    deal_with(&db, &ana, target, open[0].id, valve, "4", Ok(())).await;
    deal_with(&db, &ana, s2, open[0].id, motor, "1", Err(price)).await; // lost: no hint
    deal_with(&db, &ana, metal, open[0].id, motor, "1", Ok(())).await; // another industry: no hint

    let hints = analysis::cross_sell(&db, &ana, target).await.expect("cross-sell");
    let got: Vec<(&str, i64, i64)> = hints.iter().map(|h| (h.family.as_str(), h.accounts, h.revenue_minor)).collect();
    assert_eq!(got, vec![("Pumps", 2, 300_000)]);
    // For a pump buyer, the only hint left is valves (from s1).
    let hints = analysis::cross_sell(&db, &ana, s2).await.expect("cross-sell");
    let got: Vec<(&str, i64, i64)> = hints.iter().map(|h| (h.family.as_str(), h.accounts, h.revenue_minor)).collect();
    assert_eq!(got, vec![("Valves", 2, 100_000)]);
    // No industry or category: no hints.
    let plain = new_account(&db, &ana, "Bez grane").await;
    assert!(analysis::cross_sell(&db, &ana, plain).await.expect("cross-sell").is_empty());
}
both!(cross_sell_hints);

/// Values of EUR deals are summed in RSD at the stored rate: 100.00 EUR lost to X = 11,717.00 RSD.
async fn eur_deals_count_in_rsd(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let rival = account(&db, &mgr, "Konkurent X", "competitor", "", "").await;
    let customer = new_account(&db, &mgr, "Kupac d.o.o.").await;
    let price = loss_reason(&db, "price").await;
    let mut input = opportunity_input("U evrima", customer, open[0].id, "100");
    input.currency = "EUR".into();
    let o = opportunities::create(&db, &mgr, &input).await.expect("EUR opportunity");
    closing::close(&db, &mgr, &lost(o, 1, price, Some(rival), "")).await.expect("lost");
    let w = new_opportunity(&db, &mgr, "U dinarima", customer, open[0].id, "").await;
    closing::close(&db, &mgr, &won(w, 1, "1.000", &today())).await.expect("won");
    let wl = analysis::win_loss(&db, &mgr, &AnalysisQuery::default()).await.expect("win/loss");
    assert_eq!((wl.overall.won_minor, wl.overall.lost_minor), (100_000, 1_171_700));
    assert_eq!(wl.reasons.iter().map(|r| r.value_minor).collect::<Vec<_>>(), vec![1_171_700]);
    let page = competitors::page(&db, &mgr, rival).await.expect("competitor page");
    assert_eq!((page.record.lost, page.record.lost_minor), (1, 1_171_700));
    assert_eq!(page.loss_reasons.iter().map(|r| r.value_minor).collect::<Vec<_>>(), vec![1_171_700]);
    // Ranked by revenue (a salesperson of the team): the won 1,000.00 RSD.
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let p = analysis::profitability(&db, &ana, &AnalysisQuery::default()).await.expect("profitability");
    assert_eq!(p.most.iter().map(|r| (r.account_id, r.revenue_minor)).collect::<Vec<_>>(), vec![(customer, 100_000)]);
}
both!(eur_deals_count_in_rsd);

/// A won or lost stage is reached only by closing — also when a qualified lead creates the deal.
async fn qualify_into_closed_stage_is_refused(db: Db) {
    seed(&db).await;
    let (_, won_stage, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let lead_input = app::domain::LeadInput {
        company: "Mlekara d.o.o.".into(),
        first_name: "Jovan".into(),
        last_name: "Ilić".into(),
        ..Default::default()
    };
    let lead = app::services::leads::create(&db, &ana, &lead_input).await.expect("lead");
    let q = app::domain::QualifyInput {
        lead_id: lead.to_string(),
        version: "1".into(),
        create_opportunity: "on".into(),
        amount: "1.000".into(),
        stage_id: won_stage.id.to_string(),
        ..Default::default()
    };
    let result = app::services::leads::qualify(&db, &ana, &q).await.map(|d| d.opportunity_id);
    let won_without_close = count(
        &db,
        "SELECT COUNT(*) AS n FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = 'won' AND o.closed_at IS NULL",
    )
    .await;
    assert_eq!((result, won_without_close), (Err(invalid("stage_id", Problem::UseClose)), 0));
}
both!(qualify_into_closed_stage_is_refused);

/// Deleting an opportunity takes its lines and its competitor links with it.
async fn deleting_a_deal_takes_its_lines(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let p = product(&db, &mgr, "P-1", "Pumps", "100", "").await;
    let rival = account(&db, &mgr, "Konkurent X", "competitor", "", "").await;
    let customer = new_account(&db, &mgr, "Kupac").await;
    let o = new_opportunity(&db, &mgr, "S linijama", customer, open[0].id, "").await;
    lines::save_line(&db, &mgr, &line(o, 1, p, "1")).await.expect("line");
    lines::save_line(&db, &mgr, &line(o, 2, p, "2")).await.expect("line");
    competitors_on_deal::add_competitor(&db, &mgr, o, rival).await.expect("competitor");
    assert_eq!(opportunities::delete(&db, &mgr, o, 2).await, Err(AppError::Conflict));
    assert_eq!(opportunities::delete(&db, &mgr, o, 3).await, Ok(()));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM opportunity_lines").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM opportunity_competitors").await, 0);
}
both!(deleting_a_deal_takes_its_lines);

/// Deleting a deal or an account that competition data refers to ends in a clean answer, never an
/// internal error: a deal named by an observation is deleted (the observation stays, unlinked); an
/// account named by an observation or on a deal is "in use".
async fn referenced_deletes_answer_cleanly(db: Db) {
    seed(&db).await;
    let (open, _, _) = open_and_closed_stages(&db).await;
    let t = team(&db, "Beograd").await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let rival = account(&db, &mgr, "Konkurent X", "competitor", "", "").await;
    let rival2 = account(&db, &mgr, "Konkurent Y", "competitor", "", "").await;
    let customer = new_account(&db, &mgr, "Kupac").await;
    let seen_at = new_account(&db, &mgr, "Posmatran kupac").await;
    let clean = |r: Result<(), AppError>| matches!(r, Ok(()) | Err(AppError::Validation { problem: Problem::InUse(_), .. }));
    let obs = |customer: String, opportunity: String| ObservationInput {
        competitor_id: rival.to_string(),
        customer_id: customer,
        opportunity_id: opportunity,
        price: "5".into(),
        observed_on: "2026-10-01".into(),
        ..Default::default()
    };

    // A deal named by an observation.
    let o = new_opportunity(&db, &mgr, "Posmatran", customer, open[0].id, "").await;
    competitors::record_observation(&db, &mgr, &obs(String::new(), o.to_string())).await.expect("observation");
    let deal_named = opportunities::delete(&db, &mgr, o, 1).await;
    // A customer named by an observation (no contacts, deals or activities).
    competitors::record_observation(&db, &mgr, &obs(seen_at.to_string(), String::new())).await.expect("observation");
    let customer_named = accounts::delete(&db, &mgr, seen_at, 1).await;
    // A competitor named on a deal.
    let d = new_opportunity(&db, &mgr, "Sa Y", customer, open[0].id, "").await;
    competitors_on_deal::add_competitor(&db, &mgr, d, rival2).await.expect("competitor");
    let competitor_on_deal = accounts::delete(&db, &mgr, rival2, 1).await;
    // A competitor with observations.
    let competitor_observed = accounts::delete(&db, &mgr, rival, 1).await;

    let results = [deal_named, customer_named, competitor_on_deal, competitor_observed];
    assert!(results.iter().cloned().all(clean), "{results:?}");
    assert_eq!(results[0], Ok(()));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM field_observations WHERE opportunity_id IS NULL").await, 2);
    for r in &results[1..] {
        assert!(matches!(r, Err(AppError::Validation { problem: Problem::InUse(n), .. }) if *n >= 1), "{r:?}");
    }
}
both!(referenced_deletes_answer_cleanly);

/// An observation recorded by mistake is removed by whoever recorded it or a manager — nobody else —
/// and the audit keeps a row of the removal.
async fn observations_are_removed_by_their_recorder_or_a_manager(db: Db) {
    seed(&db).await;
    let t = team(&db, "Beograd").await;
    let ana = user(&db, "ana@veza.rs", "Ana", "sales", Some(t)).await;
    let iva = user(&db, "iva@veza.rs", "Iva", "sales", Some(t)).await;
    let mgr = user(&db, "mila@veza.rs", "Mila", "manager", Some(t)).await;
    let rival = account(&db, &mgr, "Konkurent X", "competitor", "", "").await;
    let input = ObservationInput { competitor_id: rival.to_string(), price: "10".into(), ..Default::default() };
    let first = competitors::record_observation(&db, &ana, &input).await.expect("observation");
    let second = competitors::record_observation(&db, &ana, &input).await.expect("observation");
    let page = competitors::page(&db, &iva, rival).await.expect("page");
    assert!(page.observations.iter().all(|o| !o.can_delete), "Iva did not record them");
    assert_eq!(competitors::delete_observation(&db, &iva, first).await, Err(AppError::Forbidden));
    assert_eq!(competitors::delete_observation(&db, &ana, first).await, Ok(()));
    assert_eq!(competitors::delete_observation(&db, &ana, first).await, Err(AppError::NotFound));
    assert_eq!(competitors::delete_observation(&db, &mgr, second).await, Ok(()));
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM field_observations").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE entity = 'observation' AND action = 'delete'").await, 2);
}
both!(observations_are_removed_by_their_recorder_or_a_manager);
