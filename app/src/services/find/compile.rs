//! Compiles a checked [`FindQuery`] into SQL conditions appended to a statement: every value bound,
//! every expression ours (from the field catalog), the same text on SQLite and Postgres but for the
//! arm that lets Postgres estimate a text condition ([`Compiler::text_cond`]). Related records are
//! `EXISTS` subqueries — or, in a count, joins ([`Compiler::parent_joins`]) — restricted by visibility
//! like the records themselves, so a condition never reveals what the user may not see.

use crate::clock;
use crate::db::sql::Sql;
use crate::db::Backend;
use crate::domain::find::fields::{self, ChoiceSource, FieldSql, FieldType, Relation, RelationJoin, Table};
use crate::domain::find::{parse_date, parse_major, Cond, Group, Node, Op, Quantifier, Related, ME, MY_TEAM};
use crate::domain::text::{like_escape, search_key};
use crate::services::{visibility, Actor};
use chrono::{Datelike, Duration, NaiveDate};

/// What a compilation needs besides the query: who asks (visibility, "@me"), today in the company's
/// calendar, the EUR rate money is compared in, and the database the statement is for.
pub struct Compiler<'a> {
    pub actor: &'a Actor,
    pub today: NaiveDate,
    pub eur_micros: i64,
    pub backend: Backend,
    aliases: usize,
}

/// Folds case and Serbian Latin diacritics in SQL the way `search_key` folds them in Rust, so a
/// condition on any text column matches "Šabac" when "sabac" is asked. (Cyrillic is folded in the
/// `search_key` columns that names use; other columns are compared in the script they were typed in.)
pub fn fold(expr: &str) -> String {
    let mut e = expr.to_string();
    for (from, to) in
        [("Č", "c"), ("č", "c"), ("Ć", "c"), ("ć", "c"), ("Š", "s"), ("š", "s"), ("Ž", "z"), ("ž", "z"), ("Đ", "dj"), ("đ", "dj")]
    {
        e = format!("REPLACE({e}, '{from}', '{to}')");
    }
    format!("LOWER({e})")
}

impl<'a> Compiler<'a> {
    pub fn new(actor: &'a Actor, today: NaiveDate, eur_micros: i64, backend: Backend) -> Compiler<'a> {
        Compiler { actor, today, eur_micros, backend, aliases: 0 }
    }

    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("r{}", self.aliases)
    }

    /// Appends a catalog expression with `{t}` as `alias` and `{eur}` bound to the rate.
    fn expr(&self, sql: &mut Sql, template: &str, alias: &str) {
        let text = template.replace("{t}", alias);
        let mut parts = text.split("{eur}");
        sql.push(parts.next().unwrap_or_default());
        for part in parts {
            sql.bind(self.eur_micros).push(part);
        }
    }

    /// Appends ` AND (…)` for a group's conditions (nothing for an empty group).
    pub fn and_group(&mut self, sql: &mut Sql, table: Table, alias: &str, g: &Group) {
        if g.items.is_empty() {
            return;
        }
        sql.push(" AND ");
        self.group(sql, table, alias, g);
    }

    /// For a count: appends ` JOIN <parent> rN ON rN.id = <alias>.<fk> <visibility> AND (<group>)` for
    /// each condition of the root group (AND) that a related parent record matches — a contact's
    /// account in a region — and returns the rest of the root, to be appended with [`Self::and_group`]
    /// after the statement's WHERE. The same rows as the `EXISTS` (a record has at most one parent),
    /// but a join lets the planner start from the parent's side: SQLite evaluates a correlated `EXISTS`
    /// for every row it reads, so a capped count of contacts read the visible contacts one by one where
    /// the accounts' region index finds the matching ones: 144 ms instead of 50 at 1,000,000 contacts
    /// (docs/performance.md, W9). Pages keep the `EXISTS`: with a join, SQLite chose to fetch and sort
    /// every match rather than walk the sort index until the page is full.
    pub fn parent_joins(&mut self, sql: &mut Sql, table: Table, alias: &str, root: &Group) -> Group {
        if root.any {
            return root.clone();
        }
        let mut rest = Group { any: false, items: Vec::new() };
        for node in &root.items {
            let parent = match node {
                Node::Related(r) if r.quantifier == Quantifier::Has => fields::relation(table, &r.rel).and_then(|rel| match rel.join {
                    RelationJoin::Parent { fk } => Some((rel, fk, r)),
                    _ => None,
                }),
                _ => None,
            };
            let Some((rel, fk, r)) = parent else {
                rest.items.push(node.clone());
                continue;
            };
            let ra = self.alias();
            sql.push(&format!(" JOIN {} {ra} ON {ra}.id = {alias}.{fk}", rel.target.name()));
            visibility::restrict(sql, self.actor, &ra);
            self.and_group(sql, rel.target, &ra, &r.group);
        }
        rest
    }

