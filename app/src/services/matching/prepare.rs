//! One row of a file made ready: cells normalized (as the import's switches say), each value checked by the
//! same rules as the record's form, and the keys its duplicates are found by. Pure, so the preview, the
//! analysis and the import itself treat a row identically.

use crate::domain::identity::{name_similarity, Identity};
use crate::domain::ids::{mb_is_valid, pib_is_valid};
use crate::domain::imports::{CellView, ImportEntity, ImportOptions};
use crate::domain::money::Currency;
use crate::domain::normalize::{
    collapse_spaces, company_key, cyrillic_to_latin, decimal_text, parse_date_any, phone_international, proper_case, unify_city,
};
use crate::domain::reports::ForecastCategory;
use crate::domain::text::search_key;
use crate::domain::validate::{optional, optional_digits_id, optional_email, optional_phone, optional_website};
use crate::domain::{ActivityKind, BuyingRole, Category, Direction, LeadRating, Priority, RelationshipType};
use crate::error::{AppError, Problem};
use std::collections::BTreeMap;

/// A prepared row: its values by field (normalized; `None` when empty), what is wrong, and its keys.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    pub values: BTreeMap<&'static str, String>,
    pub cells: Vec<CellView>,
    pub problems: Vec<(String, Problem)>,
    /// Exact keys ("email:ana@x.rs", "pib:100000024", "phone:+38164…", "name:ana maric|delta").
    pub exact: Vec<String>,
    /// Company-name key and city key for the name comparison (accounts, leads' companies).
    pub fuzzy: Option<(String, String)>,
    /// The identifiers that tell this record apart from others whatever the names (valid values only).
    pub identity: Identity,
}

impl Prepared {
    pub fn get(&self, f: &str) -> Option<&str> {
        self.values.get(f).map(String::as_str).filter(|s| !s.is_empty())
    }

    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn field_static(entity: ImportEntity, f: &str) -> Option<&'static str> {
    entity.fields().iter().copied().find(|x| *x == f)
}

/// Relationship types as spreadsheets write them, in both languages.
fn relationship(word: &str) -> Option<RelationshipType> {
    let k = search_key(word);
    let code = match k.as_str() {
        "customer" | "kupac" | "klijent" | "musterija" => "customer",
        "prospect" | "potencijalni" | "potencijalni kupac" | "lead" => "prospect",
        "partner" | "poslovni partner" => "partner",
        "competitor" | "konkurent" | "konkurencija" => "competitor",
        "dealer" | "diler" | "preprodavac" => "dealer",
        "distributor" | "distributer" | "veletrgovina" => "distributor",
        "supplier" | "vendor" | "dobavljac" => "supplier",
        _ => return None,
    };
    RelationshipType::parse(code)
}

fn buying_role(word: &str) -> Option<BuyingRole> {
    let k = search_key(word).replace(['_', '-'], " ");
    let code = match k.as_str() {
        "decision maker" | "donosilac odluke" | "odlucuje" | "dm" => "decision_maker",
        "influencer" | "uticajni" | "utice" | "uticaj" => "influencer",
        "user" | "korisnik" => "user",
        "other" | "ostalo" | "drugo" => "other",
        _ => return None,
    };
    BuyingRole::parse(code)
}

/// A lead's rating as spreadsheets write it.
fn rating(word: &str) -> Option<LeadRating> {
    let code = match search_key(word).as_str() {
        "hot" | "vruc" | "vruce" | "vruca" | "a" => "hot",
        "warm" | "topao" | "toplo" | "topla" | "mlak" | "b" => "warm",
        "cold" | "hladan" | "hladno" | "hladna" | "c" => "cold",
        _ => return None,
    };
    LeadRating::parse(code)
}

fn currency(word: &str) -> Option<Currency> {
    let code = match search_key(word).trim_end_matches('.') {
        "rsd" | "din" | "dinar" | "dinara" | "dinari" => "RSD",
        "eur" | "€" | "euro" | "evro" | "evra" | "evri" => "EUR",
        _ => return None,
    };
    Currency::parse(code)
}

