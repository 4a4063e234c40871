//! The records Veza keeps, as they travel between server and browser. Database row types live in the
//! server-only services and never cross the wire.

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),* } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($code => Some($name::$variant),)* _ => None } }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// What a user may do; visibility follows from it (see `services::visibility`).
    Role { Admin = "admin", Manager = "manager", Sales = "sales", Marketing = "marketing" }
);
code_enum!(
    /// How an account relates to us; an account may have several.
    RelationshipType {
        Customer = "customer", Prospect = "prospect", Partner = "partner", Competitor = "competitor",
        Dealer = "dealer", Distributor = "distributor", Supplier = "supplier",
    }
);
code_enum!(Category { A = "A", B = "B", C = "C" });
code_enum!(BuyingRole { DecisionMaker = "decision_maker", Influencer = "influencer", User = "user", Other = "other" });
code_enum!(StageKind { Open = "open", Won = "won", Lost = "lost" });

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    /// An administrator reset the password: the user must choose a new one before anything else.
    #[serde(default)]
    pub must_change_password: bool,
    /// The user's role requires two-factor sign-in, which they have not set up: they must, before
    /// anything else.
    #[serde(default)]
    pub must_enrol_two_factor: bool,
}

impl SessionUser {
    /// The user is kept on the account page (`/account`) until they have done what it asks: choose
    /// their own password, or set up two-factor sign-in.
    pub fn held_back(&self) -> bool {
        self.must_change_password || self.must_enrol_two_factor
    }
}

/// One of a user's open sessions, as their account page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// The start of the session token's hash: enough to end it, nothing to sign in with.
    pub id: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub ip: String,
    pub browser: String,
    /// The session of the browser looking at the list.
    pub current: bool,
}

/// One attempt in a user's sign-in log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInEntry {
    pub at: String,
    pub ip: String,
    pub browser: String,
    /// `ok`, `wrong_password`, `throttled`, `code_needed` (a right password, the code asked for),
    /// `wrong_code` or `recovery_code` (signed in with one).
    pub outcome: String,
}

/// A user's two-factor sign-in, as the account page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// When it was turned on (local time); None while it is off.
    pub enabled_at: Option<String>,
    /// Recovery codes not used yet.
    pub recovery_left: i64,
    /// The user's role requires it (only an administrator can turn it off then).
    pub required: bool,
    /// An enrolment begun and not confirmed yet (shown to the user only).
    pub setup: Option<TwoFactorSetup>,
}

/// What an authenticator app needs to enrol: the QR code, and the secret for typing by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The QR code of the `otpauth://` address, an inline SVG element.
    pub qr_svg: String,
    /// The secret in groups of four characters.
    pub secret: String,
    pub uri: String,
}

/// One e-mail sent or export taken by a user (the usage log).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UseEntry {
    pub at: String,
    /// `email` or `export`.
    pub kind: String,
    /// The recipient, or the export's address.
    pub detail: String,
}

/// A browser and system in a few words from a User-Agent ("Firefox on Windows"); "" if unknown.
pub fn browser_name(user_agent: &str) -> String {
    let ua = user_agent.to_ascii_lowercase();
    let browser =
        [("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"), ("chrome/", "Chrome"), ("safari/", "Safari"), ("curl/", "curl")]
            .iter()
            .find(|(k, _)| ua.contains(k))
            .map(|(_, n)| *n);
    let system =
        [("android", "Android"), ("iphone", "iPhone"), ("ipad", "iPad"), ("windows", "Windows"), ("mac os", "macOS"), ("linux", "Linux")]
            .iter()
            .find(|(k, _)| ua.contains(k))
            .map(|(_, n)| *n);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub active: bool,
    pub version: i64,
    /// The user signs in with a second factor.
    #[serde(default)]
    pub two_factor: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// A small (id, label) pair for pickers and links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub probability: i64,
    pub kind: StageKind,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub types: Vec<RelationshipType>,
    pub category: Option<Category>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub pib: Option<String>,
    pub mb: Option<String>,
    pub notes: Option<String>,
    /// A company the business no longer works with: kept, but left out of campaigns.
    pub inactive: bool,
    pub owner_id: i64,
    pub owner_name: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub types: Vec<RelationshipType>,
    pub category: Option<Category>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub owner_name: String,
    pub inactive: bool,
    /// The version shown, which a bulk action on the row checks.
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    pub job_title: Option<String>,
    pub buying_role: Option<BuyingRole>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub preferences: crate::domain::marketing::ContactPreferences,
    pub owner_id: i64,
    pub owner_name: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner_name: String,
    pub preferences: crate::domain::marketing::ContactPreferences,
    /// The version shown, which a bulk action on the row checks.
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    pub id: i64,
    pub name: String,
    pub account_id: i64,
    pub account_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage_id: i64,
    pub stage_name: String,
    pub stage_kind: StageKind,
    pub probability: i64,
    pub probability_manual: bool,
    pub amount_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub close_date: String,
    pub source: Option<String>,
    pub description: Option<String>,
    pub forecast_category: crate::domain::reports::ForecastCategory,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpportunityRow {
    pub id: i64,
    pub name: String,
    pub account_id: i64,
    pub account_name: String,
    pub stage_name: String,
    pub stage_kind: StageKind,
    pub probability: i64,
    pub amount_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub close_date: String,
    pub owner_name: String,
    /// The version shown, which a bulk action on the row checks.
    pub version: i64,
}

/// A card on the pipeline board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub id: i64,
    pub name: String,
    pub account_name: String,
    pub amount_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub close_date: String,
    pub owner_name: String,
    pub stage_id: i64,
    pub probability: i64,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub stage: Stage,
    pub count: i64,
    /// Totals in the base currency (RSD), minor units.
    pub total_minor: i64,
    pub weighted_minor: i64,
    pub cards: Vec<Card>,
    pub next_cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<Column>,
    /// All stages, open and closed, for "Move to stage…".
    pub stages: Vec<Stage>,
    pub eur_rate_micros: i64,
    pub today: String,
}

