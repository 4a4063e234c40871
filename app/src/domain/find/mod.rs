//! Advanced find: a query over accounts, contacts, leads or opportunities as data — nested AND / OR
//! groups of conditions on the record's fields and on related records — that the server compiles to
//! one parameterized SQL statement (`services::find`). The same value travels in the URL (bookmarks),
//! is saved as a view, and defines a dynamic marketing list.
//!
//! What can be asked is the field catalog in [`fields`]: data, not code, so a custom field later is one
//! more row. A query is checked against it ([`FindQuery::check`]) before it is compiled; an unknown
//! field, an operator that does not suit the field's type, or a value that does not parse is refused
//! with the condition's position, never guessed.

pub mod fields;

use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};

pub use fields::{Field, FieldType, Relation, RelationJoin, Table};

/// The records a query returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    #[default]
    Account,
    Contact,
    Lead,
    Opportunity,
}

impl Entity {
    pub const ALL: &'static [Entity] = &[Entity::Account, Entity::Contact, Entity::Lead, Entity::Opportunity];

    pub fn code(self) -> &'static str {
        match self {
            Entity::Account => "account",
            Entity::Contact => "contact",
            Entity::Lead => "lead",
            Entity::Opportunity => "opportunity",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ALL.iter().copied().find(|e| e.code() == s)
    }

    pub fn table(self) -> Table {
        match self {
            Entity::Account => Table::Account,
            Entity::Contact => Table::Contact,
            Entity::Lead => Table::Lead,
            Entity::Opportunity => Table::Opportunity,
        }
    }

    /// The record page of one result.
    pub fn path(self, id: i64) -> String {
        match self {
            Entity::Account => format!("/accounts/{id}"),
            Entity::Contact => format!("/contacts/{id}"),
            Entity::Lead => format!("/leads/{id}"),
            Entity::Opportunity => format!("/opportunities/{id}"),
        }
    }
}

/// A comparison. Which ones a field offers depends on its type ([`FieldType::ops`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    #[default]
    Eq,
    Ne,
    OneOf,
    NotOneOf,
    Contains,
    NotContains,
    StartsWith,
    Empty,
    NotEmpty,
    /// Numbers: greater than or equal; dates: on or after.
    AtLeast,
    /// Numbers: less than or equal; dates: on or before.
    AtMost,
    Between,
    /// Dates in the last N days, today included.
    LastDays,
    /// Dates in the next N days, today included.
    NextDays,
    /// Dates more than N days ago (or empty never: an empty date is not old).
    OlderThanDays,
    ThisMonth,
    ThisQuarter,
    ThisYear,
    LastMonth,
    LastQuarter,
    LastYear,
    IsTrue,
    IsFalse,
}

impl Op {
    pub const ALL: &'static [Op] = &[
        Op::Eq,
        Op::Ne,
        Op::OneOf,
        Op::NotOneOf,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::Empty,
        Op::NotEmpty,
        Op::AtLeast,
        Op::AtMost,
        Op::Between,
        Op::LastDays,
        Op::NextDays,
        Op::OlderThanDays,
        Op::ThisMonth,
        Op::ThisQuarter,
        Op::ThisYear,
        Op::LastMonth,
        Op::LastQuarter,
        Op::LastYear,
        Op::IsTrue,
        Op::IsFalse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::OneOf => "one_of",
            Op::NotOneOf => "not_one_of",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::StartsWith => "starts_with",
            Op::Empty => "empty",
            Op::NotEmpty => "not_empty",
            Op::AtLeast => "at_least",
            Op::AtMost => "at_most",
            Op::Between => "between",
            Op::LastDays => "last_days",
            Op::NextDays => "next_days",
            Op::OlderThanDays => "older_than_days",
            Op::ThisMonth => "this_month",
            Op::ThisQuarter => "this_quarter",
            Op::ThisYear => "this_year",
            Op::LastMonth => "last_month",
            Op::LastQuarter => "last_quarter",
            Op::LastYear => "last_year",
            Op::IsTrue => "is_true",
            Op::IsFalse => "is_false",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.code() == s)
    }

    /// How many values the operator takes: none, one, two, or one or more.
    pub fn arity(self) -> Arity {
        match self {
            Op::Empty
            | Op::NotEmpty
            | Op::ThisMonth
            | Op::ThisQuarter
            | Op::ThisYear
            | Op::LastMonth
            | Op::LastQuarter
            | Op::LastYear
            | Op::IsTrue
            | Op::IsFalse => Arity::None,
            Op::Between => Arity::Two,
            Op::OneOf | Op::NotOneOf => Arity::Many,
            _ => Arity::One,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    None,
    One,
    Two,
    Many,
}

/// A value standing for the user running the query ("my accounts"), so a shared view shows each user
/// their own records.
pub const ME: &str = "@me";
/// A value standing for the team of the user running the query.
pub const MY_TEAM: &str = "@my_team";

/// One condition: a field of the group's record, an operator and its values (as typed: dates
/// `YYYY-MM-DD`, amounts in major units, choices by code or id, day counts as whole numbers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cond {
    pub field: String,
    pub op: Op,
    pub values: Vec<String>,
}