/// A date with an optional time, as spreadsheets hold it ("15.10.2026 10:30", "2026-10-15T10:30:00",
/// "15.10.2026."), as local "YYYY-MM-DDTHH:MM"; a date alone is at 09:00, the start of a working day.
pub fn local_date_time(s: &str) -> Option<String> {
    let t = s.trim();
    let (date, time) = match t.split_once(['T', ' ']) {
        Some((d, rest)) if parse_date_any(d).is_some() => (d, rest.trim()),
        _ => (t, ""),
    };
    let d = parse_date_any(date)?;
    let (h, m) = if time.is_empty() {
        (9, 0)
    } else {
        let mut parts = time.trim_end_matches('h').split([':', '.']);
        let h: u32 = parts.next()?.trim().parse().ok()?;
        let m: u32 = parts.next().map(|m| m.trim().parse().ok()).unwrap_or(Some(0))?;
        (h, m)
    };
    let dt = d.and_hms_opt(h, m, 0)?;
    Some(dt.format("%Y-%m-%dT%H:%M").to_string())
}

fn activity_kind(word: &str) -> Option<ActivityKind> {
    let code = match search_key(word).as_str() {
        "call" | "phone call" | "phone" | "poziv" | "telefonski poziv" | "telefon" | "razgovor" => "call",
        "meeting" | "visit" | "sastanak" | "poseta" | "obilazak" | "prezentacija" => "meeting",
        "email" | "e-mail" | "e mail" | "mail" | "mejl" | "imejl" | "poruka" => "email",
        "letter" | "pismo" | "dopis" => "letter",
        "fax" | "faks" | "telefaks" => "fax",
        "task" | "to do" | "todo" | "zadatak" | "obaveza" => "task",
        _ => return None,
    };
    ActivityKind::parse(code)
}

fn direction(word: &str) -> Option<Direction> {
    let code = match search_key(word).as_str() {
        "in" | "inbound" | "incoming" | "dolazni" | "ulazni" | "primljen" => "in",
        "out" | "outbound" | "outgoing" | "odlazni" | "izlazni" | "upucen" => "out",
        _ => return None,
    };
    Direction::parse(code)
}

fn priority(word: &str) -> Option<Priority> {
    let code = match search_key(word).as_str() {
        "low" | "nizak" | "niska" | "nisko" => "low",
        "normal" | "medium" | "normalan" | "normalna" | "srednji" | "srednja" => "normal",
        "high" | "urgent" | "visok" | "visoka" | "hitno" | "hitan" => "high",
        _ => return None,
    };
    Priority::parse(code)
}

/// Whether an activity was done: yes/no words, or a status.
fn done(word: &str) -> Option<bool> {
    match search_key(word).as_str() {
        "done" | "completed" | "zavrseno" | "zavrsen" | "obavljeno" | "obavljen" | "uradjeno" => Some(true),
        "open" | "planned" | "otvoreno" | "planirano" | "zakazano" => Some(false),
        w => yes_no(w),
    }
}

fn forecast_category(word: &str) -> Option<ForecastCategory> {
    let code = match search_key(word).replace(['_', '-'], " ").as_str() {
        "pipeline" | "u toku" | "otvoreno" | "prilika" => "pipeline",
        "best case" | "best" | "najbolji slucaj" | "moguce" | "upside" => "best_case",
        "commit" | "committed" | "sigurno" | "obavezno" | "potvrdjeno" => "commit",
        _ => return None,
    };
    ForecastCategory::parse(code)
}

/// Yes or no, in both languages and as spreadsheets write them.
fn yes_no(word: &str) -> Option<bool> {
    match search_key(word).as_str() {
        "yes" | "y" | "true" | "1" | "da" | "d" | "x" | "active" | "aktivan" | "aktivno" | "u prodaji" => Some(true),
        "no" | "n" | "false" | "0" | "ne" | "inactive" | "neaktivan" | "neaktivno" | "van prodaje" => Some(false),
        _ => None,
    }
}

/// A contact preference or an account's "inactive" as a spreadsheet writes it: yes or no in either
/// language, 1 or 0, true or false; an "inactive" column may also say active or inactive.
fn flag(field: &str, word: &str) -> Option<bool> {
    match search_key(word).as_str() {
        "yes" | "y" | "true" | "1" | "da" | "d" | "x" => Some(true),
        "no" | "n" | "false" | "0" | "ne" => Some(false),
        "inactive" | "neaktivan" | "neaktivna" | "neaktivno" if field == "inactive" => Some(true),
        "active" | "aktivan" | "aktivna" | "aktivno" if field == "inactive" => Some(false),
        _ => None,
    }
}

fn problem_of(e: AppError) -> Problem {
    match e {
        AppError::Validation { problem, .. } => problem,
        _ => Problem::InvalidChoice,
    }
}