    /// A group as one parenthesized boolean expression.
    fn group(&mut self, sql: &mut Sql, table: Table, alias: &str, g: &Group) {
        if g.items.is_empty() {
            sql.push("1=1");
            return;
        }
        let joiner = if g.any { " OR " } else { " AND " };
        sql.push("(");
        for (i, node) in g.items.iter().enumerate() {
            if i > 0 {
                sql.push(joiner);
            }
            match node {
                Node::Cond(c) => self.cond(sql, table, alias, c),
                Node::Group(inner) => self.group(sql, table, alias, inner),
                Node::Related(r) => self.related(sql, table, alias, r),
            }
        }
        sql.push(")");
    }

    fn related(&mut self, sql: &mut Sql, table: Table, alias: &str, r: &Related) {
        let Some(rel) = fields::relation(table, &r.rel) else {
            // `FindQuery::check` refuses unknown relations before compiling; never widen a result.
            sql.push("1=0");
            return;
        };
        let ra = self.alias();
        match r.quantifier {
            Quantifier::Has | Quantifier::HasNone => {
                sql.push(if r.quantifier == Quantifier::HasNone { "NOT EXISTS (SELECT 1" } else { "EXISTS (SELECT 1" });
                self.related_from(sql, rel, alias, &ra, &r.group);
                sql.push(")");
            }
            Quantifier::Total => {
                let amount = rel.total.and_then(|k| fields::field(rel.target, k));
                let Some(FieldSql::Expr { filter, .. }) = amount.map(|f| f.sql) else {
                    sql.push("1=0");
                    return;
                };
                sql.push("(SELECT COALESCE(SUM(");
                self.expr(sql, filter, &ra);
                sql.push("), 0)");
                self.related_from(sql, rel, alias, &ra, &r.group);
                sql.push(")");
                let values: Vec<i64> = r.total_values.iter().filter_map(|v| parse_major(v)).collect();
                match (r.total_op, values.as_slice()) {
                    (Some(Op::AtLeast), [v, ..]) => {
                        sql.push(" >= ").bind(*v);
                    }
                    (Some(Op::AtMost), [v, ..]) => {
                        sql.push(" <= ").bind(*v);
                    }
                    (Some(Op::Between), [a, b, ..]) => {
                        sql.push(" BETWEEN ").bind(*a.min(b)).push(" AND ").bind(*a.max(b));
                    }
                    _ => {
                        sql.push(" IS NULL");
                    }
                }
            }
        }
    }

    /// ` FROM <related> ra WHERE <join> <visibility> AND (<group>)`.
    fn related_from(&mut self, sql: &mut Sql, rel: &Relation, alias: &str, ra: &str, g: &Group) {
        let target = rel.target.name();
        match rel.join {
            RelationJoin::Parent { fk } => {
                sql.push(&format!(" FROM {target} {ra} WHERE {ra}.id = {alias}.{fk}"));
            }
            RelationJoin::Children { fk } => {
                sql.push(&format!(" FROM {target} {ra} WHERE {ra}.{fk} = {alias}.id"));
            }
            RelationJoin::Regarding { kind } => {
                sql.push(&format!(" FROM {target} {ra} WHERE {ra}.regarding_kind = '{kind}' AND {ra}.regarding_id = {alias}.id"));
            }
            RelationJoin::Link { table, from, to } => {
                let la = format!("{ra}l");
                sql.push(&format!(" FROM {table} {la} JOIN {target} {ra} ON {ra}.id = {la}.{to} WHERE {la}.{from} = {alias}.id"));
            }
        }
        visibility::restrict(sql, self.actor, ra);
        self.and_group(sql, rel.target, ra, g);
    }

