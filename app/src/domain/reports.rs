//! Reports and goals: the query behind each report page, the table it returns, and the calendar
//! arithmetic they share (months, quarters and years; the same period a year earlier; a goal's pace).
//! No I/O: the services build one GROUP BY per report from these types.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The bucket of a report's time axis, and the length of a goal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    #[default]
    Month,
    Quarter,
    Year,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Month, Period::Quarter, Period::Year];

    pub fn parse(s: &str) -> Option<Period> {
        match s.trim() {
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }

    /// The first day of the period holding `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        let month = match self {
            Period::Month => d.month(),
            Period::Quarter => (d.month() - 1) / 3 * 3 + 1,
            Period::Year => 1,
        };
        NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d)
    }

    /// The first day of the period after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        start.checked_add_months(Months::new(self.months())).unwrap_or(start)
    }

    /// The last day of the period starting at `start`.
    pub fn last_day(self, start: NaiveDate) -> NaiveDate {
        self.next(start).pred_opt().unwrap_or(start)
    }

    /// The period's name on the time axis: "2026-11", "2026-Q4", "2026".
    pub fn key(self, d: NaiveDate) -> String {
        match self {
            Period::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Period::Quarter => format!("{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            Period::Year => format!("{:04}", d.year()),
        }
    }

    /// The first and last day of the period named `key`.
    pub fn bounds(self, key: &str) -> Option<(NaiveDate, NaiveDate)> {
        let start = match self {
            Period::Month => NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?,
            Period::Quarter => {
                let (y, q) = key.split_once("-Q")?;
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                NaiveDate::from_ymd_opt(y.parse().ok()?, (q - 1) * 3 + 1, 1)?
            }
            Period::Year => NaiveDate::from_ymd_opt(key.parse().ok()?, 1, 1)?,
        };
        (self.key(start) == key).then(|| (start, self.last_day(start)))
    }

    /// The periods from the one holding `from` to the one holding `to`, at most `MAX_PERIODS`.
    pub fn keys_between(self, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        let mut out = Vec::new();
        let mut d = self.start_of(from);
        while d <= to && out.len() < MAX_PERIODS {
            out.push(self.key(d));
            d = self.next(d);
        }
        out
    }
}

/// Most periods one report shows (five years by month).
pub const MAX_PERIODS: usize = 60;

/// The same day a year earlier (29 February → 28 February).
pub fn year_earlier(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(Months::new(12)).unwrap_or(d)
}

/// A period's key moved by whole years: ("2025-03", 1) → "2026-03", ("2025-Q4", 1) → "2026-Q4".
pub fn shift_key(key: &str, years: i32) -> String {
    match key.get(..4).and_then(|y| y.parse::<i32>().ok()) {
        Some(y) => format!("{:04}{}", y + years, &key[4..]),
        None => key.to_string(),
    }
}

/// How sure the salesperson is that an open deal closes in its month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForecastCategory {
    #[default]
    Pipeline,
    BestCase,
    Commit,
}

impl ForecastCategory {
    pub const ALL: [ForecastCategory; 3] = [ForecastCategory::Pipeline, ForecastCategory::BestCase, ForecastCategory::Commit];

    pub fn parse(s: &str) -> Option<ForecastCategory> {
        match s.trim() {
            "pipeline" => Some(ForecastCategory::Pipeline),
            "best_case" => Some(ForecastCategory::BestCase),
            "commit" => Some(ForecastCategory::Commit),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ForecastCategory::Pipeline => "pipeline",
            ForecastCategory::BestCase => "best_case",
            ForecastCategory::Commit => "commit",
        }
    }
}

/// What a report's rows are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    #[default]
    None,
    Owner,
    Team,
    Region,
    Family,
    Category,
    ForecastCategory,
    Stage,
    Account,
}