/// Normalizes and checks one row. `mapping[i]` is the field of column `i` ("" = not imported).
pub fn prepare(entity: ImportEntity, mapping: &[String], options: &ImportOptions, raw: &[String]) -> Prepared {
    let mut p = Prepared::default();
    let mut before: BTreeMap<&'static str, String> = BTreeMap::new();
    for (i, f) in mapping.iter().enumerate() {
        let Some(f) = field_static(entity, f) else { continue };
        let v = raw.get(i).map(String::as_str).unwrap_or("");
        before.insert(f, v.to_string());
    }
    // A full name fills first and last name where those are not mapped: the last word is the surname.
    if matches!(entity, ImportEntity::Contact | ImportEntity::Lead) {
        if let Some(full) = before.get("full_name").cloned() {
            let full = collapse_spaces(&full);
            let (first, last) = match full.rsplit_once(' ') {
                Some((f, l)) => (f.to_string(), l.to_string()),
                None => (String::new(), full.clone()),
            };
            before.entry("first_name").or_insert(first);
            before.entry("last_name").or_insert(last);
        }
    }
    for (&f, raw_value) in &before {
        if f == "full_name" {
            continue;
        }
        let mut v = if options.spaces { collapse_spaces(raw_value) } else { raw_value.clone() };
        if options.cyrillic && !matches!(f, "email" | "website") {
            v = cyrillic_to_latin(&v);
        }
        let mut problem: Option<Problem> = None;
        match f {
            // People's and companies' names are cased.
            // Product and deal names keep their spelling ("NYY 3x2,5", "ERP za Mlekaru").
            "name" if matches!(entity, ImportEntity::Product | ImportEntity::Opportunity) => {}
            "name" | "company" | "first_name" | "last_name" if options.proper_case => v = proper_case(&v),
            "city" if options.cities && !v.is_empty() => v = unify_city(&v),
            "city" if options.proper_case => v = proper_case(&v),
            "email" | "owner" | "contact" if options.emails => v = v.trim().to_lowercase(),
            "close_date" if !v.is_empty() => {
                if let Some(d) = parse_date_any(&v) {
                    v = d.format("%Y-%m-%d").to_string();
                }
            }
            "probability" => v = v.trim_end_matches('%').trim().to_string(),
            "starts_at" | "ends_at" if !v.is_empty() => {
                if let Some(t) = local_date_time(&v) {
                    v = t;
                }
            }
            "phone" | "mobile" if options.phones && !v.is_empty() => {
                if let Some(intl) = phone_international(&v, "381") {
                    v = intl;
                }
            }
            "pib" | "mb" => v = v.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect(),
            "category" => v = v.trim().to_uppercase(),
            "estimated" | "list_price" | "unit_cost" | "amount" if !v.is_empty() => {
                if let Some(d) = decimal_text(&v) {
                    v = d;
                }
            }
            _ => {}
        }
        // Checks: the rules of the record's own form.
        let checked: Result<(), AppError> = match f {
            "name" => {
                if v.is_empty() {
                    Err(crate::domain::validate::field(f, Problem::Required))
                } else {
                    optional(f, &v, 200).map(|_| ())
                }
            }
            "first_name" | "last_name" if entity == ImportEntity::Lead => optional(f, &v, 100).map(|_| ()),
            "first_name" | "last_name" => {
                if v.is_empty() {
                    Err(crate::domain::validate::field(f, Problem::Required))
                } else {
                    optional(f, &v, 100).map(|_| ())
                }
            }
            "email" => optional_email(f, &v).map(|_| ()),
            "phone" | "mobile" => optional_phone(f, &v).map(|_| ()),
            "website" => optional_website(f, &v).map(|_| ()),
            "pib" => optional_digits_id(f, &v, pib_is_valid, Problem::InvalidPib).map(|_| ()),
            "mb" => optional_digits_id(f, &v, mb_is_valid, Problem::InvalidMb).map(|_| ()),
            "category" if !v.is_empty() => Category::parse(&v).map(|_| ()).ok_or(crate::domain::validate::field(f, Problem::InvalidChoice)),
            "types" => {
                let mut codes = Vec::new();
                let mut bad = false;
                for w in v.split([',', ';', '/', '|']).map(str::trim).filter(|w| !w.is_empty()) {
                    match relationship(w) {
                        Some(t) => {
                            if !codes.contains(&t.code()) {
                                codes.push(t.code())
                            }
                        }
                        None => bad = true,
                    }
                }
                if !bad {
                    v = codes.join(",");
                }
                if bad {
                    Err(crate::domain::validate::field(f, Problem::InvalidChoice))
                } else {
                    Ok(())
                }
            }
            "buying_role" if !v.is_empty() => match buying_role(&v) {
                Some(r) => {
                    v = r.code().to_string();
                    Ok(())
                }
                None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
            },
            "owner" if !v.is_empty() => optional_email(f, &v).map(|_| ()),
            "company" => optional(f, &v, 200).map(|_| ()),
            "title" => optional(f, &v, 120).map(|_| ()),
            "code" if v.is_empty() => Err(crate::domain::validate::field(f, Problem::Required)),
            "code" => optional(f, &v, 40).map(|_| ()),
            "family" | "unit" if v.is_empty() => Err(crate::domain::validate::field(f, Problem::Required)),
            "unit" => optional(f, &v, 20).map(|_| ()),
            "list_price" if v.is_empty() => Err(crate::domain::validate::field(f, Problem::Required)),
            "close_date" if !v.is_empty() => match parse_date_any(&v) {
                Some(_) => Ok(()),
                None => Err(crate::domain::validate::field(f, Problem::InvalidDate)),
            },
            "probability" if !v.is_empty() => match v.parse::<i64>() {
                Ok(n) if (0..=100).contains(&n) => Ok(()),
                _ => Err(crate::domain::validate::field(f, Problem::InvalidNumber)),
            },
            "contact" => optional_email(f, &v).map(|_| ()),
            "starts_at" | "ends_at" if !v.is_empty() => match local_date_time(&v) {
                Some(_) => Ok(()),
                None => Err(crate::domain::validate::field(f, Problem::InvalidDate)),
            },
            "subject" => optional(f, &v, 200).map(|_| ()),
            "outcome" => optional(f, &v, 500).map(|_| ()),
            "location" => optional(f, &v, 200).map(|_| ()),
            "kind" | "direction" | "priority" | "completed" if !v.is_empty() => {
                let code = match f {
                    "kind" => activity_kind(&v).map(|k| k.code().to_string()),
                    "direction" => direction(&v).map(|d| d.code().to_string()),
                    "priority" => priority(&v).map(|p| p.code().to_string()),
                    _ => done(&v).map(|b| b.to_string()),
                };
                match code {
                    Some(c) => {
                        v = c;
                        Ok(())
                    }
                    None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
                }
            }
            "description" => optional(f, &v, 10_000).map(|_| ()),
            "forecast_category" if !v.is_empty() => match forecast_category(&v) {
                Some(c) => {
                    v = c.code().to_string();
                    Ok(())
                }
                None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
            },
            "estimated" | "list_price" | "unit_cost" | "amount" if !v.is_empty() => match decimal_text(&v) {
                Some(d) if !d.starts_with('-') => Ok(()),
                _ => Err(crate::domain::validate::field(f, Problem::InvalidNumber)),
            },
            "rating" if !v.is_empty() => match rating(&v) {
                Some(r) => {
                    v = r.code().to_string();
                    Ok(())
                }
                None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
            },
            "currency" if !v.is_empty() => match currency(&v) {
                Some(c) => {
                    v = c.code().to_string();
                    Ok(())
                }
                None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
            },
            flag_field if ImportEntity::is_flag(flag_field) && !v.is_empty() => match flag(flag_field, &v) {
                Some(b) => {
                    v = crate::domain::marketing::flag_text(b);
                    Ok(())
                }
                None => Err(crate::domain::validate::field(flag_field, Problem::NotYesNo)),
            },
            "active" if !v.is_empty() => match yes_no(&v) {
                Some(b) => {
                    v = b.to_string();
                    Ok(())
                }
                None => Err(crate::domain::validate::field(f, Problem::InvalidChoice)),
            },
            "job_title" => optional(f, &v, 120).map(|_| ()),
            "address" => optional(f, &v, 300).map(|_| ()),
            "notes" => optional(f, &v, 10_000).map(|_| ()),
            "account" => optional(f, &v, 200).map(|_| ()),
            _ => optional(f, &v, 100).map(|_| ()),
        };
        if let Err(e) = checked {
            problem = Some(problem_of(e));
        }
        if let Some(pr) = &problem {
            p.problems.push((f.to_string(), pr.clone()));
        }
        p.cells.push(CellView { field: f.to_string(), before: raw_value.clone(), after: v.clone(), problem });
        p.values.insert(f, v);
    }
    // Required fields: not mapped, or empty (unless their own check said so already).
    for req in entity.required() {
        if p.get(req).is_none() && !p.problems.iter().any(|(f, _)| f == req) {
            p.problems.push((req.to_string(), Problem::Required));
        }
    }
    if entity == ImportEntity::Contact && !p.values.contains_key("first_name") {
        p.problems.push(("first_name".into(), Problem::Required));
    }
    // An activity is about an account or a contact.
    if entity == ImportEntity::Activity && p.get("account").is_none() && p.get("contact").is_none() {
        p.problems.push(("account".into(), Problem::Required));
    }
    // A lead names a company or a person (the lead form's rule).
    if entity == ImportEntity::Lead && p.get("company").is_none() && p.get("last_name").is_none() {
        let f = if p.get("first_name").is_some() { "last_name" } else { "company" };
        p.problems.push((f.into(), Problem::Required));
    }
    // Keys of the values that passed their checks.
    let ok = |f: &str| p.cells.iter().any(|c| c.field == f && c.problem.is_none() && !c.after.is_empty());
    for f in ["email", "pib", "mb"] {
        if ok(f) {
            p.exact.push(format!("{f}:{}", p.values[f].to_lowercase()));
        }
    }
    // Phones by their digits in international form (as the database's phone index), whether or not the
    // import writes them so.
    for f in ["phone", "mobile"] {
        if ok(f) {
            let v = &p.values[f];
            let intl = phone_international(v, "381").unwrap_or_else(|| v.clone());
            let digits: String = intl.chars().filter(|c| c.is_ascii_digit()).collect();
            p.exact.push(format!("phone:{digits}"));
        }
    }
    if entity == ImportEntity::Product && ok("code") {
        // The catalog's codes are unique whatever their case.
        p.exact.push(format!("code:{}", p.values["code"].to_lowercase()));
    }
    let valid = |f: &str| if ok(f) { p.get(f) } else { None };
    p.identity = match entity {
        ImportEntity::Account => Identity::company(valid("pib"), valid("mb"), valid("email")),
        ImportEntity::Lead => Identity { pib: valid("pib").map(str::to_string), ..Identity::person(valid("email")) },
        ImportEntity::Contact => Identity::person(valid("email")),
        _ => Identity::default(),
    };
    match entity {
        ImportEntity::Product => {}
        ImportEntity::Activity => {
            if let (Some(kind), Some(subject), Some(starts)) = (p.get("kind"), p.get("subject"), p.get("starts_at")) {
                let about = p.get("account").map(company_key).or(p.get("contact").map(str::to_lowercase)).unwrap_or_default();
                p.exact.push(format!("same:{kind}|{starts}|{}|{about}", search_key(subject)));
            }
        }
        ImportEntity::Opportunity => {
            if let (Some(name), Some(account)) = (p.get("name"), p.get("account")) {
                p.exact.push(format!("name:{}|{}", search_key(name), company_key(account)));
            }
        }
        ImportEntity::Lead => {
            if let Some(company) = p.get("company") {
                let key = company_key(company);
                if !key.is_empty() {
                    p.fuzzy = Some((key, search_key(p.get("city").unwrap_or(""))));
                }
            } else if let (Some(first), Some(last)) = (p.get("first_name"), p.get("last_name")) {
                p.exact.push(format!("name:{}|", search_key(&format!("{first} {last}"))));
            }
        }
        ImportEntity::Account => {
            if let Some(name) = p.get("name") {
                let key = company_key(name);
                if !key.is_empty() {
                    p.fuzzy = Some((key, search_key(p.get("city").unwrap_or(""))));
                }
            }
        }
        ImportEntity::Contact => {
            if let (Some(first), Some(last)) = (p.get("first_name"), p.get("last_name")) {
                let account = p.get("account").map(company_key).unwrap_or_default();
                p.exact.push(format!("name:{}|{account}", search_key(&format!("{first} {last}"))));
            }
        }
    }
    p
}