    fn cond(&mut self, sql: &mut Sql, table: Table, alias: &str, c: &Cond) {
        let Some(f) = fields::field(table, &c.field) else {
            sql.push("1=0");
            return;
        };
        let values: Vec<String> = c.values.iter().map(|v| v.trim().to_string()).collect();
        match f.sql {
            FieldSql::Set { table: set, fk, col } => {
                let sa = self.alias();
                let exists = matches!(c.op, Op::Eq | Op::OneOf | Op::NotEmpty);
                sql.push(if exists { "EXISTS (" } else { "NOT EXISTS (" });
                sql.push(&format!("SELECT 1 FROM {set} {sa} WHERE {sa}.{fk} = {alias}.id"));
                if matches!(c.op, Op::Eq | Op::OneOf | Op::Ne | Op::NotOneOf) {
                    sql.push(&format!(" AND {sa}.{col} IN (")).bind_list(&values).push(")");
                }
                sql.push(")");
            }
            FieldSql::Expr { filter, .. } => self.expr_cond(sql, f.ty, filter, alias, c.op, &values),
        }
    }

    fn expr_cond(&mut self, sql: &mut Sql, ty: FieldType, e: &str, alias: &str, op: Op, values: &[String]) {
        match ty {
            FieldType::Text => self.text_cond(sql, e, alias, op, values, true),
            FieldType::Name => self.text_cond(sql, e, alias, op, values, false),
            FieldType::Choice(src) => {
                let ids = matches!(src, ChoiceSource::Stage | ChoiceSource::LeadSource | ChoiceSource::LossReason);
                let vals: Vec<crate::db::sql::Val> = if ids {
                    values.iter().filter_map(|v| v.parse::<i64>().ok()).map(Into::into).collect()
                } else {
                    values.iter().map(|v| v.clone().into()).collect()
                };
                self.in_cond(sql, e, alias, op, &vals, !ids);
            }
            FieldType::User => {
                let vals: Vec<crate::db::sql::Val> =
                    values.iter().map(|v| if v == ME { self.actor.id } else { v.parse().unwrap_or(-1) }).map(Into::into).collect();
                self.in_cond(sql, e, alias, op, &vals, false);
            }
            FieldType::Team => {
                let vals: Vec<crate::db::sql::Val> = values
                    .iter()
                    .map(|v| if v == MY_TEAM { self.actor.team_id.unwrap_or(-1) } else { v.parse().unwrap_or(-1) })
                    .map(Into::into)
                    .collect();
                self.in_cond(sql, e, alias, op, &vals, false);
            }
            FieldType::Number | FieldType::Money => {
                let nums: Vec<i64> =
                    values.iter().filter_map(|v| if ty == FieldType::Money { parse_major(v) } else { v.parse().ok() }).collect();
                self.number_cond(sql, e, alias, op, &nums);
            }
            FieldType::Date | FieldType::Stamp => self.date_cond(sql, ty, e, alias, op, values),
            FieldType::Bool => {
                sql.push("(");
                self.expr(sql, e, alias);
                sql.push(if op == Op::IsTrue { ") = 1" } else { ") = 0" });
            }
        }
    }