/// Conditions on related records: whether a record has (or has no) related record matching `group` —
/// "has an opportunity in stage Proposal", "has no completed call in the last 90 days" — or the total
/// of the matching related records' value ("won revenue this year at least 1,000,000").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Related {
    /// A relation key of the group's table ([`fields::relations`]).
    pub rel: String,
    pub quantifier: Quantifier,
    pub group: Group,
    /// For [`Quantifier::Total`]: the comparison of the total (`AtLeast`, `AtMost`, `Between`) and its
    /// values in major units of the base currency.
    pub total_op: Option<Op>,
    pub total_values: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantifier {
    /// At least one related record matches.
    #[default]
    Has,
    /// No related record matches.
    HasNone,
    /// The total value of the matching related records, compared (relations with a value only).
    Total,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Cond(Cond),
    Group(Group),
    Related(Related),
}

/// Conditions joined by AND (`any` false) or OR (`any` true). An empty group matches everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    pub any: bool,
    pub items: Vec<Node>,
}

/// A whole query: which records, which conditions, which columns, which order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindQuery {
    pub entity: Entity,
    pub root: Group,
    /// Field keys of the entity shown as result columns (and exported); empty: the entity's defaults.
    pub columns: Vec<String>,
    /// A sortable column key; empty: the first default column.
    pub sort: String,
    pub desc: bool,
}

/// A page of results: for each record its id and the shown columns' values as text (amounts as
/// "minor CUR", choices by code or id, moments as stored), which the page formats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindResult {
    pub entity: Entity,
    pub columns: Vec<String>,
    pub rows: Vec<FindRow>,
    pub next_cursor: Option<String>,
    pub total: i64,
    pub total_cap: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindRow {
    pub id: i64,
    pub cells: Vec<Option<String>>,
}

/// Who sees a saved view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Only its owner.
    #[default]
    Private,
    /// The owner's team.
    Team,
    Everyone,
}

impl Sharing {
    pub const ALL: &'static [Sharing] = &[Sharing::Private, Sharing::Team, Sharing::Everyone];
    pub fn code(self) -> &'static str {
        match self {
            Sharing::Private => "private",
            Sharing::Team => "team",
            Sharing::Everyone => "everyone",
        }
    }
    pub fn parse(s: &str) -> Option<Sharing> {
        Sharing::ALL.iter().copied().find(|x| x.code() == s)
    }
}

/// A saved view as lists and the find page show it. The query is shared; what it returns is always
/// restricted to what the user running it may see.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub entity: Entity,
    pub query: FindQuery,
    pub sharing: Sharing,
    pub owner_id: i64,
    pub owner_name: String,
    /// The viewer may change or delete it (its owner, or an administrator).
    pub editable: bool,
    pub version: i64,
}

/// The form saving a view: a new one (empty id) or changes to one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub sharing: String,
    /// The query as its URL parameter.
    pub query: String,
}

/// How deep groups and related blocks may nest, and how many conditions a query may hold: enough for
/// any question a person builds, small enough that a crafted URL cannot make a statement the database
/// chokes on.
pub const MAX_DEPTH: usize = 6;
pub const MAX_CONDITIONS: usize = 60;
pub const MAX_VALUES: usize = 200;
pub const MAX_COLUMNS: usize = 12;
/// Day counts beyond this (a century) are refused rather than overflowing a date.
pub const MAX_DAYS: i64 = 36_500;

impl FindQuery {
    /// An empty query over `entity`.
    pub fn new(entity: Entity) -> FindQuery {
        FindQuery { entity, ..Default::default() }
    }

    /// The query as it travels in a URL parameter.
    pub fn to_param(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a URL parameter; anything unreadable is a clear error on the query as a whole.
    pub fn from_param(s: &str) -> Result<FindQuery, AppError> {
        if s.len() > 20_000 {
            return Err(field("query", Problem::TooLong(20_000)));
        }
        serde_json::from_str(s).map_err(|_| field("query", Problem::InvalidChoice))
    }

    /// The columns shown: the chosen ones that exist, else the entity's defaults.
    pub fn shown_columns(&self) -> Vec<&'static Field> {
        let table = self.entity.table();
        let chosen: Vec<&'static Field> = self.columns.iter().filter_map(|k| fields::field(table, k)).filter(|f| f.column).collect();
        if chosen.is_empty() {
            fields::default_columns(table)
        } else {
            chosen
        }
    }