/// What a global search result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchKind {
    Account,
    Contact,
    Opportunity,
    Lead,
}

impl SearchKind {
    pub fn parse(s: &str) -> Option<SearchKind> {
        match s {
            "account" => Some(SearchKind::Account),
            "contact" => Some(SearchKind::Contact),
            "opportunity" => Some(SearchKind::Opportunity),
            "lead" => Some(SearchKind::Lead),
            _ => None,
        }
    }
    /// The record page of a hit with this id.
    pub fn href(self, id: i64) -> String {
        match self {
            SearchKind::Account => format!("/accounts/{id}"),
            SearchKind::Contact => format!("/contacts/{id}"),
            SearchKind::Opportunity => format!("/opportunities/{id}"),
            SearchKind::Lead => format!("/leads/{id}"),
        }
    }
}

/// One global search result: the record, its name and a detail (account's city, contact's account …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: i64,
    pub title: String,
    pub detail: Option<String>,
}

/// Lists count their matches up to this many; beyond it they say "1,000+", so counting never walks a
/// million rows (docs/performance.md, W3).
pub const COUNT_CAP: i64 = 1_000;

/// A text search with thousands of matches counts them up to this many ("100+"): counting a common
/// surname's matches among what a salesperson may see reads a large part of a million-row table; to 100
/// a tenth of that (docs/performance.md, W7).
pub const TEXT_COUNT_CAP: i64 = 100;

/// One page of a keyset-paginated list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next_cursor: Option<String>,
    /// Number of matches, or `total_cap + 1` when there are more than `total_cap`.
    pub total: i64,
    /// Where the count stopped: [`COUNT_CAP`], or [`TEXT_COUNT_CAP`] for a text with many matches.
    pub total_cap: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_name: Option<String>,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What a list page asks for; every field is optional text so it maps 1:1 onto the URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub sort: String,
    pub dir: String,
    pub cursor: String,
    pub owner: String,
    pub team: String,
    pub region: String,
    pub kind: String,
    pub category: String,
    pub stage: String,
    pub account: String,
    pub from: String,
    pub to: String,
    /// Leads: status, rating, source (picklist id) and age ("7", "30", "90": created within so many
    /// days; "o30", "o90": older).
    pub status: String,
    pub rating: String,
    pub source: String,
    pub age: String,
    /// Opportunities: "open", "won", "lost"; a loss reason (picklist id); a competitor (account id,
    /// competing on the deal or having won it); a product family sold on the deal.
    pub outcome: String,
    pub reason: String,
    pub competitor: String,
    pub family: String,
    /// Opportunities: a forecast category code (drill-down from the forecast).
    pub forecast: String,
    /// A field the records lack (data completeness drill-down): a field code of
    /// `services::reports::adoption::FIELDS`.
    pub missing: String,
    /// Opportunities created from / to these days (ISO, company time; drill-down from pipeline health).
    pub created_from: String,
    pub created_to: String,
    /// Opportunities that reached this open stage (a stage id) or a later one, or were won.
    pub reached: String,
    /// Only these records ("3,8,15"): a bulk selection's export (`domain::bulk::parse_id_list`).
    pub ids: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BoardQuery {
    pub owner: String,
    pub team: String,
    pub region: String,
    pub from: String,
    pub to: String,
}