    /// Text conditions. `fold_it`: the expression is a plain column folded in SQL; otherwise it is a
    /// `search_key` column, already folded (and indexed: "starts with" becomes a range on it).
    ///
    /// On Postgres a folded "contains", "starts with" or "is" comes with an arm comparing the column
    /// itself: `(col ILIKE pattern OR fold(col) LIKE pattern)`. The value is folded already, so whatever
    /// the first arm matches the second does too, and the rows are the same; but Postgres has no
    /// statistics for the folded expression and guessed that 1 row in 600 matched "contains", where
    /// it estimates `ILIKE` from the column's own statistics. With the guess, a page of contacts whose
    /// job title contains "nabav" (1 in 8) fetched and sorted every visible contact instead of walking
    /// the name index until the page was full: 300 ms and more instead of 25 at 1,000,000 contacts
    /// (docs/performance.md, W9).
    fn text_cond(&mut self, sql: &mut Sql, e: &str, alias: &str, op: Op, values: &[String], fold_it: bool) {
        let folded = |c: &Self, sql: &mut Sql| {
            if fold_it {
                let mut inner = Sql::new("");
                c.expr(&mut inner, e, alias);
                // Only `{eur}` binds inside an expression, and text fields have none.
                sql.push(&fold(&inner.text));
            } else {
                c.expr(sql, e, alias);
            }
        };
        let raw = |c: &Self, sql: &mut Sql| c.expr(sql, e, alias);
        let v = values.first().map(|v| search_key(v)).unwrap_or_default();
        let estimable = fold_it && self.backend == Backend::Postgres && matches!(op, Op::Contains | Op::StartsWith | Op::Eq);
        if estimable {
            let pattern = match op {
                Op::Contains => format!("%{}%", like_escape(&v)),
                Op::StartsWith => format!("{}%", like_escape(&v)),
                _ => like_escape(&v),
            };
            sql.push("(");
            raw(self, sql);
            sql.push(" ILIKE ").bind(pattern).push(" ESCAPE '\\' OR ");
        }
        match op {
            Op::Contains | Op::NotContains => {
                if op == Op::NotContains {
                    sql.push("(");
                    raw(self, sql);
                    sql.push(" IS NULL OR ");
                }
                folded(self, sql);
                sql.push(if op == Op::NotContains { " NOT LIKE " } else { " LIKE " });
                sql.bind(format!("%{}%", like_escape(&v))).push(" ESCAPE '\\'");
                if op == Op::NotContains {
                    sql.push(")");
                }
            }
            Op::StartsWith if !fold_it => {
                // A range on the folded key reads its index on both databases (LIKE 'x%' would not).
                sql.push("(");
                raw(self, sql);
                sql.push(" >= ").bind(v.clone()).push(" AND ");
                raw(self, sql);
                sql.push(" < ").bind(format!("{v}\u{10FFFF}")).push(")");
            }
            Op::StartsWith => {
                folded(self, sql);
                sql.push(" LIKE ").bind(format!("{}%", like_escape(&v))).push(" ESCAPE '\\'");
            }
            Op::Eq => {
                folded(self, sql);
                sql.push(" = ").bind(v);
            }
            Op::Ne => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NULL OR ");
                folded(self, sql);
                sql.push(" <> ").bind(v).push(")");
            }
            Op::Empty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NULL OR ");
                raw(self, sql);
                sql.push(" = '')");
            }
            Op::NotEmpty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NOT NULL AND ");
                raw(self, sql);
                sql.push(" <> '')");
            }
            _ => {
                sql.push("1=0");
            }
        }
        if estimable {
            sql.push(")");
        }
    }

    /// Equality and membership conditions; `texty`: an empty string counts as empty too.
    fn in_cond(&mut self, sql: &mut Sql, e: &str, alias: &str, op: Op, vals: &[crate::db::sql::Val], texty: bool) {
        let raw = |c: &Self, sql: &mut Sql| c.expr(sql, e, alias);
        match op {
            Op::Eq | Op::OneOf if !vals.is_empty() => {
                raw(self, sql);
                sql.push(" IN (").bind_list(vals).push(")");
            }
            Op::Ne | Op::NotOneOf if !vals.is_empty() => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NULL OR ");
                raw(self, sql);
                sql.push(" NOT IN (").bind_list(vals).push("))");
            }
            Op::Empty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NULL");
                if texty {
                    sql.push(" OR ");
                    raw(self, sql);
                    sql.push(" = ''");
                }
                sql.push(")");
            }
            Op::NotEmpty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NOT NULL");
                if texty {
                    sql.push(" AND ");
                    raw(self, sql);
                    sql.push(" <> ''");
                }
                sql.push(")");
            }
            _ => {
                sql.push("1=0");
            }
        }
    }

    fn number_cond(&mut self, sql: &mut Sql, e: &str, alias: &str, op: Op, nums: &[i64]) {
        let cmp = |c: &Self, sql: &mut Sql, o: &str, v: i64| {
            c.expr(sql, e, alias);
            sql.push(o).bind(v);
        };
        match (op, nums) {
            (Op::AtLeast, [v, ..]) => cmp(self, sql, " >= ", *v),
            (Op::AtMost, [v, ..]) => cmp(self, sql, " <= ", *v),
            (Op::Eq, [v, ..]) => cmp(self, sql, " = ", *v),
            (Op::Ne, [v, ..]) => cmp(self, sql, " <> ", *v),
            (Op::Between, [a, b, ..]) => {
                sql.push("(");
                cmp(self, sql, " >= ", *a.min(b));
                sql.push(" AND ");
                cmp(self, sql, " <= ", *a.max(b));
                sql.push(")");
            }
            _ => {
                sql.push("1=0");
            }
        }
    }

    fn date_cond(&mut self, sql: &mut Sql, ty: FieldType, e: &str, alias: &str, op: Op, values: &[String]) {
        let raw = |c: &Self, sql: &mut Sql| c.expr(sql, e, alias);
        match op {
            Op::Empty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NULL OR ");
                raw(self, sql);
                sql.push(" = '')");
                return;
            }
            Op::NotEmpty => {
                sql.push("(");
                raw(self, sql);
                sql.push(" IS NOT NULL AND ");
                raw(self, sql);
                sql.push(" <> '')");
                return;
            }
            _ => {}
        }
        let Some((from, to)) = day_range(self.today, op, values) else {
            sql.push("1=0");
            return;
        };
        let bound = |d: NaiveDate| if ty == FieldType::Stamp { clock::day_start(d) } else { d.format("%Y-%m-%d").to_string() };
        sql.push("(");
        let mut first = true;
        if let Some(from) = from {
            raw(self, sql);
            sql.push(" >= ").bind(bound(from));
            first = false;
        }
        if let Some(to) = to {
            if !first {
                sql.push(" AND ");
            }
            raw(self, sql);
            sql.push(" < ").bind(bound(to));
            first = false;
        }
        if first {
            raw(self, sql);
            sql.push(" IS NOT NULL");
        }
        sql.push(")");
    }
}