impl GroupBy {
    /// The rows the forecast offers.
    pub const FORECAST: [GroupBy; 8] = [
        GroupBy::None,
        GroupBy::Owner,
        GroupBy::Team,
        GroupBy::Region,
        GroupBy::Family,
        GroupBy::Category,
        GroupBy::ForecastCategory,
        GroupBy::Stage,
    ];
    /// The rows the sales history offers.
    pub const SALES: [GroupBy; 7] =
        [GroupBy::None, GroupBy::Owner, GroupBy::Team, GroupBy::Region, GroupBy::Family, GroupBy::Category, GroupBy::Account];

    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s.trim() {
            "" | "none" => GroupBy::None,
            "owner" => GroupBy::Owner,
            "team" => GroupBy::Team,
            "region" => GroupBy::Region,
            "family" => GroupBy::Family,
            "category" => GroupBy::Category,
            "forecast" => GroupBy::ForecastCategory,
            "stage" => GroupBy::Stage,
            "account" => GroupBy::Account,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            GroupBy::None => "none",
            GroupBy::Owner => "owner",
            GroupBy::Team => "team",
            GroupBy::Region => "region",
            GroupBy::Family => "family",
            GroupBy::Category => "category",
            GroupBy::ForecastCategory => "forecast",
            GroupBy::Stage => "stage",
            GroupBy::Account => "account",
        }
    }

    /// The opportunity-list filter that narrows a drill-down to one row of this grouping.
    pub fn list_param(self) -> Option<&'static str> {
        match self {
            GroupBy::None => None,
            GroupBy::Owner => Some("owner"),
            GroupBy::Team => Some("team"),
            GroupBy::Region => Some("region"),
            GroupBy::Family => Some("family"),
            GroupBy::Category => Some("category"),
            GroupBy::ForecastCategory => Some("forecast"),
            GroupBy::Stage => Some("stage"),
            GroupBy::Account => Some("account"),
        }
    }
}

/// The filters of a report page, as they stand in its URL (so they work without JavaScript, and a
/// link or an export repeats them exactly).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// Close dates from and to (ISO); empty: the report's default range.
    pub from: String,
    pub to: String,
    /// "month", "quarter" or "year".
    pub period: String,
    /// A `GroupBy` code.
    pub group: String,
    pub owner: String,
    pub team: String,
    pub region: String,
    /// Customer category A, B or C.
    pub category: String,
    pub family: String,
    /// Adoption: days without a completed activity after which a customer counts as neglected.
    pub days: String,
}

/// The choices of days without contact after which a customer counts as neglected.
pub const NEGLECT_CHOICES: [i64; 4] = [30, 60, 90, 180];

impl ReportQuery {
    /// The neglect threshold asked for (one of `NEGLECT_CHOICES`), else 60 days.
    pub fn neglect_days(&self) -> i64 {
        self.days.trim().parse::<i64>().ok().filter(|d| NEGLECT_CHOICES.contains(d)).unwrap_or(60)
    }

    pub fn period(&self) -> Period {
        Period::parse(&self.period).unwrap_or_default()
    }

    /// The grouping asked for, if the report offers it.
    pub fn group_in(&self, offered: &[GroupBy]) -> GroupBy {
        GroupBy::parse(&self.group).filter(|g| offered.contains(g)).unwrap_or_default()
    }

    /// The filters as URL parameters (empty ones left out), for links and exports.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("period", &self.period),
            ("group", &self.group),
            ("owner", &self.owner),
            ("team", &self.team),
            ("region", &self.region),
            ("category", &self.category),
            ("family", &self.family),
            ("days", &self.days),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect()
    }
}

/// The forecast's default range: this month and the five after it.
pub fn forecast_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = Period::Month.start_of(today);
    (start, Period::Month.last_day(start.checked_add_months(Months::new(5)).unwrap_or(start)))
}

/// The sales history's default range: this year so far, to the end of this month.
pub fn sales_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (Period::Year.start_of(today), Period::Month.last_day(Period::Month.start_of(today)))
}

