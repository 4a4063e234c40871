//! A small builder for dynamic SQL (filters, sorting, keyset pagination) that only ever binds values:
//! user input never becomes SQL text. Placeholders are `$1, $2, …`, understood by SQLite and Postgres;
//! builders of statements with many rows (`Sql::for_rows`) use anonymous `?` on SQLite.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::Any;

/// The digits of a stored phone number in international form, in SQL ("064/123-45-67" and
/// "+381 (0)64 123 4567" both give "381641234567"), as `normalize::phone_international` gives them
/// without the "+". The migrations index exactly this expression (accounts' phone, contacts' phone and
/// mobile), so a lookup by it reads the index on both databases; forms keep phones as typed.
pub fn phone_key(col: &str) -> String {
    let d = format!("REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE({col}, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '')");
    format!(
        "CASE WHEN LTRIM({col}) LIKE '+%' THEN {d} WHEN {d} LIKE '00%' THEN SUBSTR({d}, 3) WHEN {d} LIKE '0%' THEN '381' || SUBSTR({d}, 2) \
         WHEN {d} LIKE '381%' AND LENGTH({d}) >= 10 THEN {d} ELSE '381' || {d} END"
    )
}

#[derive(Clone, Debug)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Val>,
    anonymous: bool,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), args: Vec::new(), anonymous: false }
    }
    /// A builder for statements of many rows: on SQLite its placeholders are anonymous `?`. sqlx asks
    /// SQLite for the name of every numbered placeholder, and SQLite finds it by walking the statement's
    /// list of names, so binding costs the square of the placeholders (a 25-row INSERT of 19 columns:
    /// 475² steps). Its text must not number placeholders of its own.
    pub fn for_rows(backend: super::Backend, text: &str) -> Sql {
        Sql { text: text.to_string(), args: Vec::new(), anonymous: backend == super::Backend::Sqlite }
    }
    /// Appends SQL text written by us (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    /// Appends a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.args.push(v.into());
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.args.len().to_string());
        }
        self
    }
    /// Appends placeholders for `values`, comma-separated (the inside of an `IN (…)`).
    pub fn bind_list<V: Into<Val> + Clone>(&mut self, values: &[V]) -> &mut Self {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v.clone());
        }
        self
    }
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Val::Int(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.as_deref()),
            };
        }
        q
    }
    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as::<_, T>(&self.text);
        for a in &self.args {
            q = match a {
                Val::Int(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.as_deref()),
            };
        }
        q
    }
}

/// A keyset cursor: the sort value and id of the last row shown, encoded for a URL.
pub fn encode_cursor(value: &str, id: i64) -> String {
    let mut out = String::new();
    for b in value.as_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    format!("{out}.{id}")
}

pub fn decode_cursor(cursor: &str) -> Option<(String, i64)> {
    let (hexv, id) = cursor.split_once('.')?;
    // Hex digits only: a cursor is typed into URLs too, and slicing other text by two bytes could cut
    // a character in half.
    if hexv.len() % 2 != 0 || !hexv.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hexv.len()).step_by(2).map(|i| u8::from_str_radix(&hexv[i..i + 2], 16).ok()).collect();
    Some((String::from_utf8(bytes?).ok()?, id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_row_statements_bind_anonymously_on_sqlite_only() {
        let build = |backend| {
            let mut sql = Sql::for_rows(backend, "INSERT INTO t (a, b) VALUES ");
            sql.push("(").bind(1).push(", ").bind("x").push("), (").bind(2).push(", ").bind(None::<String>).push(")");
            sql
        };
        let lite = build(crate::db::Backend::Sqlite);
        assert_eq!(lite.text, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        let pg = build(crate::db::Backend::Postgres);
        assert_eq!(pg.text, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!((lite.args.len(), pg.args.len()), (4, 4));
        let mut plain = Sql::new("SELECT 1 WHERE a = ");
        plain.bind(1);
        assert_eq!(plain.text, "SELECT 1 WHERE a = $1");
    }

    #[test]
    fn phone_key_is_what_the_migrations_index() {
        // SQLite's indexes leave out empty phones (0010); Postgres' keep them (0009), for its statistics.
        for (backend, file, partial) in [("sqlite", "0010_import_speed", true), ("postgres", "0009_import_more_records", false)] {
            let m = std::fs::read_to_string(format!("{}/../migrations/{backend}/{file}.sql", env!("CARGO_MANIFEST_DIR"))).unwrap();
            for (table, col) in [("accounts", "phone"), ("contacts", "phone"), ("contacts", "mobile")] {
                let only = if partial { format!(" WHERE {col} IS NOT NULL") } else { String::new() };
                let index = format!("CREATE INDEX {table}_{col}_key ON {table} (({})){only};", phone_key(col));
                assert!(m.contains(&index), "{backend}: {index}");
            }
        }
    }

    #[test]
    fn cursor_round_trip() {
        let c = encode_cursor("Đorđe & co. 100%", 42);
        assert_eq!(decode_cursor(&c), Some(("Đorđe & co. 100%".to_string(), 42)));
        assert_eq!(decode_cursor("zz.1"), None);
        assert_eq!(decode_cursor("nonsense"), None);
        // Non-ASCII text whose byte length is even once panicked (it sliced "é" in half).
        assert_eq!(decode_cursor("a\u{e9}a.1"), None);
        assert_eq!(decode_cursor("\u{e9}\u{e9}.1"), None);
        assert_eq!(decode_cursor("+1.1"), None);
    }

    #[test]
    fn binds_number_placeholders() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        s.bind(1i64).push(" AND b = ").bind("x");
        assert_eq!(s.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(s.args.len(), 2);
    }
}