/// The choices a form or filter bar needs (owners, teams, regions, stages).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lookups {
    pub users: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub regions: Vec<String>,
    pub stages: Vec<Stage>,
    /// Lead sources and disqualification reasons (admin-configured).
    pub picklists: crate::domain::Picklists,
}

/// Default pipeline for a new installation.
pub const DEFAULT_STAGES: &[(&str, &str, i64, StageKind)] = &[
    ("Prospecting", "Istraživanje", 10, StageKind::Open),
    ("Qualification", "Kvalifikacija", 20, StageKind::Open),
    ("Needs analysis", "Analiza potreba", 40, StageKind::Open),
    ("Proposal", "Ponuda", 60, StageKind::Open),
    ("Negotiation", "Pregovori", 80, StageKind::Open),
    ("Won", "Dobijeno", 100, StageKind::Won),
    ("Lost", "Izgubljeno", 0, StageKind::Lost),
];

/// The probability an opportunity gets when it enters a stage: won is always 100, lost always 0;
/// an open stage keeps a manually set probability, otherwise takes the stage's default.
pub fn probability_after_move(stage: &Stage, current: i64, manual: bool) -> (i64, bool) {
    match stage.kind {
        StageKind::Won => (100, false),
        StageKind::Lost => (0, false),
        StageKind::Open if manual => (current, true),
        StageKind::Open => (stage.probability, false),
    }
}

/// A write is accepted only when the client saw the current version.
pub fn check_version(current: i64, seen: i64) -> Result<(), crate::error::AppError> {
    if current == seen {
        Ok(())
    } else {
        Err(crate::error::AppError::Conflict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_briefly() {
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(firefox), "Firefox · Windows");
        assert_eq!(browser_name(chrome), "Chrome · Linux");
        assert_eq!(browser_name(iphone), "Safari · iPhone");
        assert_eq!(browser_name(""), "");
    }

    fn stage(kind: StageKind, p: i64) -> Stage {
        Stage { id: 1, name: "s".into(), position: 1, probability: p, kind, active: true, version: 1 }
    }

    #[test]
    fn probability_follows_stage_unless_overridden() {
        assert_eq!(probability_after_move(&stage(StageKind::Open, 40), 10, false), (40, false));
        assert_eq!(probability_after_move(&stage(StageKind::Open, 40), 55, true), (55, true));
        assert_eq!(probability_after_move(&stage(StageKind::Won, 100), 55, true), (100, false));
        assert_eq!(probability_after_move(&stage(StageKind::Lost, 0), 55, true), (0, false));
    }

    #[test]
    fn stale_version_is_a_conflict() {
        assert!(check_version(3, 3).is_ok());
        assert_eq!(check_version(4, 3), Err(crate::error::AppError::Conflict));
    }

    #[test]
    fn codes_round_trip() {
        for r in RelationshipType::ALL {
            assert_eq!(RelationshipType::parse(r.code()), Some(*r));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn default_pipeline_is_ordered_and_ends_closed() {
        let open: Vec<_> = DEFAULT_STAGES.iter().filter(|s| s.3 == StageKind::Open).map(|s| s.2).collect();
        assert_eq!(open, vec![10, 20, 40, 60, 80]);
        assert_eq!(DEFAULT_STAGES.iter().filter(|s| s.3 != StageKind::Open).count(), 2);
    }
}

/// What the account form sends: raw text as typed, validated by `services::accounts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub types: Vec<String>,
    pub category: String,
    pub industry: String,
    pub region: String,
    pub city: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub pib: String,
    pub mb: String,
    pub notes: String,
    pub owner_id: String,
    /// A checkbox ("on" when ticked).
    pub inactive: String,
    /// Set when the user confirmed that the record is not a duplicate of the ones shown.
    pub allow_duplicate: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub id: String,
    pub version: String,
    pub first_name: String,
    pub last_name: String,
    pub account_id: String,
    pub job_title: String,
    pub buying_role: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub owner_id: String,
    /// Contact preferences: checkboxes ("on" when ticked).
    pub do_not_email: String,
    pub do_not_call: String,
    pub do_not_mail: String,
    /// Set when the user confirmed that the record is not a duplicate of the ones shown.
    pub allow_duplicate: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub account_id: String,
    pub contact_id: String,
    pub owner_id: String,
    pub stage_id: String,
    /// Empty: follow the stage's default probability.
    pub probability: String,
    pub amount: String,
    pub currency: String,
    pub close_date: String,
    pub source: String,
    pub description: String,
    /// "pipeline" (empty), "best_case" or "commit".
    pub forecast_category: String,
}
