//! The deal as the opportunity page shows it: lines, competitors, the close and the choices its
//! dialogs need, with costs and margins only for those who may see them.

use crate::db::{today, Db};
use crate::domain::catalog::*;
use crate::domain::competition::*;
use crate::domain::{Choice, StageKind};
use crate::error::AppError;
use crate::services::products::sees_cost;
use crate::services::Actor;

type LineTuple =
    (i64, i64, String, String, String, String, i64, i64, String, Option<String>, i64, i64, Option<String>, i64, Option<i64>, i64);

/// Lines, competitors, the close and the choices the page's dialogs need, for an opportunity the
/// actor may see. Costs and margins only for those who may see them.
pub async fn deal(db: &Db, actor: &Actor, id: i64) -> Result<Deal, AppError> {
    // The visibility check: the same rule as the opportunity itself.
    let o = super::get(db, actor, id).await?;
    let cost = sees_cost(actor);
    let lines: Vec<OpportunityLine> = sqlx::query_as::<_, LineTuple>(
        "SELECT l.id, l.product_id, p.code, p.name, p.family, p.unit, l.quantity_milli, l.unit_price_minor, l.price_source, pl.name AS list_name, \
         l.discount_bp, l.discount_minor, d.name AS rule_name, l.total_minor, l.unit_cost_minor, l.version FROM opportunity_lines l \
         JOIN products p ON p.id = l.product_id LEFT JOIN price_lists pl ON pl.id = l.price_list_id LEFT JOIN discount_rules d ON d.id = l.discount_rule_id \
         WHERE l.opportunity_id = $1 ORDER BY l.position, l.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| {
        let unit_cost = r.14.filter(|_| cost);
        OpportunityLine {
            id: r.0,
            product_id: r.1,
            code: r.2,
            name: r.3,
            family: r.4,
            unit: r.5,
            quantity_milli: r.6,
            unit_price_minor: r.7,
            price_source: PriceSource::parse(&r.8).unwrap_or(PriceSource::Manual),
            price_list_name: r.9,
            discount_bp: r.10,
            discount_minor: r.11,
            discount_rule_name: r.12,
            total_minor: r.13,
            unit_cost_minor: unit_cost,
            margin_minor: unit_cost.map(|c| r.13 - line_cost(r.6, c)),
            version: r.15,
        }
    })
    .collect();
    let margin_minor = if cost && !lines.is_empty() && lines.iter().all(|l| l.margin_minor.is_some()) {
        Some(lines.iter().filter_map(|l| l.margin_minor).sum())
    } else {
        None
    };
    let competitors = sqlx::query_as::<_, (i64, String)>(
        "SELECT a.id, a.name FROM opportunity_competitors oc JOIN accounts a ON a.id = oc.competitor_id WHERE oc.opportunity_id = $1 ORDER BY a.search_key",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|(id, label)| Choice { id, label })
    .collect();
    let picklists = crate::services::picklists::load(db).await?;
    let close = if o.stage_kind == StageKind::Open {
        None
    } else {
        let (closed_at, reason_id, won_by, notes): (Option<String>, Option<i64>, Option<i64>, Option<String>) =
            sqlx::query_as("SELECT closed_at, close_reason_id, won_by_id, close_notes FROM opportunities WHERE id = $1")
                .bind(id)
                .fetch_one(&db.pool)
                .await?;
        let won_by = match won_by {
            Some(w) => sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM accounts WHERE id = $1")
                .bind(w)
                .fetch_optional(&db.pool)
                .await?
                .map(|(id, label)| Choice { id, label }),
            None => None,
        };
        Some(CloseInfo {
            outcome: if o.stage_kind == StageKind::Won { Outcome::Won } else { Outcome::Lost },
            closed_at,
            reason: reason_id.and_then(|r| picklists.loss_reasons.iter().find(|v| v.id == r).cloned()),
            won_by,
            notes,
        })
    };
    Ok(Deal {
        lines,
        competitors,
        close,
        sees_cost: cost,
        margin_minor,
        can_reopen: super::closing::can_reopen(actor),
        all_competitors: super::competitors::competitor_choices(db).await?,
        loss_reasons: picklists.loss_reasons,
        today: today(),
    })
}