/// How alike two name keys (company name, city) are, when at least `threshold`: cities must agree when
/// both are given, and numbers in the names must be the same (`domain::identity`). 100 is the same name.
pub fn fuzzy_match(a: &(String, String), b: &(String, String), threshold: u8) -> Option<u8> {
    if !a.1.is_empty() && !b.1.is_empty() && a.1 != b.1 {
        return None;
    }
    name_similarity(&a.0, &b.0).filter(|s| *s >= threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn account_row_is_cleaned_and_checked() {
        let map = m(&["name", "city", "pib", "email", "phone", "types"]);
        let raw = m(&["  MLEKARA   ŠABAC DOO ", "sabac", "100000024", "Prodaja@Mlekara.RS", "015/123-456", "kupac, Partner"]);
        let p = prepare(ImportEntity::Account, &map, &ImportOptions::default(), &raw);
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!(p.get("name"), Some("Mlekara Šabac d.o.o."));
        assert_eq!(p.get("city"), Some("Šabac"));
        assert_eq!(p.get("email"), Some("prodaja@mlekara.rs"));
        assert_eq!(p.get("phone"), Some("+38115123456"));
        assert_eq!(p.get("types"), Some("customer,partner"));
        assert_eq!(p.fuzzy, Some(("mlekara sabac".into(), "sabac".into())));
        assert!(p.exact.contains(&"email:prodaja@mlekara.rs".to_string()));
        assert!(p.exact.contains(&"phone:38115123456".to_string()));
    }

    #[test]
    fn every_bad_cell_is_named() {
        let map = m(&["name", "pib", "email", "types", "category"]);
        let raw = m(&["", "123456789", "nije-adresa", "vanzemaljac", "Z"]);
        let p = prepare(ImportEntity::Account, &map, &ImportOptions::default(), &raw);
        let fields: Vec<&str> = p.problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["category", "email", "name", "pib", "types"]);
        assert!(p.problems.contains(&("pib".into(), Problem::InvalidPib)));
        assert!(p.problems.contains(&("name".into(), Problem::Required)));
    }

    #[test]
    fn contact_full_name_is_split_and_switches_work() {
        let map = m(&["full_name", "account", "email", "buying_role"]);
        let raw = m(&["ЉУБИЦА ЂОРЂЕВИЋ", "Delta d.o.o.", " Ana@X.rs ", "donosilac odluke"]);
        let mut opts = ImportOptions { cyrillic: true, ..Default::default() };
        let p = prepare(ImportEntity::Contact, &map, &opts, &raw);
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!((p.get("first_name"), p.get("last_name")), (Some("Ljubica"), Some("Đorđević")));
        assert_eq!(p.get("buying_role"), Some("decision_maker"));
        assert!(p.exact.contains(&"name:ljubica djordjevic|delta".to_string()));
        opts.proper_case = false;
        opts.cyrillic = false;
        let p = prepare(ImportEntity::Contact, &map, &opts, &raw);
        assert_eq!(p.get("last_name"), Some("ЂОРЂЕВИЋ"));
    }

    #[test]
    fn lead_row_reads_ratings_values_and_names() {
        let map = m(&["company", "full_name", "rating", "estimated", "currency", "source", "city"]);
        let raw = m(&["MLEKARA SOMBOR", "petar petrović", "Vruć", "1.250.000,50", "din.", "Sajam", "sombor"]);
        let p = prepare(ImportEntity::Lead, &map, &ImportOptions::default(), &raw);
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!((p.get("company"), p.get("first_name"), p.get("last_name")), (Some("Mlekara Sombor"), Some("Petar"), Some("Petrović")));
        assert_eq!((p.get("rating"), p.get("estimated"), p.get("currency")), (Some("hot"), Some("1250000.50"), Some("RSD")));
        // The source is found later, among the sources in the database.
        assert_eq!(p.get("source"), Some("Sajam"));
        assert_eq!(p.fuzzy, Some(("mlekara sombor".into(), "sombor".into())));
        // A person without a company is a lead; neither is not.
        let p = prepare(ImportEntity::Lead, &m(&["first_name", "last_name"]), &ImportOptions::default(), &m(&["Ana", "Marić"]));
        assert!(p.ok() && p.exact.contains(&"name:ana maric|".to_string()), "{:?}", p);
        let p = prepare(
            ImportEntity::Lead,
            &m(&["first_name", "rating", "estimated"]),
            &ImportOptions::default(),
            &m(&["Ana", "srednje", "-5"]),
        );
        let fields: Vec<&str> = p.problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["estimated", "rating", "last_name"]);
    }

    #[test]
    fn preferences_and_inactive_read_yes_or_no() {
        let map = m(&["first_name", "last_name", "do_not_email", "do_not_call", "do_not_mail"]);
        let p = prepare(ImportEntity::Contact, &map, &ImportOptions::default(), &m(&["Ana", "Ilić", "DA", "ne", ""]));
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!((p.get("do_not_email"), p.get("do_not_call"), p.get("do_not_mail")), (Some("1"), Some("0"), None));
        let p = prepare(ImportEntity::Contact, &map, &ImportOptions::default(), &m(&["Ana", "Ilić", "true", "možda", "aktivan"]));
        assert_eq!(p.problems, vec![("do_not_call".to_string(), Problem::NotYesNo), ("do_not_mail".to_string(), Problem::NotYesNo)]);
        let map = m(&["name", "inactive"]);
        for (word, flag) in [("Neaktivan", "1"), ("aktivno", "0"), ("1", "1"), ("no", "0")] {
            let p = prepare(ImportEntity::Account, &map, &ImportOptions::default(), &m(&["Delta", word]));
            assert_eq!(p.get("inactive"), Some(flag), "{word}");
        }
    }

    #[test]
    fn product_row_keeps_its_name_and_reads_prices() {
        let map = m(&["code", "name", "family", "unit", "list_price", "unit_cost", "active"]);
        let raw = m(&["KAB-3x25", "KABL NYY 3x2,5", "Kablovi", "m", "1.499,00", "1,234.5", "ne"]);
        let p = prepare(ImportEntity::Product, &map, &ImportOptions::default(), &raw);
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!(
            (p.get("name"), p.get("list_price"), p.get("unit_cost"), p.get("active")),
            (Some("KABL NYY 3x2,5"), Some("1499.00"), Some("1234.5"), Some("false"))
        );
        assert_eq!(p.exact, vec!["code:kab-3x25".to_string()]);
        let p = prepare(ImportEntity::Product, &map, &ImportOptions::default(), &m(&["", "X", "", "", "besplatno", "", "možda"]));
        let fields: Vec<&str> = p.problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["active", "code", "family", "list_price", "unit"]);
    }

    #[test]
    fn activity_times_and_words() {
        assert_eq!(local_date_time("15.10.2026 10:30").as_deref(), Some("2026-10-15T10:30"));
        assert_eq!(local_date_time("2026-10-15T10:30:00").as_deref(), Some("2026-10-15T10:30"));
        assert_eq!(local_date_time("15.10.2026.").as_deref(), Some("2026-10-15T09:00"));
        assert_eq!(local_date_time("5.3.27 8.15h").as_deref(), Some("2027-03-05T08:15"));
        assert_eq!(local_date_time("15.10.2026 25:00"), None);
        assert_eq!(local_date_time("sutra"), None);
        let map = m(&["kind", "subject", "starts_at", "account", "completed", "direction"]);
        let p = prepare(
            ImportEntity::Activity,
            &map,
            &ImportOptions::default(),
            &m(&["Telefonski poziv", "Ponuda", "1.2.2026", "Delta", "obavljeno", "odlazni"]),
        );
        assert!(p.ok(), "{:?}", p.problems);
        assert_eq!((p.get("kind"), p.get("completed"), p.get("direction")), (Some("call"), Some("true"), Some("out")));
        assert_eq!(p.exact, vec!["same:call|2026-02-01T09:00|ponuda|delta".to_string()]);
        let p = prepare(ImportEntity::Activity, &map, &ImportOptions::default(), &m(&["golub", "X", "1.2.2026", "", "možda", ""]));
        let fields: Vec<&str> = p.problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["completed", "kind", "account"]);
    }

    #[test]
    fn fuzzy_needs_same_city() {
        let a = ("mlekara sabac".to_string(), "sabac".to_string());
        assert!(fuzzy_match(&a, &("mlekra sabac".into(), "sabac".into()), 90).is_some());
        assert!(fuzzy_match(&a, &("mlekra sabac".into(), "".into()), 90).is_some());
        assert!(fuzzy_match(&a, &("mlekara sabac".into(), "nis".into()), 90).is_none());
        // A number in the name is part of it.
        assert!(fuzzy_match(&("gradjevinar 4".into(), "nis".into()), &("gradjevinar".into(), "nis".into()), 70).is_none());
        assert_eq!(fuzzy_match(&("gradevinar".into(), "nis".into()), &("gradjevinar".into(), "nis".into()), 100), Some(100));
    }
}
