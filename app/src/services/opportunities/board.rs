//! The pipeline board: one column per open stage with count, total and weighted value (in RSD at the
//! stated rate), the first cards of each column and "load more"; and moving a card to another stage.

use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::db::{now, today, Db};
use crate::domain::money::{to_base, weighted, Currency, Rate};
use crate::domain::{probability_after_move, Board, BoardQuery, Card, Column, StageKind};
use crate::error::AppError;
use crate::services::{audit, currency::eur_rate, visibility, Actor};

pub const CARDS_PER_PAGE: i64 = 20;

fn filters(sql: &mut Sql, actor: &Actor, q: &BoardQuery) {
    visibility::restrict(sql, actor, "o");
    if let Some(owner) = crate::services::listing::id_filter(&q.owner) {
        sql.push(" AND o.owner_id = ").bind(owner);
    }
    if let Some(team) = crate::services::listing::id_filter(&q.team) {
        sql.push(" AND o.team_id = ").bind(team);
    }
    if !q.region.trim().is_empty() {
        sql.push(" AND o.account_id IN (SELECT r.id FROM accounts r WHERE r.region = ").bind(q.region.trim()).push(")");
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.from) {
        sql.push(" AND o.close_date >= ").bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.to) {
        sql.push(" AND o.close_date <= ").bind(d.format("%Y-%m-%d").to_string());
    }
}

const CARD_SELECT: &str = "SELECT o.id, o.name, a.name AS account_name, o.amount_minor, o.currency, o.close_date, u.name AS owner_name, \
    o.stage_id, o.probability, o.version FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id WHERE o.stage_id = ";

type CardTuple = (i64, String, String, i64, String, String, String, i64, i64, i64);

fn card(r: CardTuple) -> Card {
    Card {
        id: r.0,
        name: r.1,
        account_name: r.2,
        amount_minor: r.3,
        currency: Currency::parse(&r.4).unwrap_or(Currency::RSD),
        close_date: r.5,
        owner_name: r.6,
        stage_id: r.7,
        probability: r.8,
        version: r.9,
    }
}

/// One page of cards of a column, ordered by close date; continues after `cursor` when given.
pub async fn cards(db: &Db, actor: &Actor, stage_id: i64, q: &BoardQuery, cursor: &str) -> Result<(Vec<Card>, Option<String>), AppError> {
    let mut sql = Sql::new(CARD_SELECT);
    sql.bind(stage_id);
    filters(&mut sql, actor, q);
    if let Some((date, id)) = decode_cursor(cursor) {
        sql.push(" AND (o.close_date, o.id) > (").bind(date).push(", ").bind(id).push(")");
    }
    sql.push(" ORDER BY o.close_date, o.id LIMIT ").bind(CARDS_PER_PAGE + 1);
    let rows: Vec<Card> = sql.query_as::<CardTuple>().fetch_all(&db.pool).await?.into_iter().map(card).collect();
    Ok(page_of(rows))
}

/// Cuts the extra card fetched to know whether more follow, and makes the cursor that continues.
fn page_of(mut cards: Vec<Card>) -> (Vec<Card>, Option<String>) {
    let more = cards.len() as i64 > CARDS_PER_PAGE;
    cards.truncate(CARDS_PER_PAGE as usize);
    let next = if more { cards.last().map(|c| encode_cursor(&c.close_date, c.id)) } else { None };
    (cards, next)
}

/// The first page of cards of each of `stages`, in one round trip: a UNION ALL of one index-ordered
/// LIMIT query per column, instead of a round trip per column.
async fn first_cards(db: &Db, actor: &Actor, stages: &[i64], q: &BoardQuery) -> Result<Vec<(Vec<Card>, Option<String>)>, AppError> {
    if stages.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("");
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT * FROM (").push(CARD_SELECT).bind(*stage);
        filters(&mut sql, actor, q);
        sql.push(" ORDER BY o.close_date, o.id LIMIT ").bind(CARDS_PER_PAGE + 1).push(&format!(") AS column_{i}"));
    }
    let rows: Vec<Card> = sql.query_as::<CardTuple>().fetch_all(&db.pool).await?.into_iter().map(card).collect();
    Ok(stages
        .iter()
        .map(|stage| {
            let mut cards: Vec<Card> = rows.iter().filter(|c| c.stage_id == *stage).cloned().collect();
            // Each part is ordered by its index; keep that order explicit after the union.
            cards.sort_by(|a, b| (a.close_date.as_str(), a.id).cmp(&(b.close_date.as_str(), b.id)));
            page_of(cards)
        })
        .collect())
}