/// One cell of a report: one period × one row. Money in base-currency (RSD) minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCell {
    pub period: String,
    pub key: String,
    pub label: String,
    /// Deals counted (forecast: open and won; sales: won).
    pub count: i64,
    pub won_count: i64,
    pub won_minor: i64,
    pub open_minor: i64,
    pub weighted_minor: i64,
    /// The same period a year earlier (sales history).
    pub prior_count: i64,
    pub prior_minor: i64,
}

impl ReportCell {
    /// What the period is expected to bring: won so far plus the weighted open pipeline.
    pub fn forecast_minor(&self) -> i64 {
        self.won_minor + self.weighted_minor
    }

    fn add(&mut self, o: &ReportCell) {
        self.count += o.count;
        self.won_count += o.won_count;
        self.won_minor += o.won_minor;
        self.open_minor += o.open_minor;
        self.weighted_minor += o.weighted_minor;
        self.prior_count += o.prior_count;
        self.prior_minor += o.prior_minor;
    }

    /// Growth against the same period a year earlier, in basis points; None without a prior value.
    pub fn growth_bp(&self) -> Option<i64> {
        (self.prior_minor > 0).then(|| ((self.won_minor - self.prior_minor) as i128 * 10_000 / self.prior_minor as i128) as i64)
    }
}

/// A report: its periods (every one in the range, even empty), its rows (largest first) and cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub period: Period,
    pub group: GroupBy,
    pub periods: Vec<String>,
    /// (key, label) of each row.
    pub rows: Vec<(String, String)>,
    pub cells: Vec<ReportCell>,
    /// The won-revenue goal of each period for the filtered owner, team or everyone (forecast).
    pub goals: Vec<(String, i64)>,
}

impl Report {
    fn sum<'a>(cells: impl Iterator<Item = &'a ReportCell>) -> ReportCell {
        let mut total = ReportCell::default();
        for c in cells {
            total.add(c);
        }
        total
    }

    pub fn total(&self) -> ReportCell {
        Report::sum(self.cells.iter())
    }

    pub fn period_total(&self, period: &str) -> ReportCell {
        ReportCell { period: period.to_string(), ..Report::sum(self.cells.iter().filter(|c| c.period == period)) }
    }

    pub fn row_total(&self, key: &str) -> ReportCell {
        ReportCell { key: key.to_string(), ..Report::sum(self.cells.iter().filter(|c| c.key == key)) }
    }

    pub fn cell(&self, period: &str, key: &str) -> ReportCell {
        Report::sum(self.cells.iter().filter(|c| c.period == period && c.key == key))
    }

    pub fn goal(&self, period: &str) -> Option<i64> {
        self.goals.iter().find(|g| g.0 == period).map(|g| g.1)
    }

    pub fn goal_total(&self) -> Option<i64> {
        (!self.goals.is_empty()).then(|| self.goals.iter().map(|g| g.1).sum())
    }

    /// The forecast of the periods that have a goal (to set against `goal_total`).
    pub fn forecast_with_goals(&self) -> i64 {
        self.goals.iter().map(|(p, _)| self.period_total(p).forecast_minor()).sum()
    }

    /// Orders the rows by their total (forecast or won), largest first, then by label.
    pub fn sort_rows(&mut self, by_forecast: bool) {
        let mut totals: Vec<(i64, String, String)> = self
            .rows
            .iter()
            .map(|(k, l)| {
                let t = self.row_total(k);
                (if by_forecast { t.forecast_minor() } else { t.won_minor }, k.clone(), l.clone())
            })
            .collect();
        totals.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        self.rows = totals.into_iter().map(|(_, k, l)| (k, l)).collect();
    }
}

