//! Marketing lists: a named set of accounts, contacts or leads to reach — by mail, phone or e-mail. A
//! static list keeps its members (added by hand, from a file, from record pages); a dynamic list is a
//! saved advanced-find query whose results are its members whenever the list is used. This module holds
//! the list's types and the rules every caller shares: what a list may hold, how a pasted record link
//! or a file's column names a member, and the limits of one change.

use crate::domain::money::{parse_amount, Currency};
use crate::domain::validate::{email_is_valid, field, optional, required};
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};

/// The most ids or record links one "add by link" takes.
pub const MAX_REFS: usize = 10_000;
/// The largest member file accepted (a column of 100,000 e-mail addresses is under 4 MB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most rows a member file may have.
pub const MAX_FILE_ROWS: usize = 100_000;
/// Unmatched rows reported back by number; the rest are counted.
pub const MAX_REPORTED_ROWS: usize = 50;

/// What a list's members are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberKind {
    Account,
    #[default]
    Contact,
    Lead,
}

impl MemberKind {
    pub const ALL: [MemberKind; 3] = [MemberKind::Account, MemberKind::Contact, MemberKind::Lead];

    pub fn code(self) -> &'static str {
        match self {
            MemberKind::Account => "account",
            MemberKind::Contact => "contact",
            MemberKind::Lead => "lead",
        }
    }

    pub fn parse(s: &str) -> Option<MemberKind> {
        MemberKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// The records' table (also the path segment of their pages).
    pub fn table(self) -> &'static str {
        match self {
            MemberKind::Account => "accounts",
            MemberKind::Contact => "contacts",
            MemberKind::Lead => "leads",
        }
    }

    /// The alias statements give the records' table (the one advanced find expects).
    pub fn alias(self) -> &'static str {
        match self {
            MemberKind::Account => "a",
            MemberKind::Contact => "c",
            MemberKind::Lead => "l",
        }
    }

    /// A member's page.
    pub fn path(self, id: i64) -> String {
        format!("/{}/{id}", self.table())
    }

    /// The key columns a member file may find this kind of record by: contacts have no PIB of their own.
    pub fn accepts_key(self, key: KeyColumn) -> bool {
        !(self == MemberKind::Contact && key == KeyColumn::Pib)
    }
}

/// Static lists keep their members; dynamic ones compute them from a query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListType {
    #[default]
    Static,
    Dynamic,
}

impl ListType {
    pub const ALL: [ListType; 2] = [ListType::Static, ListType::Dynamic];

    pub fn code(self) -> &'static str {
        match self {
            ListType::Static => "static",
            ListType::Dynamic => "dynamic",
        }
    }

    pub fn parse(s: &str) -> Option<ListType> {
        ListType::ALL.into_iter().find(|t| t.code() == s.trim())
    }
}

/// The list form as typed (`input[…]` fields). `member_kind` and `list_type` are read on creation only:
/// a list keeps the kind of members and the type it was made with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarketingListInput {
    pub id: String,
    pub version: String,
    pub name: String,
    pub member_kind: String,
    pub list_type: String,
    /// A dynamic list's advanced-find query (JSON).
    pub query: String,
    pub purpose: String,
    pub source: String,
    pub cost: String,
    pub currency: String,
    pub description: String,
    pub owner_id: String,
}

/// A list's values once checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ListValues {
    pub name: String,
    pub member_kind: MemberKind,
    pub list_type: ListType,
    pub query: Option<String>,
    pub purpose: Option<String>,
    pub source: Option<String>,
    pub cost_minor: i64,
    pub currency: Currency,
    pub description: Option<String>,
    pub owner_id: Option<i64>,
}

/// The longest saved query accepted (a query of a hundred conditions is a few KB).
pub const MAX_QUERY_CHARS: usize = 64 * 1024;

