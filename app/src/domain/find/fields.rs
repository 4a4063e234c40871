//! The field catalog of advanced find: for each table, the fields a condition or a column may name,
//! with their type (which decides the operators and how values are read), their SQL, and the relations
//! to other tables. SQL here is text we wrote, with `{t}` standing for the table's alias; user input
//! only ever reaches a statement as a bound value.

use crate::domain::{ActivityKind, ActivityStatus, BuyingRole, Category, LeadRating, LeadStatus, RelationshipType, StageKind};
use crate::i18n::M;

use super::Op;

/// A table a query can reach: the four record kinds, and activities through their relations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    Account,
    Contact,
    Lead,
    Opportunity,
    Activity,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Account => "accounts",
            Table::Contact => "contacts",
            Table::Lead => "leads",
            Table::Opportunity => "opportunities",
            Table::Activity => "activities",
        }
    }

    pub fn label(self) -> M {
        match self {
            Table::Account => M::Accounts,
            Table::Contact => M::Contacts,
            Table::Lead => M::Leads,
            Table::Opportunity => M::Opportunities,
            Table::Activity => M::Activities,
        }
    }
}

/// Where a choice field's values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChoiceSource {
    Category,
    RelationshipType,
    BuyingRole,
    LeadStatus,
    LeadRating,
    ActivityKind,
    ActivityStatus,
    StageKind,
    Currency,
    ForecastCategory,
    /// Regions used on records (free text, offered from the lookups).
    Region,
    /// Stage ids.
    Stage,
    /// Lead source picklist ids.
    LeadSource,
    /// Loss reason picklist ids.
    LossReason,
}

impl ChoiceSource {
    /// Whether `v` is a value of this source (codes by their enum; ids as numbers; regions any short text).
    pub fn accepts(self, v: &str) -> bool {
        match self {
            ChoiceSource::Category => Category::parse(v).is_some(),
            ChoiceSource::RelationshipType => RelationshipType::parse(v).is_some(),
            ChoiceSource::BuyingRole => BuyingRole::parse(v).is_some(),
            ChoiceSource::LeadStatus => LeadStatus::parse(v).is_some(),
            ChoiceSource::LeadRating => LeadRating::parse(v).is_some(),
            ChoiceSource::ActivityKind => ActivityKind::parse(v).is_some(),
            ChoiceSource::ActivityStatus => ActivityStatus::parse(v).is_some(),
            ChoiceSource::StageKind => StageKind::parse(v).is_some(),
            ChoiceSource::Currency => matches!(v, "RSD" | "EUR"),
            ChoiceSource::ForecastCategory => crate::domain::reports::ForecastCategory::parse(v).is_some(),
            ChoiceSource::Region => v.chars().count() <= 200,
            ChoiceSource::Stage | ChoiceSource::LeadSource | ChoiceSource::LossReason => v.parse::<i64>().is_ok(),
        }
    }
}

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Free text, matched blind to case and Serbian diacritics.
    Text,
    /// A record's name, matched through its folded `search_key` (indexed).
    Name,
    Choice(ChoiceSource),
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// A moment stored in UTC (`*_at`), compared by the company's calendar days.
    Stamp,
    /// Minor units; compared in the base currency.
    Money,
    Number,
    Bool,
    /// A user id, or "@me".
    User,
    /// A team id, or "@my_team".
    Team,
}

impl FieldType {
    /// The operators that suit the type, in the order the builder offers them.
    pub fn ops(self) -> &'static [Op] {
        use Op::*;
        match self {
            FieldType::Text | FieldType::Name => &[Contains, Eq, Ne, StartsWith, NotContains, Empty, NotEmpty],
            FieldType::Choice(_) => &[Eq, OneOf, Ne, NotOneOf, Empty, NotEmpty],
            FieldType::User | FieldType::Team => &[Eq, OneOf, Ne, NotOneOf],
            FieldType::Date | FieldType::Stamp => &[
                LastDays,
                NextDays,
                OlderThanDays,
                ThisMonth,
                ThisQuarter,
                ThisYear,
                LastMonth,
                LastQuarter,
                LastYear,
                Eq,
                AtLeast,
                AtMost,
                Between,
                Empty,
                NotEmpty,
            ],
            FieldType::Money | FieldType::Number => &[AtLeast, AtMost, Between, Eq, Ne],
            FieldType::Bool => &[IsTrue, IsFalse],
        }
    }
}