pub async fn board(db: &Db, actor: &Actor, q: &BoardQuery) -> Result<Board, AppError> {
    // Independent queries run side by side on two pool connections: four round trips, two waits.
    let (stages, rate) = tokio::try_join!(crate::services::stages::list(db), eur_rate(db))?;
    let rates = [Rate { currency: Currency::EUR, micros: rate }];
    // Totals of every open column in one aggregate query, naming the open stages: with a join on
    // `stages.kind` Postgres could not tell the 1% open rows from the closed ones and scanned them all.
    let open: Vec<i64> = stages.iter().filter(|s| s.kind == StageKind::Open).map(|s| s.id).collect();
    let totals = async {
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "SELECT o.stage_id, o.currency, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(o.amount_minor) AS BIGINT) AS total, \
             CAST(SUM(o.amount_minor * o.probability) AS BIGINT) AS weighted_x100 FROM opportunities o WHERE o.stage_id IN (",
        );
        for (i, id) in open.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*id);
        }
        sql.push(")");
        filters(&mut sql, actor, q);
        sql.push(" GROUP BY o.stage_id, o.currency");
        Ok::<_, AppError>(sql.query_as::<(i64, String, i64, i64, i64)>().fetch_all(&db.pool).await?)
    };
    let (totals, first) = tokio::try_join!(totals, first_cards(db, actor, &open, q))?;
    let mut first = first.into_iter();
    let mut columns = Vec::new();
    for stage in stages.iter().filter(|s| s.kind == StageKind::Open) {
        let (mut count, mut total, mut weighted_sum) = (0, 0, 0);
        for (_, cur, n, t, w) in totals.iter().filter(|t| t.0 == stage.id) {
            let c = Currency::parse(cur).unwrap_or(Currency::RSD);
            count += n;
            total += to_base(*t, c, &rates);
            weighted_sum += to_base(weighted(*w, 1), c, &rates);
        }
        let (cards, next_cursor) = first.next().unwrap_or_default();
        columns.push(Column { stage: stage.clone(), count, total_minor: total, weighted_minor: weighted_sum, cards, next_cursor });
    }
    Ok(Board { columns, stages, eur_rate_micros: rate, today: today() })
}

/// Moves an opportunity to `stage_id` if the client saw `version`; returns the card as it is now.
/// Probability follows the stage unless it was set manually (won is 100%, lost 0% always).
pub async fn move_opportunity(db: &Db, actor: &Actor, id: i64, stage_id: i64, version: i64) -> Result<Card, AppError> {
    let mut tx = db.begin().await?;
    let old = super::get_for_update(&mut tx, actor, id).await?;
    crate::domain::check_version(old.version, version)?;
    let stage = crate::services::stages::get(&mut tx, stage_id).await?;
    if !stage.active {
        return Err(AppError::NotFound);
    }
    if old.stage_kind != StageKind::Open {
        return Err(crate::domain::validate::field("stage_id", crate::error::Problem::Closed));
    }
    if stage.kind != StageKind::Open {
        // Won and lost ask for the outcome's details: the board opens the close dialog instead.
        return Err(crate::domain::validate::field("stage_id", crate::error::Problem::UseClose));
    }
    if stage.id == old.stage_id {
        tx.commit().await?;
        return card_of(db, actor, id).await;
    }
    let (probability, manual) = probability_after_move(&stage, old.probability, old.probability_manual);
    let ts = now();
    let n = sqlx::query(
        "UPDATE opportunities SET stage_id = $1, probability = $2, probability_manual = $3, stage_changed_at = $4, updated_at = $4, \
         updated_by = $5, version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(stage.id)
    .bind(probability)
    .bind(manual as i64)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    super::record_stage_change(&mut tx, actor, id, Some(old.stage_id), stage.id, &ts).await?;
    audit::updated(
        &mut tx,
        "opportunity",
        id,
        Some(actor),
        &vec![("stage_id", Some(old.stage_id.to_string())), ("probability", Some(old.probability.to_string()))],
        &vec![("stage_id", Some(stage.id.to_string())), ("probability", Some(probability.to_string()))],
    )
    .await?;
    tx.commit().await?;
    // The card as it is now, from what the transaction already read (no further query).
    Ok(Card {
        id,
        name: old.name,
        account_name: old.account_name,
        amount_minor: old.amount_minor,
        currency: old.currency,
        close_date: old.close_date,
        owner_name: old.owner_name,
        stage_id: stage.id,
        probability,
        version: version + 1,
    })
}

pub async fn card_of(db: &Db, actor: &Actor, id: i64) -> Result<Card, AppError> {
    let mut sql = Sql::new(&CARD_SELECT.replace("WHERE o.stage_id = ", "WHERE o.id = "));
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "o");
    sql.query_as::<CardTuple>().fetch_optional(&db.pool).await?.map(card).ok_or(AppError::NotFound)
}