/// Checks a list form. A dynamic list needs its query; a static one has none. Whether the query reads
/// and finds the list's kind of record is the service's to check (it knows advanced find).
pub fn validate_list(i: &MarketingListInput) -> Result<ListValues, AppError> {
    let name = required("name", &i.name, 200)?;
    let member_kind = MemberKind::parse(&i.member_kind).ok_or_else(|| field("member_kind", Problem::InvalidChoice))?;
    let list_type = match i.list_type.trim() {
        "" => ListType::Static,
        t => ListType::parse(t).ok_or_else(|| field("list_type", Problem::InvalidChoice))?,
    };
    let query = match list_type {
        ListType::Static => None,
        ListType::Dynamic => {
            let q = query_text(&i.query);
            let q = q.trim();
            if q.is_empty() {
                return Err(field("query", Problem::Required));
            }
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(field("query", Problem::TooLong(MAX_QUERY_CHARS as i64)));
            }
            Some(q.to_string())
        }
    };
    let cost_minor = match i.cost.trim() {
        "" => 0,
        c => parse_amount(c).ok_or_else(|| field("cost", Problem::InvalidNumber))?,
    };
    if cost_minor < 0 {
        return Err(field("cost", Problem::OutOfRange(0, i64::MAX / 100)));
    }
    let currency = match i.currency.trim() {
        "" => Currency::RSD,
        c => Currency::parse(c).ok_or_else(|| field("currency", Problem::InvalidChoice))?,
    };
    let owner_id = match i.owner_id.trim() {
        "" => None,
        o => Some(o.parse().map_err(|_| field("owner_id", Problem::InvalidChoice))?),
    };
    Ok(ListValues {
        name,
        member_kind,
        list_type,
        query,
        purpose: optional("purpose", &i.purpose, 200)?,
        source: optional("source", &i.source, 200)?,
        cost_minor,
        currency,
        description: optional("description", &i.description, 4000)?,
        owner_id,
    })
}

/// The query of a pasted advanced-find address (`https://…/find?query=%7B…%7D&view=…`), or the text
/// as it is when it is the query itself.
pub fn query_text(pasted: &str) -> String {
    let t = pasted.trim();
    if t.starts_with('{') {
        return t.to_string();
    }
    let Some(at) = t.find("?query=").or_else(|| t.find("&query=")) else { return t.to_string() };
    let value = t[at + 7..].split(['&', '#']).next().unwrap_or("");
    percent_decode(value)
}

/// `%XX` escapes and `+` (a space in a query string) decoded; malformed escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], hex(b.get(i + 1)), hex(b.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            (b'+', ..) => out.push(b' '),
            (c, ..) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A marketing list as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketingList {
    pub id: i64,
    pub name: String,
    pub member_kind: MemberKind,
    pub list_type: ListType,
    pub query: Option<String>,
    pub purpose: Option<String>,
    pub source: Option<String>,
    pub cost_minor: i64,
    pub currency: Currency,
    pub locked: bool,
    pub description: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl MarketingList {
    /// Whether members may be added or removed: a static list that is not locked.
    pub fn members_change(&self) -> Result<(), AppError> {
        if self.list_type == ListType::Dynamic {
            return Err(field("list_type", Problem::DynamicMembers));
        }
        if self.locked {
            return Err(field("locked", Problem::Locked));
        }
        Ok(())
    }
}

/// A row of the lists' index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketingListRow {
    pub id: i64,
    pub name: String,
    pub member_kind: MemberKind,
    pub list_type: ListType,
    pub purpose: Option<String>,
    pub locked: bool,
    pub owner_name: String,
    pub updated_at: String,
}

/// What a list's members add up to, among those the viewer may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub total: i64,
    /// Inactive accounts and disqualified leads: left out of the members to reach unless asked for.
    pub left_out: i64,
    pub do_not_email: i64,
    pub do_not_call: i64,
    pub do_not_mail: i64,
}

impl MemberSummary {
    pub fn to_reach(&self) -> i64 {
        self.total - self.left_out
    }
}

/// A list's page: the list, its members' figures and whether the viewer may change it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketingListView {
    pub list: MarketingList,
    pub summary: MemberSummary,
}