/// What a goal counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Measure {
    #[default]
    WonRevenue,
    WonDeals,
    NewOpportunities,
    ActivitiesDone,
    NewLeads,
    QualifiedLeads,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::WonRevenue,
        Measure::WonDeals,
        Measure::NewOpportunities,
        Measure::ActivitiesDone,
        Measure::NewLeads,
        Measure::QualifiedLeads,
    ];

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == s.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            Measure::WonRevenue => "won_revenue",
            Measure::WonDeals => "won_deals",
            Measure::NewOpportunities => "new_opportunities",
            Measure::ActivitiesDone => "activities_done",
            Measure::NewLeads => "new_leads",
            Measure::QualifiedLeads => "qualified_leads",
        }
    }

    /// Revenue is money (minor units); everything else a count.
    pub fn is_money(self) -> bool {
        self == Measure::WonRevenue
    }
}

/// A goal metric an admin defined.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalMetric {
    pub id: i64,
    /// A seeded metric's code ("won_revenue", shown translated) or the admin's own name.
    pub name: String,
    pub measure: Measure,
    /// For activities completed: only this kind ("meeting").
    pub activity_kind: Option<String>,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub measure: String,
    pub activity_kind: String,
    /// "1" active, anything else inactive.
    pub active: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalInput {
    pub id: String,
    pub version: String,
    pub metric_id: String,
    /// "user:7" or "team:2".
    pub assignee: String,
    pub period: String,
    /// A date in the period (its first day is stored), or "2026-11" / "2026-Q4" / "2026".
    pub period_start: String,
    /// "absolute" or "relative".
    pub target_kind: String,
    /// A number (money for revenue) or, for relative targets, the growth in percent ("30").
    pub target: String,
}

/// The target of a relative goal: last year's value grown by `bp` basis points (rounded half up).
pub fn relative_target(base: i64, bp: i64) -> i64 {
    let v = base as i128 * (10_000 + bp) as i128;
    ((v + 5_000) / 10_000) as i64
}

/// Where the goal ends at the current pace: the actual value scaled from the days gone by to the whole
/// period. Before the period starts and after it ends this is the actual value.
pub fn projection(actual: i64, start: NaiveDate, last: NaiveDate, today: NaiveDate) -> i64 {
    if today < start || today >= last {
        return actual;
    }
    let total = (last - start).num_days() + 1;
    let gone = (today - start).num_days() + 1;
    ((actual as i128 * total as i128 + gone as i128 / 2) / gone as i128) as i64
}

/// One goal with its progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalProgress {
    pub id: i64,
    pub version: i64,
    pub metric_id: i64,
    pub metric_name: String,
    pub measure: Measure,
    pub activity_kind: Option<String>,
    /// The user's or the team's name.
    pub assignee: String,
    /// "user:7" or "team:2".
    pub assignee_ref: String,
    pub is_team: bool,
    /// A user goal: the user's team (for the roll-up).
    pub member_of: Option<i64>,
    pub period: Period,
    pub period_key: String,
    pub start: String,
    pub last: String,
    pub relative: bool,
    /// Absolute: the target; relative: the growth in basis points.
    pub target_raw: i64,
    /// The target to reach (relative ones computed from `base`).
    pub target: i64,
    /// A relative goal's value in the same period a year earlier.
    pub base: Option<i64>,
    pub actual: i64,
    /// Open work that could still count in the period (open deals closing in it, open activities due).
    pub in_progress: i64,
    pub projection: i64,
    /// A team goal: the sum of its members' own goals for the same metric and period.
    pub members_target: Option<i64>,
    pub can_edit: bool,
}

impl GoalProgress {
    /// Actual against target in basis points (10,000 = reached); None for a zero target.
    pub fn percent_bp(&self) -> Option<i64> {
        (self.target > 0).then(|| (self.actual as i128 * 10_000 / self.target as i128) as i64)
    }
}