/// How a field reads in SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldSql {
    /// One expression over the row (`{t}` the alias), compared by conditions and selected as a column.
    Expr { filter: &'static str, display: &'static str },
    /// A set of codes in a side table (`table.col` where `table.fk = {t}.id`): an account's
    /// relationship types. Conditions ask whether the set holds a value.
    Set { table: &'static str, fk: &'static str, col: &'static str },
}

/// One field of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: M,
    pub ty: FieldType,
    pub sql: FieldSql,
    /// The sort expression (`{t}` the alias) — never NULL, so keyset paging can compare it — and
    /// whether it is a number; None: not sortable.
    pub sort: Option<(&'static str, bool)>,
    /// May be shown as a result column.
    pub column: bool,
}

impl Field {
    pub fn sortable(&self) -> bool {
        self.sort.is_some()
    }
}

/// How a relation reaches its records from the group's row (`{t}`) to the related row (`{r}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationJoin {
    /// The group's row points at one related row: `{r}.id = {t}.<fk>` (a contact's account).
    Parent { fk: &'static str },
    /// Related rows point at the group's row: `{r}.<fk> = {t}.id` (an account's contacts).
    Children { fk: &'static str },
    /// Activities regarding the row: `{r}.regarding_kind = '<kind>' AND {r}.regarding_id = {t}.id`.
    Regarding { kind: &'static str },
    /// Related rows through a link table: `EXISTS link WHERE link.<from> = {t}.id AND link.<to> = {r}.id`.
    Link { table: &'static str, from: &'static str, to: &'static str },
}

/// A relation from one table to another, with the value its records total (opportunities' amount)
/// when a query may compare a total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relation {
    pub key: &'static str,
    pub label: M,
    pub target: Table,
    pub join: RelationJoin,
    /// The field of `target` a "total" condition sums.
    pub total: Option<&'static str>,
}

const fn expr(filter: &'static str) -> FieldSql {
    FieldSql::Expr { filter, display: filter }
}

const fn f(key: &'static str, label: M, ty: FieldType, sql: FieldSql, sort: Option<(&'static str, bool)>) -> Field {
    Field { key, label, ty, sql, sort, column: true }
}

/// The amount of an opportunity in the base currency (RSD); `{eur}` is bound to the current rate in
/// millionths (the one the forecast uses).
pub const OPPORTUNITY_AMOUNT_BASE: &str =
    "(CASE WHEN {t}.currency = 'EUR' THEN {t}.amount_minor * {eur} / 1000000 ELSE {t}.amount_minor END)";
const LEAD_ESTIMATE_BASE: &str = "(CASE WHEN {t}.currency = 'EUR' THEN {t}.estimated_minor * {eur} / 1000000 ELSE {t}.estimated_minor END)";

const OWNER: Field = f(
    "owner",
    M::Owner,
    FieldType::User,
    FieldSql::Expr { filter: "{t}.owner_id", display: "(SELECT u.name FROM users u WHERE u.id = {t}.owner_id)" },
    None,
);
const TEAM: Field = f(
    "team",
    M::Team,
    FieldType::Team,
    FieldSql::Expr { filter: "{t}.team_id", display: "(SELECT tm.name FROM teams tm WHERE tm.id = {t}.team_id)" },
    None,
);
const CREATED: Field = f("created_at", M::Created, FieldType::Stamp, expr("{t}.created_at"), Some(("{t}.created_at", false)));
const UPDATED: Field = f("updated_at", M::Updated, FieldType::Stamp, expr("{t}.updated_at"), Some(("{t}.updated_at", false)));

const fn text(key: &'static str, label: M, col: &'static str, sort: &'static str) -> Field {
    f(key, label, FieldType::Text, expr(col), Some((sort, false)))
}

const ACCOUNT: &[Field] = &[
    f("name", M::Name, FieldType::Name, FieldSql::Expr { filter: "{t}.search_key", display: "{t}.name" }, Some(("{t}.search_key", false))),
    f(
        "types",
        M::RelationshipTypes,
        FieldType::Choice(ChoiceSource::RelationshipType),
        FieldSql::Set { table: "account_types", fk: "account_id", col: "type" },
        None,
    ),
    f(
        "category",
        M::Category,
        FieldType::Choice(ChoiceSource::Category),
        expr("{t}.category"),
        Some(("COALESCE({t}.category, '')", false)),
    ),
    f("region", M::Region, FieldType::Choice(ChoiceSource::Region), expr("{t}.region"), Some(("COALESCE({t}.region, '')", false))),
    text("industry", M::Industry, "{t}.industry", "COALESCE({t}.industry, '')"),
    text("city", M::City, "{t}.city", "COALESCE({t}.city, '')"),
    text("address", M::Address, "{t}.address", "COALESCE({t}.address, '')"),
    text("phone", M::Phone, "{t}.phone", "COALESCE({t}.phone, '')"),
    text("email", M::Email, "{t}.email", "COALESCE({t}.email, '')"),
    text("website", M::Website, "{t}.website", "COALESCE({t}.website, '')"),
    text("pib", M::Pib, "{t}.pib", "COALESCE({t}.pib, '')"),
    text("mb", M::Mb, "{t}.mb", "COALESCE({t}.mb, '')"),
    OWNER,
    TEAM,
    CREATED,
    UPDATED,
];

const CONTACT: &[Field] = &[
    f(
        "name",
        M::Name,
        FieldType::Name,
        FieldSql::Expr { filter: "{t}.search_key", display: "{t}.first_name || ' ' || {t}.last_name" },
        Some(("{t}.search_key", false)),
    ),
    text("first_name", M::FirstName, "{t}.first_name", "{t}.first_name"),
    text("last_name", M::LastName, "{t}.last_name", "{t}.last_name"),
    f(
        "account",
        M::Account,
        FieldType::Name,
        FieldSql::Expr {
            filter: "(SELECT ra.search_key FROM accounts ra WHERE ra.id = {t}.account_id)",
            display: "(SELECT ra.name FROM accounts ra WHERE ra.id = {t}.account_id)",
        },
        None,
    ),
    text("job_title", M::JobTitle, "{t}.job_title", "COALESCE({t}.job_title, '')"),
    f(
        "buying_role",
        M::BuyingRole,
        FieldType::Choice(ChoiceSource::BuyingRole),
        expr("{t}.buying_role"),
        Some(("COALESCE({t}.buying_role, '')", false)),
    ),
    text("email", M::Email, "{t}.email", "COALESCE({t}.email, '')"),
    text("phone", M::Phone, "{t}.phone", "COALESCE({t}.phone, '')"),
    text("mobile", M::Mobile, "{t}.mobile", "COALESCE({t}.mobile, '')"),
    OWNER,
    TEAM,
    CREATED,
    UPDATED,
];

const LEAD: &[Field] = &[
    f(
        "name",
        M::Name,
        FieldType::Name,
        FieldSql::Expr {
            filter: "{t}.search_key",
            display: "TRIM(COALESCE({t}.company, '') || ' ' || COALESCE({t}.first_name, '') || ' ' || COALESCE({t}.last_name, ''))",
        },
        Some(("{t}.search_key", false)),
    ),
    text("company", M::Company, "{t}.company", "COALESCE({t}.company, '')"),
    text("first_name", M::FirstName, "{t}.first_name", "COALESCE({t}.first_name, '')"),
    text("last_name", M::LastName, "{t}.last_name", "COALESCE({t}.last_name, '')"),
    text("title", M::JobTitle, "{t}.title", "COALESCE({t}.title, '')"),
    text("email", M::Email, "{t}.email", "COALESCE({t}.email, '')"),
    text("phone", M::Phone, "{t}.phone", "COALESCE({t}.phone, '')"),
    text("city", M::City, "{t}.city", "COALESCE({t}.city, '')"),
    f("region", M::Region, FieldType::Choice(ChoiceSource::Region), expr("{t}.region"), Some(("COALESCE({t}.region, '')", false))),
    text("pib", M::Pib, "{t}.pib", "COALESCE({t}.pib, '')"),
    f("source", M::Source, FieldType::Choice(ChoiceSource::LeadSource), expr("{t}.source_id"), None),
    f("rating", M::Rating, FieldType::Choice(ChoiceSource::LeadRating), expr("{t}.rating"), Some(("{t}.rating", false))),
    f("status", M::Status, FieldType::Choice(ChoiceSource::LeadStatus), expr("{t}.status"), Some(("{t}.status", false))),
    f(
        "estimated",
        M::EstimatedValue,
        FieldType::Money,
        FieldSql::Expr { filter: LEAD_ESTIMATE_BASE, display: "{t}.estimated_minor || ' ' || {t}.currency" },
        Some(("{t}.estimated_minor", true)),
    ),
    f("closed_at", M::Closed, FieldType::Stamp, expr("{t}.closed_at"), Some(("COALESCE({t}.closed_at, '')", false))),
    OWNER,
    TEAM,
    CREATED,
    UPDATED,
];

const OPPORTUNITY: &[Field] = &[
    f("name", M::Name, FieldType::Name, FieldSql::Expr { filter: "{t}.search_key", display: "{t}.name" }, Some(("{t}.search_key", false))),
    f(
        "account",
        M::Account,
        FieldType::Name,
        FieldSql::Expr {
            filter: "(SELECT ra.search_key FROM accounts ra WHERE ra.id = {t}.account_id)",
            display: "(SELECT ra.name FROM accounts ra WHERE ra.id = {t}.account_id)",
        },
        None,
    ),
    f("stage", M::Stage, FieldType::Choice(ChoiceSource::Stage), expr("{t}.stage_id"), None),
    f(
        "outcome",
        M::Outcome,
        FieldType::Choice(ChoiceSource::StageKind),
        expr("(SELECT st.kind FROM stages st WHERE st.id = {t}.stage_id)"),
        None,
    ),
    f(
        "amount",
        M::Amount,
        FieldType::Money,
        FieldSql::Expr { filter: OPPORTUNITY_AMOUNT_BASE, display: "{t}.amount_minor || ' ' || {t}.currency" },
        Some(("{t}.amount_minor", true)),
    ),
    f("currency", M::Currency, FieldType::Choice(ChoiceSource::Currency), expr("{t}.currency"), Some(("{t}.currency", false))),
    f("probability", M::Probability, FieldType::Number, expr("{t}.probability"), Some(("{t}.probability", true))),
    f("close_date", M::CloseDate, FieldType::Date, expr("{t}.close_date"), Some(("{t}.close_date", false))),
    f(
        "forecast_category",
        M::ForecastCategory,
        FieldType::Choice(ChoiceSource::ForecastCategory),
        expr("{t}.forecast_category"),
        Some(("{t}.forecast_category", false)),
    ),
    f("loss_reason", M::LossReason, FieldType::Choice(ChoiceSource::LossReason), expr("{t}.close_reason_id"), None),
    f("closed_at", M::Closed, FieldType::Stamp, expr("{t}.closed_at"), Some(("COALESCE({t}.closed_at, '')", false))),
    text("source", M::Source, "{t}.source", "COALESCE({t}.source, '')"),
    OWNER,
    TEAM,
    CREATED,
    UPDATED,
];

const ACTIVITY: &[Field] = &[
    f("kind", M::Kind, FieldType::Choice(ChoiceSource::ActivityKind), expr("{t}.kind"), None),
    f("status", M::Status, FieldType::Choice(ChoiceSource::ActivityStatus), expr("{t}.status"), None),
    text("subject", M::Subject, "{t}.subject", "{t}.subject"),
    f("starts_at", M::StartsAt, FieldType::Stamp, expr("{t}.starts_at"), None),
    f("completed_at", M::FindCompletedOn, FieldType::Stamp, expr("{t}.completed_at"), None),
    OWNER,
    TEAM,
];

/// The fields of a table, in the order the builder lists them.
pub fn fields(table: Table) -> &'static [Field] {
    match table {
        Table::Account => ACCOUNT,
        Table::Contact => CONTACT,
        Table::Lead => LEAD,
        Table::Opportunity => OPPORTUNITY,
        Table::Activity => ACTIVITY,
    }
}

