//! Competitor intelligence (profile, market share, their products, field observations), closing
//! opportunities as won or lost, and the analyses built on them: win/loss, customer profitability
//! and cross-sell hints.

use super::money::Currency;
use super::records::code_enum;
use super::{Choice, OpportunityRow, PicklistValue};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

code_enum!(Threat { Low = "low", Medium = "medium", High = "high" });
code_enum!(
    /// How an opportunity ends.
    Outcome { Won = "won", Lost = "lost" }
);

/// The loss-reason code for a deal that ended without any decision: no competitor can have won it.
pub const NO_DECISION: &str = "no_decision";
/// The loss-reason code that needs the lessons learned written out.
pub const OTHER_REASON: &str = "other";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitorProfile {
    pub account_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    pub threat: Option<Threat>,
    /// Regions where it is active.
    pub regions: Vec<String>,
    pub potential_minor: Option<i64>,
    pub potential_currency: Currency,
    /// 0 while no profile was saved yet.
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub account_id: String,
    pub version: String,
    pub strengths: String,
    pub weaknesses: String,
    pub threat: String,
    /// One region per line (or separated by commas).
    pub regions: String,
    pub potential: String,
    pub potential_currency: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketShare {
    pub id: i64,
    pub share_bp: i64,
    pub region: Option<String>,
    pub family: Option<String>,
    pub as_of: String,
    pub source: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarketShareInput {
    pub competitor_id: String,
    pub share: String,
    pub region: String,
    pub family: String,
    pub as_of: String,
    pub source: String,
}

/// An observed price at a date (for trends).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    pub on: String,
    pub price_minor: i64,
    pub currency: Currency,
    pub rebate_bp: Option<i64>,
}

/// One of our products that counters a competitor's product, with its list price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub product_id: i64,
    pub name: String,
    pub list_price_minor: i64,
    pub currency: Currency,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitorProduct {
    pub id: i64,
    pub name: String,
    pub family: Option<String>,
    pub quality: Option<i64>,
    pub service: Option<i64>,
    pub notes: Option<String>,
    pub counters: Vec<Counter>,
    /// Observed prices, oldest first (the last is the latest).
    pub prices: Vec<PricePoint>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompetitorProductInput {
    pub competitor_id: String,
    pub id: String,
    pub version: String,
    pub name: String,
    pub family: String,
    pub quality: String,
    pub service: String,
    pub notes: String,
    /// Ids of our products that counter it.
    pub counters: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub id: i64,
    pub competitor_id: i64,
    pub competitor_name: String,
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    /// Shown only to users who may see the customer.
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub observed_on: String,
    pub region: Option<String>,
    pub price_minor: Option<i64>,
    pub currency: Option<Currency>,
    pub rebate_bp: Option<i64>,
    pub payment_terms: Option<String>,
    pub quality: Option<i64>,
    pub service: Option<i64>,
    pub why_liked: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    /// The viewer recorded it, or manages: may remove it.
    pub can_delete: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObservationInput {
    pub competitor_id: String,
    pub competitor_product_id: String,
    pub customer_id: String,
    pub opportunity_id: String,
    pub observed_on: String,
    pub region: String,
    pub price: String,
    pub currency: String,
    pub rebate: String,
    pub payment_terms: String,
    pub quality: String,
    pub service: String,
    pub why_liked: String,
    pub note: String,
}

/// What the observation form offers: the competitors and each one's products.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservationChoices {
    pub competitors: Vec<Choice>,
    /// (competitor id, product)
    pub products: Vec<(i64, Choice)>,
    pub regions: Vec<String>,
}

/// Won, lost and still open deals (counts and RSD values) — a win rate is won / (won + lost).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WinRecord {
    /// What the row is about, for the drill-down link (an id, a code, a region, "2026-Q3" …).
    pub key: String,
    pub label: String,
    pub won: i64,
    pub lost: i64,
    pub won_minor: i64,
    pub lost_minor: i64,
}

impl WinRecord {
    /// Win rate in basis points, None when nothing closed.
    pub fn rate_bp(&self) -> Option<i64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| (self.won * 10_000 + closed / 2) / closed)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonCount {
    pub reason: PicklistValue,
    pub count: i64,
    pub value_minor: i64,
}

/// The competitor's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitorPage {
    pub profile: CompetitorProfile,
    pub shares: Vec<MarketShare>,
    pub products: Vec<CompetitorProduct>,
    pub observations: Vec<Observation>,
    pub opportunities: Vec<OpportunityRow>,
    pub record: WinRecord,
    pub loss_reasons: Vec<ReasonCount>,
    /// What customers told us they like about this competitor (latest first).
    pub why_liked: Vec<String>,
    pub can_edit: bool,
    /// Our products, for choosing counters.
    pub our_products: Vec<Choice>,
    pub families: Vec<String>,
}