/// The goals page: the goals running on a day with their progress, and what the viewer may manage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalsPage {
    /// The day (ISO) whose goals are shown: those whose period holds it.
    pub on: String,
    pub goals: Vec<GoalProgress>,
    pub metrics: Vec<GoalMetric>,
    /// Who the viewer may set goals for: ("user:7", name) and ("team:2", name).
    pub assignees: Vec<(String, String)>,
    pub can_manage_metrics: bool,
    /// The filter: whose goals are shown ("" everyone's, "user:7", or "team:2" with its members'),
    /// and the choices for it (the assignees of the day's goals, teams first).
    pub who: String,
    pub who_options: Vec<(String, String)>,
}

impl GoalsPage {
    /// Narrows the goals to one assignee, or a team and its members, keeping the choices of all.
    pub fn narrow_to(&mut self, who: &str) {
        let mut options: Vec<(String, String)> = Vec::new();
        for g in &self.goals {
            if !options.iter().any(|o| o.0 == g.assignee_ref) {
                options.push((g.assignee_ref.clone(), g.assignee.clone()));
            }
        }
        options.sort_by(|a, b| (!a.0.starts_with("team:"), &a.1).cmp(&(!b.0.starts_with("team:"), &b.1)));
        let who = who.trim();
        if !who.is_empty() {
            let team: Option<i64> = who.strip_prefix("team:").and_then(|t| t.parse().ok());
            self.goals.retain(|g| g.assignee_ref == who || (team.is_some() && g.member_of == team));
        }
        self.who = who.to_string();
        self.who_options = options;
    }

    /// May the viewer set goals for anyone?
    pub fn can_set_goals(&self) -> bool {
        !self.assignees.is_empty()
    }
}

/// Basis points of `part` in `whole` (None for an empty whole).
pub fn share_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part as i128 * 10_000 / whole as i128) as i64)
}

/// How complete one person's (or everyone's) records of one kind are: how many, and how many have
/// each field filled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillRow {
    /// 0 for the total line.
    pub owner_id: i64,
    pub owner: String,
    pub records: i64,
    /// In the order of `Completeness::fields`.
    pub filled: Vec<i64>,
}

/// Data completeness of one record kind ("accounts", "contacts", "opportunities", "leads").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    pub entity: String,
    /// Field codes ("email", "phone" …), in column order.
    pub fields: Vec<String>,
    pub rows: Vec<FillRow>,
    /// The same per team of the records (`owner_id` holds the team id, 0 for records of no team).
    pub teams: Vec<FillRow>,
    pub total: FillRow,
}

/// One person's use of the CRM over the report's range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUsage {
    pub user_id: i64,
    pub name: String,
    pub sign_ins: i64,
    pub last_sign_in: Option<String>,
    /// Records created and records changed (each record once).
    pub created: i64,
    pub updated: i64,
    /// Activities completed, by kind code.
    pub completed: Vec<(String, i64)>,
    /// Open activities past their time.
    pub overdue: i64,
    /// Activities completed per week (Monday, ISO) and kind code, every week of the range in order.
    pub weekly: Vec<(String, Vec<(String, i64)>)>,
}

impl UserUsage {
    pub fn completed_total(&self) -> i64 {
        self.completed.iter().map(|c| c.1).sum()
    }
}

/// A customer nobody has been in touch with lately, by what they bought.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neglected {
    pub account_id: i64,
    pub name: String,
    pub owner: String,
    /// Won revenue of the last twelve months (RSD minor units).
    pub won_minor: i64,
    /// The last completed activity (local date), if any.
    pub last_contact: Option<String>,
}

/// The adoption report: who uses Veza, how complete the data is, and whom nobody called.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    pub from: String,
    pub to: String,
    /// (Monday of the week, users who signed in or changed a record that week).
    pub active_by_week: Vec<(String, i64)>,
    /// (Monday of the week, activities completed that week by kind code).
    pub completed_by_week: Vec<(String, Vec<(String, i64)>)>,
    pub users: Vec<UserUsage>,
    pub completeness: Vec<Completeness>,
    pub neglect_days: i64,
    pub neglected: Vec<Neglected>,
}