/// A person's contact preferences (a contact's, a lead's): the channels they asked not to be reached
/// by, honoured by every campaign. Forms, imports and the history name them by [`Self::FIELDS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPreferences {
    pub do_not_email: bool,
    pub do_not_call: bool,
    pub do_not_mail: bool,
}

impl ContactPreferences {
    /// The fields, in the order of [`Self::flags`]; also the records' columns.
    pub const FIELDS: [&'static str; 3] = ["do_not_email", "do_not_call", "do_not_mail"];

    pub fn flags(self) -> [bool; 3] {
        [self.do_not_email, self.do_not_call, self.do_not_mail]
    }

    pub fn from_flags([do_not_email, do_not_call, do_not_mail]: [bool; 3]) -> ContactPreferences {
        ContactPreferences { do_not_email, do_not_call, do_not_mail }
    }

    /// The three as one number (e-mail 1, call 2, mail 4): a list row reads them as one column.
    pub fn from_bits(bits: i64) -> ContactPreferences {
        ContactPreferences::from_flags([bits & 1 != 0, bits & 2 != 0, bits & 4 != 0])
    }

    /// The SQL of [`Self::from_bits`]'s number over the table alias `x`.
    pub fn bits_sql(x: &str) -> String {
        format!("CAST({x}.do_not_email + 2 * {x}.do_not_call + 4 * {x}.do_not_mail AS BIGINT)")
    }

    /// A form's or an import's three values ([`crate::domain::validate::checkbox`] each), named by field.
    pub fn parse(email: &str, call: &str, mail: &str) -> Result<ContactPreferences, AppError> {
        use crate::domain::validate::checkbox;
        Ok(ContactPreferences {
            do_not_email: checkbox("do_not_email", email)?,
            do_not_call: checkbox("do_not_call", call)?,
            do_not_mail: checkbox("do_not_mail", mail)?,
        })
    }

    /// Read from values by field as stored or imported ("1" set; anything else, or none, not).
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> ContactPreferences {
        let set = |f: &str| get(f).as_deref() == Some("1");
        ContactPreferences::from_flags(ContactPreferences::FIELDS.map(set))
    }

    /// Each field with its value as the history records a flag: "1" or "0".
    pub fn audit_values(self) -> [(&'static str, Option<String>); 3] {
        let [e, c, m] = self.flags();
        [("do_not_email", Some(flag_text(e))), ("do_not_call", Some(flag_text(c))), ("do_not_mail", Some(flag_text(m)))]
    }

    pub fn any(self) -> bool {
        self.flags().contains(&true)
    }
}

/// A flag as the history and an import's values keep it: "1" or "0".
pub fn flag_text(on: bool) -> String {
    if on { "1" } else { "0" }.to_string()
}

/// One member in the members table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    /// The record's version (a selection of members carries it, as the record lists' selections do).
    pub version: i64,
    pub name: String,
    /// A contact's account, a lead's company, an account's city.
    pub detail: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner_name: String,
    pub do_not_email: bool,
    pub do_not_call: bool,
    pub do_not_mail: bool,
    /// An inactive account or a disqualified lead.
    pub left_out: bool,
    /// When it joined a static list.
    pub added_at: Option<String>,
}

/// A contact preference a members filter looks for, or none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberFlag {
    DoNotEmail,
    DoNotCall,
    DoNotMail,
    /// Members without any "do not" preference.
    NoRestriction,
}

impl MemberFlag {
    pub const ALL: [MemberFlag; 4] = [MemberFlag::DoNotEmail, MemberFlag::DoNotCall, MemberFlag::DoNotMail, MemberFlag::NoRestriction];

    pub fn code(self) -> &'static str {
        match self {
            MemberFlag::DoNotEmail => "do_not_email",
            MemberFlag::DoNotCall => "do_not_call",
            MemberFlag::DoNotMail => "do_not_mail",
            MemberFlag::NoRestriction => "none",
        }
    }

    pub fn parse(s: &str) -> Option<MemberFlag> {
        MemberFlag::ALL.into_iter().find(|f| f.code() == s.trim())
    }
}