/// A row of the competitors list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitorSummary {
    pub id: i64,
    pub name: String,
    pub threat: Option<Threat>,
    pub latest_share_bp: Option<i64>,
    pub observations: i64,
    pub record: WinRecord,
}

/// Closing an opportunity. Won: actual value and close date. Lost: reason, the competitor who won
/// (optional), lessons learned.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloseInput {
    pub id: String,
    pub version: String,
    pub outcome: String,
    pub amount: String,
    pub close_date: String,
    pub reason_id: String,
    pub won_by_id: String,
    pub notes: String,
}

/// How a closed opportunity ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloseInfo {
    pub outcome: Outcome,
    pub closed_at: Option<String>,
    pub reason: Option<PicklistValue>,
    pub won_by: Option<Choice>,
    pub notes: Option<String>,
}

/// What the opportunity page shows besides the form: lines, competitors, how it closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub lines: Vec<super::catalog::OpportunityLine>,
    pub competitors: Vec<Choice>,
    pub close: Option<CloseInfo>,
    pub sees_cost: bool,
    pub margin_minor: Option<i64>,
    pub can_reopen: bool,
    /// Competitor accounts and loss reasons for the dialogs.
    pub all_competitors: Vec<Choice>,
    pub loss_reasons: Vec<PicklistValue>,
    /// The default actual close date.
    pub today: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisQuery {
    pub from: String,
    pub to: String,
    pub owner: String,
    pub team: String,
    pub region: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WinLoss {
    pub overall: WinRecord,
    pub by_competitor: Vec<WinRecord>,
    pub reasons: Vec<ReasonCount>,
    pub by_family: Vec<WinRecord>,
    pub by_region: Vec<WinRecord>,
    pub by_owner: Vec<WinRecord>,
    pub by_quarter: Vec<WinRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfitRow {
    pub account_id: i64,
    pub name: String,
    pub deals: i64,
    pub revenue_minor: i64,
    /// None when the viewer may not see margins, or no line of the account's won deals has a cost.
    pub margin_minor: Option<i64>,
}

impl ProfitRow {
    pub fn margin_bp(&self) -> Option<i64> {
        self.margin_minor.filter(|_| self.revenue_minor > 0).map(|m| (m as i128 * 10_000 / self.revenue_minor as i128) as i64)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profitability {
    pub most: Vec<ProfitRow>,
    pub least: Vec<ProfitRow>,
    /// Ranked by margin when the viewer sees margins, by revenue otherwise.
    pub sees_margin: bool,
}

/// A product family similar accounts buy and this one does not yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossSell {
    pub family: String,
    pub accounts: i64,
    pub revenue_minor: i64,
}

impl Threat {
    pub fn label(self, lang: Lang) -> &'static str {
        use crate::i18n::M;
        lang.t(match self {
            Threat::Low => M::ThreatLow,
            Threat::Medium => M::ThreatMedium,
            Threat::High => M::ThreatHigh,
        })
    }
}

/// Formats basis points as a percentage ("42.5 %").
pub fn format_bp(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    if a.is_multiple_of(100) {
        format!("{sign}{} %", a / 100)
    } else {
        format!("{sign}{}.{} %", a / 100, format!("{:02}", a % 100).trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_rate_is_won_over_closed() {
        let r = WinRecord { won: 2, lost: 1, ..Default::default() };
        assert_eq!(r.rate_bp(), Some(6667));
        assert_eq!(WinRecord::default().rate_bp(), None);
        assert_eq!(format_bp(6667), "66.67 %");
        assert_eq!(format_bp(2500), "25 %");
        assert_eq!(format_bp(1250), "12.5 %");
        assert_eq!(format_bp(-1750), "-17.5 %");
        assert_eq!(format_bp(-50), "-0.5 %");
    }

    #[test]
    fn margin_percentage_of_revenue() {
        let r = ProfitRow { account_id: 1, name: "A".into(), deals: 1, revenue_minor: 200_000, margin_minor: Some(50_000) };
        assert_eq!(r.margin_bp(), Some(2500));
        let none = ProfitRow { margin_minor: None, ..r };
        assert_eq!(none.margin_bp(), None);
    }
}