/// The Monday of the week holding `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// One step of the funnel: deals created in the range that reached this open stage (or later).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub stage_id: i64,
    pub stage: String,
    pub reached: i64,
    /// Average days deals spent in this stage (stays that ended, or go on today), in tenths of a day.
    pub avg_days_x10: Option<i64>,
}

/// An open deal whose expected close date was moved later in the range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slipping {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub amount_minor: i64,
    pub currency: String,
    pub close_date: String,
    /// How many times it moved later, and the first close date it had in the range.
    pub pushes: i64,
    pub first_close: String,
}

/// Open deals of one age (days since created): the bucket's upper bound (None: older) and its count and value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBucket {
    pub max_days: Option<i64>,
    pub count: i64,
    pub value_minor: i64,
    /// The creation days the bucket covers (ISO, inclusive; empty: unbounded), for the drill-down.
    pub created_from: String,
    pub created_to: String,
}

/// Leads by source: created in the range, qualified, opportunities made of them, and what those won.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// The lead-source pick-list value (None: no source).
    pub source_id: Option<i64>,
    pub leads: i64,
    pub qualified: i64,
    pub opportunities: i64,
    pub won_count: i64,
    pub won_minor: i64,
}

/// Pipeline health over a range of creation (funnel, sources) or close dates (deal size, cycle).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub from: String,
    pub to: String,
    /// Deals created in the range, and of them won.
    pub created: i64,
    pub won_of_created: i64,
    pub funnel: Vec<FunnelStep>,
    /// Won deals closed in the range: count, average size (RSD minor) and average days from creation to close.
    pub won_closed: i64,
    pub avg_won_minor: Option<i64>,
    pub avg_cycle_days: Option<i64>,
    pub ageing: Vec<AgeBucket>,
    pub slipping: Vec<Slipping>,
    pub sources: Vec<SourceRow>,
}

/// The age buckets of open deals, in days.
pub const AGE_BUCKETS: [i64; 4] = [30, 60, 90, 180];