/// The members table's filters, from the page's URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MembersQuery {
    /// Text in the member's name, e-mail or phone.
    pub q: String,
    /// A [`MemberFlag`] code; empty for all.
    pub flag: String,
    /// "1": include inactive accounts and disqualified leads.
    pub all: String,
    /// Only these members ("3,8,15": the ticked rows of an export); empty for all.
    pub ids: String,
    pub cursor: String,
}

impl MembersQuery {
    pub fn show_left_out(&self) -> bool {
        self.all == "1"
    }

    /// The query string of these filters with another cursor ("" for the first page).
    pub fn href(&self, path: &str, cursor: &str) -> String {
        use crate::domain::text::urlencode;
        let mut parts: Vec<String> = [("q", &self.q), ("flag", &self.flag), ("all", &self.all), ("ids", &self.ids)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if !cursor.is_empty() {
            parts.push(format!("cursor={}", urlencode(cursor)));
        }
        if parts.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", parts.join("&"))
        }
    }
}

/// What a change of members did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    pub added: i64,
    /// Already members (an add) .
    pub already: i64,
    pub removed: i64,
    /// Not members (a remove).
    pub not_members: i64,
    /// Ids that are no record of the list's kind the user may see, and links to another kind of record.
    pub skipped: i64,
    /// Text that is neither an id nor a record link (an add or remove by links).
    pub invalid: Vec<String>,
    /// Rows of a file (numbered as a spreadsheet shows them) whose key found nothing, the first
    /// [`MAX_REPORTED_ROWS`] of them; `unmatched` counts them all.
    pub unmatched_rows: Vec<i64>,
    pub unmatched: i64,
}

/// A list on a record's "Marketing lists" panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListChoice {
    pub id: i64,
    pub name: String,
    pub locked: bool,
}

/// A record's marketing lists: the static lists it is in, and those it may be added to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLists {
    pub member_of: Vec<ListChoice>,
    pub can_join: Vec<ListChoice>,
}

/// Ids read from pasted text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberRefs {
    pub ids: Vec<i64>,
    /// Links to another kind of record.
    pub wrong_kind: usize,
    /// Tokens that are neither.
    pub invalid: Vec<String>,
}

/// Reads ids and record links (`https://crm…/contacts/42`, `/contacts/42?tab=history`, `42`) from pasted
/// text, separated by white space, commas or semicolons. A link to another kind of record than `kind` is
/// counted, not taken. Repeated ids are taken once.
pub fn parse_member_refs(text: &str, kind: MemberKind) -> Result<MemberRefs, AppError> {
    let mut out = MemberRefs::default();
    let tokens: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return Err(field("refs", Problem::Required));
    }
    if tokens.len() > MAX_REFS {
        return Err(field("refs", Problem::OutOfRange(1, MAX_REFS as i64)));
    }
    for token in tokens {
        match read_ref(token) {
            Some((None, id)) => out.ids.push(id),
            Some((Some(table), id)) if table == kind.table() => out.ids.push(id),
            Some((Some(_), _)) => out.wrong_kind += 1,
            None => out.invalid.push(token.chars().take(80).collect()),
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.ids.retain(|id| seen.insert(*id));
    Ok(out)
}

/// An id (`42`) or a record page's link: its table and id.
fn read_ref(token: &str) -> Option<(Option<&'static str>, i64)> {
    let id = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
    if let Some(n) = id(token) {
        return Some((None, n));
    }
    let path = token.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    const TABLES: [&str; 4] = ["accounts", "contacts", "leads", "opportunities"];
    segments.windows(2).rev().find_map(|w| {
        let table = TABLES.iter().find(|t| **t == w[0])?;
        Some((Some(*table), id(w[1])?))
    })
}

/// What a member file's column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyColumn {
    /// A Veza id.
    Id,
    Email,
    Pib,
}