pub fn field(table: Table, key: &str) -> Option<&'static Field> {
    fields(table).iter().find(|f| f.key == key)
}

/// The columns a new query shows.
pub fn default_columns(table: Table) -> Vec<&'static Field> {
    let keys: &[&str] = match table {
        Table::Account => &["name", "category", "city", "region", "owner"],
        Table::Contact => &["name", "account", "job_title", "email", "phone", "owner"],
        Table::Lead => &["name", "status", "rating", "email", "owner", "created_at"],
        Table::Opportunity => &["name", "account", "stage", "amount", "close_date", "owner"],
        Table::Activity => &["subject", "kind", "status", "starts_at"],
    };
    keys.iter().filter_map(|k| field(table, k)).collect()
}

const OPPORTUNITY_TOTAL: Option<&str> = Some("amount");

const ACCOUNT_RELATIONS: &[Relation] = &[
    Relation {
        key: "contacts",
        label: M::Contacts,
        target: Table::Contact,
        join: RelationJoin::Children { fk: "account_id" },
        total: None,
    },
    Relation {
        key: "opportunities",
        label: M::Opportunities,
        target: Table::Opportunity,
        join: RelationJoin::Children { fk: "account_id" },
        total: OPPORTUNITY_TOTAL,
    },
    Relation { key: "leads", label: M::Leads, target: Table::Lead, join: RelationJoin::Children { fk: "account_id" }, total: None },
    // `activities.account_id` is the account an activity belongs to, whether it is about the account,
    // one of its contacts or one of its opportunities.
    Relation {
        key: "activities",
        label: M::Activities,
        target: Table::Activity,
        join: RelationJoin::Children { fk: "account_id" },
        total: None,
    },
];