/// The home dashboard, by role: a salesperson's own pipeline, day and goals; a manager's team forecast
/// against its goals, win rate and slipping deals; marketing's leads by source; an administrator's
/// company-wide view with data quality.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub role: crate::domain::Role,
    /// Whose figures: the user's own ("owner"), their team's ("team") or everyone's ("all").
    pub scope: String,
    /// The scope as list filters for drill-down links ("&owner=7", "&team=2" or "").
    pub scope_params: String,
    /// The forecast of this month and the next two, for the scope.
    pub forecast: Report,
    /// Goals running today that concern the scope.
    pub goals: Vec<GoalProgress>,
    /// Open activities overdue and due today (own).
    pub overdue: i64,
    pub due_today: i64,
    /// Today in company time (ISO).
    pub date: String,
    /// The first of them, overdue first (own).
    pub today: Vec<crate::domain::ActivityRow>,
    /// Activities completed per week and kind, last four weeks, for the scope (managers and
    /// administrators; empty otherwise).
    pub activity_weeks: Vec<(String, Vec<(String, i64)>)>,
    /// Deals closed in the last 90 days: won and lost.
    pub won: i64,
    pub lost: i64,
    pub slipping: Vec<Slipping>,
    pub sources: Vec<SourceRow>,
    /// Data completeness totals (administrators): (kind, records, filled per field, field codes).
    pub completeness: Vec<Completeness>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_have_keys_and_bounds() {
        assert_eq!(Period::Quarter.key(d("2026-11-27")), "2026-Q4");
        assert_eq!(Period::Quarter.start_of(d("2026-11-27")), d("2026-10-01"));
        assert_eq!(Period::Month.bounds("2024-02"), Some((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(Period::Quarter.bounds("2026-Q3"), Some((d("2026-07-01"), d("2026-09-30"))));
        assert_eq!(Period::Year.bounds("2026"), Some((d("2026-01-01"), d("2026-12-31"))));
        assert_eq!(Period::Quarter.bounds("2026-Q5"), None);
        assert_eq!(Period::Month.bounds("2026-13"), None);
        assert_eq!(Period::Month.keys_between(d("2026-11-15"), d("2027-02-01")), ["2026-11", "2026-12", "2027-01", "2027-02"]);
        assert_eq!(Period::Quarter.keys_between(d("2026-02-01"), d("2026-07-01")), ["2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(Period::Month.keys_between(d("2000-01-01"), d("2030-01-01")).len(), MAX_PERIODS);
    }

    #[test]
    fn weeks_and_shares() {
        assert_eq!(week_start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(share_bp(1, 3), Some(3_333));
        assert_eq!(share_bp(0, 0), None);
    }

    #[test]
    fn a_year_earlier() {
        assert_eq!(year_earlier(d("2024-02-29")), d("2023-02-28"));
        assert_eq!(shift_key("2025-Q4", 1), "2026-Q4");
        assert_eq!(shift_key("2025-03", 1), "2026-03");
        assert_eq!(shift_key("2025", 1), "2026");
    }

    #[test]
    fn default_ranges() {
        assert_eq!(forecast_range(d("2026-11-28")), (d("2026-11-01"), d("2027-04-30")));
        assert_eq!(sales_range(d("2026-11-28")), (d("2026-01-01"), d("2026-11-30")));
    }

    #[test]
    fn relative_targets_and_pace() {
        // +30 % on 1,000,000.00 RSD.
        assert_eq!(relative_target(100_000_000, 3_000), 130_000_000);
        assert_eq!(relative_target(7, 5_000), 11); // 10.5 rounds up
        assert_eq!(relative_target(0, 3_000), 0);
        // 10 in the first 10 of 30 days → 30 at this pace.
        assert_eq!(projection(10, d("2026-11-01"), d("2026-11-30"), d("2026-11-10")), 30);
        assert_eq!(projection(10, d("2026-11-01"), d("2026-11-30"), d("2026-12-05")), 10);
        assert_eq!(projection(0, d("2026-11-01"), d("2026-11-30"), d("2026-10-05")), 0);
    }

    #[test]
    fn report_totals_and_order() {
        let cell = |p: &str, k: &str, won: i64, w: i64| ReportCell {
            period: p.into(),
            key: k.into(),
            label: k.into(),
            count: 1,
            won_minor: won,
            weighted_minor: w,
            ..Default::default()
        };
        let mut r = Report {
            periods: vec!["2026-11".into(), "2026-12".into()],
            rows: vec![("a".into(), "A".into()), ("b".into(), "B".into())],
            cells: vec![cell("2026-11", "a", 100, 10), cell("2026-12", "a", 0, 5), cell("2026-11", "b", 500, 0)],
            ..Default::default()
        };
        assert_eq!(r.total().forecast_minor(), 615);
        assert_eq!(r.period_total("2026-11").forecast_minor(), 610);
        assert_eq!(r.row_total("a").count, 2);
        assert_eq!(r.cell("2026-12", "b"), ReportCell::default());
        r.sort_rows(true);
        assert_eq!(r.rows[0].0, "b");
        let growth = ReportCell { won_minor: 130, prior_minor: 100, ..Default::default() };
        assert_eq!(growth.growth_bp(), Some(3_000));
    }

    #[test]
    fn queries_keep_their_filters() {
        let q = ReportQuery { region: "Beograd".into(), group: "owner".into(), ..Default::default() };
        assert_eq!(q.params(), vec![("group", "owner".to_string()), ("region", "Beograd".to_string())]);
        assert_eq!(q.group_in(&GroupBy::FORECAST), GroupBy::Owner);
        let q = ReportQuery { group: "account".into(), ..Default::default() };
        assert_eq!(q.group_in(&GroupBy::FORECAST), GroupBy::None);
        assert_eq!(q.group_in(&GroupBy::SALES), GroupBy::Account);
    }
}