impl KeyColumn {
    /// A cell as the key compares it, or None when it is not such a key.
    pub fn normalize(self, cell: &str) -> Option<String> {
        let v = cell.trim();
        match self {
            KeyColumn::Id => v.parse::<i64>().ok().filter(|n| *n > 0).map(|n| n.to_string()),
            KeyColumn::Email => {
                let e = v.trim_start_matches("mailto:").to_lowercase();
                email_is_valid(&e).then_some(e)
            }
            KeyColumn::Pib => {
                let digits: String =
                    v.trim_start_matches(['R', 'S', 'r', 's']).chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
                (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
            }
        }
    }

    /// A header that names this kind of column (folded: lowercase, no diacritics, letters only).
    fn named_by(self, header: &str) -> bool {
        let h: String = crate::domain::text::search_key(header).chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        match self {
            KeyColumn::Id => matches!(h.as_str(), "id" | "vezaid" | "veza" | "recordid" | "broj" | "vezabroj"),
            KeyColumn::Email => {
                matches!(h.as_str(), "email" | "mail" | "eposta" | "emailaddress" | "emailadresa" | "adresaeposte" | "epostaadresa")
            }
            KeyColumn::Pib => matches!(h.as_str(), "pib" | "taxid" | "vat" | "vatid" | "vatnumber" | "pibbroj"),
        }
    }
}

/// Which column of a member file to read, what it holds, and whether the first row is a header. A
/// header that names a key (id, e-mail, PIB, in that order of preference) decides; without one, the
/// first column whose values all read as one key (among the first rows) is taken. Keys `kind` cannot
/// be found by are not considered, nor columns headed by them.
pub fn key_column(kind: MemberKind, rows: &[Vec<String>]) -> Option<(usize, KeyColumn, bool)> {
    let keys: Vec<KeyColumn> = [KeyColumn::Id, KeyColumn::Email, KeyColumn::Pib].into_iter().filter(|k| kind.accepts_key(*k)).collect();
    let first = rows.first()?;
    for key in &keys {
        if let Some(col) = first.iter().position(|h| key.named_by(h)) {
            return Some((col, *key, true));
        }
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let sample = |from: usize| rows.iter().skip(from).take(20);
    // A column headed by a key this kind is not found by (a PIB on a contacts list) is not read as another.
    let named =
        |col: usize| first.get(col).is_some_and(|h| [KeyColumn::Id, KeyColumn::Email, KeyColumn::Pib].iter().any(|k| k.named_by(h)));
    for col in (0..width).filter(|c| !named(*c)) {
        for key in &keys {
            let cells: Vec<&str> = sample(1).filter_map(|r| r.get(col)).map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
            let body = !cells.is_empty() && cells.iter().all(|c| key.normalize(c).is_some());
            let head = first.get(col).is_some_and(|c| key.normalize(c).is_some());
            match (body, head) {
                (true, true) => return Some((col, *key, false)),
                // A header the rules do not know, over a column of keys.
                (true, false) if !first.get(col).is_none_or(|c| c.trim().is_empty()) => return Some((col, *key, true)),
                // One row: the file is a single key.
                (false, true) if rows.len() == 1 => return Some((col, *key, false)),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MarketingListInput {
        MarketingListInput { name: " Šumadija, kategorija A ".into(), member_kind: "account".into(), ..Default::default() }
    }

    fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn a_list_needs_a_name_and_a_kind_of_member() {
        let v = validate_list(&input()).unwrap();
        assert_eq!(
            (v.name.as_str(), v.member_kind, v.list_type, v.cost_minor, v.currency),
            ("Šumadija, kategorija A", MemberKind::Account, ListType::Static, 0, Currency::RSD)
        );
        assert_eq!(v.query, None);
        assert_eq!(validate_list(&MarketingListInput { name: " ".into(), ..input() }), Err(field("name", Problem::Required)));
        assert_eq!(
            validate_list(&MarketingListInput { member_kind: "opportunity".into(), ..input() }),
            Err(field("member_kind", Problem::InvalidChoice))
        );
        assert_eq!(
            validate_list(&MarketingListInput { list_type: "smart".into(), ..input() }),
            Err(field("list_type", Problem::InvalidChoice))
        );
    }

    #[test]
    fn cost_is_money_and_a_dynamic_list_needs_its_query() {
        let v = validate_list(&MarketingListInput { cost: "12.500,50".into(), currency: "EUR".into(), ..input() }).unwrap();
        assert_eq!((v.cost_minor, v.currency), (1_250_050, Currency::EUR));
        assert_eq!(validate_list(&MarketingListInput { cost: "dvesta".into(), ..input() }), Err(field("cost", Problem::InvalidNumber)));
        assert_eq!(
            validate_list(&MarketingListInput { cost: "-5".into(), ..input() }),
            Err(field("cost", Problem::OutOfRange(0, i64::MAX / 100)))
        );
        assert_eq!(
            validate_list(&MarketingListInput { currency: "USD".into(), ..input() }),
            Err(field("currency", Problem::InvalidChoice))
        );
        let dynamic = MarketingListInput { list_type: "dynamic".into(), ..input() };
        assert_eq!(validate_list(&dynamic), Err(field("query", Problem::Required)));
        let v = validate_list(&MarketingListInput { query: "{\"entity\":\"account\"}".into(), ..dynamic }).unwrap();
        assert_eq!((v.list_type, v.query.as_deref()), (ListType::Dynamic, Some("{\"entity\":\"account\"}")));
        // A static list keeps no query, whatever the form sent.
        let v = validate_list(&MarketingListInput { query: "{}".into(), ..input() }).unwrap();
        assert_eq!(v.query, None);
    }

    #[test]
    fn members_change_only_on_unlocked_static_lists() {
        let mut list = MarketingList {
            id: 1,
            name: "A".into(),
            member_kind: MemberKind::Contact,
            list_type: ListType::Static,
            query: None,
            purpose: None,
            source: None,
            cost_minor: 0,
            currency: Currency::RSD,
            locked: false,
            description: None,
            owner_id: 1,
            owner_name: "Ana".into(),
            created_at: String::new(),
            updated_at: String::new(),
            version: 1,
        };
        assert_eq!(list.members_change(), Ok(()));
        list.locked = true;
        assert_eq!(list.members_change(), Err(field("locked", Problem::Locked)));
        list.list_type = ListType::Dynamic;
        assert_eq!(list.members_change(), Err(field("list_type", Problem::DynamicMembers)));
    }

    #[test]
    fn contact_preferences_read_from_forms_rows_and_bits() {
        let p = ContactPreferences::parse("on", "", "1").unwrap();
        assert_eq!(p.flags(), [true, false, true]);
        assert_eq!(ContactPreferences::from_bits(5), p);
        assert_eq!(ContactPreferences::from_bits(2).flags(), [false, true, false]);
        assert_eq!(ContactPreferences::parse("", "da", ""), Err(field("do_not_call", Problem::NotYesNo)));
        let stored = |f: &str| (f == "do_not_mail").then(|| "1".to_string());
        assert_eq!(ContactPreferences::from_values(stored).flags(), [false, false, true]);
        assert_eq!(p.audit_values()[1], ("do_not_call", Some("0".to_string())));
        assert!(p.any() && !ContactPreferences::default().any());
    }

    #[test]
    fn pasted_links_and_ids_become_members_of_the_lists_kind() {
        let text = "42, https://crm.firma.rs/contacts/7?tab=history\n/contacts/42 /accounts/9;x17 http://h/leads/3#top";
        let refs = parse_member_refs(text, MemberKind::Contact).unwrap();
        assert_eq!(refs.ids, vec![42, 7]);
        assert_eq!(refs.wrong_kind, 2);
        assert_eq!(refs.invalid, vec!["x17".to_string()]);
        assert_eq!(parse_member_refs("/leads/3", MemberKind::Lead).unwrap().ids, vec![3]);
        assert_eq!(parse_member_refs(" \n ", MemberKind::Lead), Err(field("refs", Problem::Required)));
        assert_eq!(parse_member_refs("0 -4", MemberKind::Lead).unwrap().invalid.len(), 2);
        let many = "1 ".repeat(MAX_REFS + 1);
        assert_eq!(parse_member_refs(&many, MemberKind::Lead), Err(field("refs", Problem::OutOfRange(1, MAX_REFS as i64))));
    }

    #[test]
    fn keys_read_as_they_are_stored() {
        assert_eq!(KeyColumn::Email.normalize(" Ana.Petrovic@Firma.RS "), Some("ana.petrovic@firma.rs".into()));
        assert_eq!(KeyColumn::Email.normalize("ana at firma"), None);
        assert_eq!(KeyColumn::Pib.normalize("RS 100 002 887"), Some("100002887".into()));
        assert_eq!(KeyColumn::Pib.normalize("1000028"), None);
        assert_eq!(KeyColumn::Id.normalize("15"), Some("15".into()));
        assert_eq!(KeyColumn::Id.normalize("1.5"), None);
    }

    #[test]
    fn a_files_key_column_is_named_by_its_header_or_found_by_its_values() {
        let named = rows(&[&["Ime", "E-pošta", "PIB"], &["Ana", "ana@firma.rs", "100002887"]]);
        assert_eq!(key_column(MemberKind::Contact, &named), Some((1, KeyColumn::Email, true)));
        assert_eq!(key_column(MemberKind::Account, &rows(&[&["Naziv", "PIB", "ID"]])), Some((2, KeyColumn::Id, true)));
        // Contacts are not found by PIB.
        assert_eq!(key_column(MemberKind::Contact, &rows(&[&["Naziv", "PIB"], &["Delta", "100002887"]])), None);
        // No header: the values decide, and the first row is a member too.
        let bare = rows(&[&["ana@firma.rs"], &["iva@firma.rs"]]);
        assert_eq!(key_column(MemberKind::Lead, &bare), Some((0, KeyColumn::Email, false)));
        // An unknown header over a column of keys.
        let odd = rows(&[&["Naziv", "Adresa za slanje"], &["Delta", "office@delta.rs"], &["Mlekara", ""]]);
        assert_eq!(key_column(MemberKind::Account, &odd), Some((1, KeyColumn::Email, true)));
        assert_eq!(key_column(MemberKind::Lead, &rows(&[&["17"]])), Some((0, KeyColumn::Id, false)));
        assert_eq!(key_column(MemberKind::Lead, &rows(&[&["Naziv", "Grad"], &["Delta", "Niš"]])), None);
        assert_eq!(key_column(MemberKind::Lead, &[]), None);
    }

    #[test]
    fn a_pasted_find_address_gives_its_query() {
        let q = "{\"entity\":\"contact\",\"sort\":\"name\"}";
        let url = format!("https://crm.firma.rs/find?query={}&view=3", crate::domain::text::urlencode(q));
        assert_eq!(query_text(&url), q);
        assert_eq!(query_text(&format!(" {q} ")), q);
        assert_eq!(query_text("/find?x=1&query=%7B%22a%22%3A+1%7D%zz"), "{\"a\": 1}%zz");
        let v = validate_list(&MarketingListInput { list_type: "dynamic".into(), query: url, ..input() }).unwrap();
        assert_eq!(v.query.as_deref(), Some(q));
    }

    #[test]
    fn members_filters_travel_in_the_url() {
        let q =
            MembersQuery { q: "Đorđe M".into(), flag: "do_not_call".into(), all: "1".into(), cursor: "x".into(), ..Default::default() };
        assert_eq!(q.href("/marketing/lists/4", ""), "/marketing/lists/4?q=%C4%90or%C4%91e%20M&flag=do_not_call&all=1");
        assert_eq!(MembersQuery::default().href("/marketing/lists/4", "6a.3"), "/marketing/lists/4?cursor=6a.3");
        assert_eq!(MemberFlag::parse("none"), Some(MemberFlag::NoRestriction));
    }
}