/// The days a date condition covers, as a half-open range `[from, to)` in the company's calendar
/// (None: unbounded on that side).
pub fn day_range(today: NaiveDate, op: Op, values: &[String]) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let day = |i: usize| values.get(i).and_then(|v| parse_date(v));
    let days = || values.first().and_then(|v| v.trim().parse::<i64>().ok()).filter(|n| (0..=crate::domain::find::MAX_DAYS).contains(n));
    let next = |d: NaiveDate| d.succ_opt();
    let month = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1);
    let add_months = |d: NaiveDate, n: i32| {
        let m0 = d.year() * 12 + d.month0() as i32 + n;
        NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1)
    };
    let quarter = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), (d.month0() / 3) * 3 + 1, 1);
    let year = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), 1, 1);
    Some(match op {
        Op::Eq => {
            let d = day(0)?;
            (Some(d), Some(next(d)?))
        }
        Op::AtLeast => (Some(day(0)?), None),
        Op::AtMost => (None, Some(next(day(0)?)?)),
        Op::Between => {
            let (a, b) = (day(0)?, day(1)?);
            (Some(a.min(b)), Some(next(a.max(b))?))
        }
        Op::LastDays => (Some(today - Duration::days(days()?)), Some(next(today)?)),
        Op::NextDays => (Some(today), Some(next(today + Duration::days(days()?))?)),
        Op::OlderThanDays => (None, Some(today - Duration::days(days()?))),
        Op::ThisMonth => (Some(month(today)?), Some(add_months(today, 1)?)),
        Op::LastMonth => (Some(add_months(today, -1)?), Some(month(today)?)),
        Op::ThisQuarter => {
            let q = quarter(today)?;
            (Some(q), Some(add_months(q, 3)?))
        }
        Op::LastQuarter => {
            let q = quarter(today)?;
            (Some(add_months(q, -3)?), Some(q))
        }
        Op::ThisYear => (Some(year(today)?), Some(NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)?)),
        Op::LastYear => (Some(NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)?), Some(year(today)?)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn day_ranges_follow_the_calendar() {
        let today = d("2026-12-07");
        let r = |op, v: &[&str]| day_range(today, op, &v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        assert_eq!(r(Op::LastDays, &["90"]), (Some(d("2026-09-08")), Some(d("2026-12-08"))));
        assert_eq!(r(Op::NextDays, &["7"]), (Some(d("2026-12-07")), Some(d("2026-12-15"))));
        assert_eq!(r(Op::OlderThanDays, &["30"]), (None, Some(d("2026-11-07"))));
        assert_eq!(r(Op::ThisMonth, &[]), (Some(d("2026-12-01")), Some(d("2027-01-01"))));
        assert_eq!(r(Op::LastMonth, &[]), (Some(d("2026-11-01")), Some(d("2026-12-01"))));
        assert_eq!(r(Op::ThisQuarter, &[]), (Some(d("2026-10-01")), Some(d("2027-01-01"))));
        assert_eq!(r(Op::LastQuarter, &[]), (Some(d("2026-07-01")), Some(d("2026-10-01"))));
        assert_eq!(r(Op::LastYear, &[]), (Some(d("2025-01-01")), Some(d("2026-01-01"))));
        assert_eq!(r(Op::Between, &["2026-02-10", "2026-01-31"]), (Some(d("2026-01-31")), Some(d("2026-02-11"))));
        assert_eq!(r(Op::AtMost, &["31.12.2026."]), (None, Some(d("2027-01-01"))));
        assert!(day_range(today, Op::LastDays, &["-1".into()]).is_none());
    }

    #[test]
    fn fold_replaces_both_cases() {
        let f = fold("x.city");
        assert!(f.starts_with("LOWER(REPLACE("));
        assert!(f.contains("'Š', 's'") && f.contains("'đ', 'dj'"));
    }
}