    /// The sort column: the chosen one if sortable, else the first shown sortable column.
    pub fn sort_field(&self) -> &'static Field {
        let table = self.entity.table();
        fields::field(table, &self.sort)
            .filter(|f| f.sortable())
            .or_else(|| self.shown_columns().into_iter().find(|f| f.sortable()))
            .unwrap_or_else(|| fields::fields(table).iter().find(|f| f.sortable()).expect("every table has a sortable field"))
    }

    /// Checks every condition against the field catalog. Errors name the offending condition's field
    /// (`query.<path>`), so the builder can mark it.
    pub fn check(&self) -> Result<(), AppError> {
        if self.columns.len() > MAX_COLUMNS {
            return Err(field("columns", Problem::OutOfRange(1, MAX_COLUMNS as i64)));
        }
        let mut count = 0;
        check_group(self.entity.table(), &self.root, 0, &mut count)
    }

    /// How many conditions the query holds (for "3 conditions" in a saved view's summary).
    pub fn condition_count(&self) -> usize {
        fn walk(g: &Group) -> usize {
            g.items
                .iter()
                .map(|n| match n {
                    Node::Cond(_) => 1,
                    Node::Group(g) => walk(g),
                    Node::Related(r) => 1 + walk(&r.group),
                })
                .sum()
        }
        walk(&self.root)
    }
}

fn check_group(table: Table, g: &Group, depth: usize, count: &mut usize) -> Result<(), AppError> {
    if depth > MAX_DEPTH {
        return Err(field("query", Problem::OutOfRange(1, MAX_DEPTH as i64)));
    }
    for node in &g.items {
        *count += 1;
        if *count > MAX_CONDITIONS {
            return Err(field("query", Problem::OutOfRange(1, MAX_CONDITIONS as i64)));
        }
        match node {
            Node::Cond(c) => check_cond(table, c)?,
            Node::Group(inner) => check_group(table, inner, depth + 1, count)?,
            Node::Related(r) => {
                let Some(rel) = fields::relation(table, &r.rel) else {
                    return Err(field("query", Problem::InvalidChoice));
                };
                if r.quantifier == Quantifier::Total {
                    let Some(op) = r.total_op else { return Err(field("query", Problem::Required)) };
                    if rel.total.is_none() || !matches!(op, Op::AtLeast | Op::AtMost | Op::Between) {
                        return Err(field("query", Problem::InvalidChoice));
                    }
                    check_values(FieldType::Money, op, &r.total_values, "query")?;
                }
                check_group(rel.target, &r.group, depth + 1, count)?;
            }
        }
    }
    Ok(())
}

fn check_cond(table: Table, c: &Cond) -> Result<(), AppError> {
    let Some(f) = fields::field(table, &c.field) else {
        return Err(field("query", Problem::InvalidChoice));
    };
    if !f.ty.ops().contains(&c.op) {
        return Err(field(f.key, Problem::InvalidChoice));
    }
    check_values(f.ty, c.op, &c.values, f.key)
}

/// The values of one condition, checked for its operator's arity and its field's type.
fn check_values(ty: FieldType, op: Op, values: &[String], name: &str) -> Result<(), AppError> {
    let values: Vec<&str> = values.iter().map(|v| v.trim()).collect();
    let ok_len = match op.arity() {
        Arity::None => true,
        Arity::One => values.len() == 1 && !values[0].is_empty(),
        Arity::Two => values.len() == 2 && values.iter().all(|v| !v.is_empty()),
        Arity::Many => !values.is_empty() && values.len() <= MAX_VALUES && values.iter().all(|v| !v.is_empty()),
    };
    if !ok_len {
        return Err(field(name, Problem::Required));
    }
    if op.arity() == Arity::None {
        return Ok(());
    }
    if matches!(op, Op::LastDays | Op::NextDays | Op::OlderThanDays) {
        return match values[0].parse::<i64>() {
            Ok(n) if (0..=MAX_DAYS).contains(&n) => Ok(()),
            _ => Err(field(name, Problem::OutOfRange(0, MAX_DAYS))),
        };
    }
    for v in &values {
        let problem = match ty {
            FieldType::Date | FieldType::Stamp => parse_date(v).is_none().then_some(Problem::InvalidDate),
            FieldType::Money => parse_major(v).is_none().then_some(Problem::InvalidNumber),
            FieldType::Number => v.parse::<i64>().is_err().then_some(Problem::InvalidNumber),
            FieldType::User => (*v != ME && v.parse::<i64>().is_err()).then_some(Problem::InvalidChoice),
            FieldType::Team => (*v != MY_TEAM && v.parse::<i64>().is_err()).then_some(Problem::InvalidChoice),
            FieldType::Choice(src) => (!src.accepts(v)).then_some(Problem::InvalidChoice),
            FieldType::Text | FieldType::Name | FieldType::Bool => (v.chars().count() > 200).then_some(Problem::TooLong(200)),
        };
        if let Some(p) = problem {
            return Err(field(name, p));
        }
    }
    Ok(())
}

/// A date as typed: `YYYY-MM-DD` or `DD.MM.YYYY.` (the trailing dot optional).
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(s.trim_end_matches('.'), "%d.%m.%Y").ok())
}

/// An amount in major units ("1.500.000", "1500000,50", "1 500 000") as minor units.
pub fn parse_major(s: &str) -> Option<i64> {
    crate::domain::money::parse_amount(s)
}

#[cfg(test)]
mod tests;