const CONTACT_RELATIONS: &[Relation] = &[
    Relation { key: "account", label: M::Account, target: Table::Account, join: RelationJoin::Parent { fk: "account_id" }, total: None },
    Relation {
        key: "opportunities",
        label: M::Opportunities,
        target: Table::Opportunity,
        join: RelationJoin::Children { fk: "contact_id" },
        total: OPPORTUNITY_TOTAL,
    },
    Relation {
        key: "activities",
        label: M::Activities,
        target: Table::Activity,
        join: RelationJoin::Regarding { kind: "contact" },
        total: None,
    },
];

const LEAD_RELATIONS: &[Relation] = &[
    Relation {
        key: "activities",
        label: M::Activities,
        target: Table::Activity,
        join: RelationJoin::Regarding { kind: "lead" },
        total: None,
    },
    Relation {
        key: "account",
        label: M::FindLeadBecameAccount,
        target: Table::Account,
        join: RelationJoin::Parent { fk: "account_id" },
        total: None,
    },
];

const OPPORTUNITY_RELATIONS: &[Relation] = &[
    Relation { key: "account", label: M::Account, target: Table::Account, join: RelationJoin::Parent { fk: "account_id" }, total: None },
    Relation {
        key: "contact",
        label: M::PrimaryContact,
        target: Table::Contact,
        join: RelationJoin::Parent { fk: "contact_id" },
        total: None,
    },
    Relation {
        key: "competitors",
        label: M::CompetitorsOnDeal,
        target: Table::Account,
        join: RelationJoin::Link { table: "opportunity_competitors", from: "opportunity_id", to: "competitor_id" },
        total: None,
    },
    Relation { key: "won_by", label: M::WonBy, target: Table::Account, join: RelationJoin::Parent { fk: "won_by_id" }, total: None },
    Relation {
        key: "activities",
        label: M::Activities,
        target: Table::Activity,
        join: RelationJoin::Regarding { kind: "opportunity" },
        total: None,
    },
];

/// The relations of a table, in the order the builder lists them.
pub fn relations(table: Table) -> &'static [Relation] {
    match table {
        Table::Account => ACCOUNT_RELATIONS,
        Table::Contact => CONTACT_RELATIONS,
        Table::Lead => LEAD_RELATIONS,
        Table::Opportunity => OPPORTUNITY_RELATIONS,
        Table::Activity => &[],
    }
}

pub fn relation(table: Table, key: &str) -> Option<&'static Relation> {
    relations(table).iter().find(|r| r.key == key)
}
