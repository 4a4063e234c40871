//! Field validation shared by server and browser. Each check returns the `Problem` the UI names in the
//! user's language next to the field.

use crate::error::{AppError, Problem};
use chrono::NaiveDate;

pub fn field(name: &str, problem: Problem) -> AppError {
    AppError::Validation { field: name.to_string(), problem }
}

/// Trims; refuses empty and longer than `max` characters.
pub fn required(name: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(field(name, Problem::Required));
    }
    if v.chars().count() > max {
        return Err(field(name, Problem::TooLong(max as i64)));
    }
    Ok(v.to_string())
}

/// Trims; empty becomes None.
pub fn optional(name: &str, value: &str, max: usize) -> Result<Option<String>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(field(name, Problem::TooLong(max as i64)));
    }
    Ok(Some(v.to_string()))
}

pub fn email_is_valid(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && e.chars().all(|c| !c.is_whitespace() && c != ',' && c != ';' && c != '<' && c != '>')
        && domain.chars().filter(|c| *c == '@').count() == 0
}

pub fn optional_email(name: &str, value: &str) -> Result<Option<String>, AppError> {
    match optional(name, value, 254)? {
        None => Ok(None),
        Some(v) => {
            let v = v.to_lowercase();
            if email_is_valid(&v) {
                Ok(Some(v))
            } else {
                Err(field(name, Problem::InvalidEmail))
            }
        }
    }
}

pub fn required_email(name: &str, value: &str) -> Result<String, AppError> {
    optional_email(name, value)?.ok_or_else(|| field(name, Problem::Required))
}

/// Phone numbers: digits, spaces and + ( ) - / . ; at least 6 digits.
pub fn optional_phone(name: &str, value: &str) -> Result<Option<String>, AppError> {
    match optional(name, value, 40)? {
        None => Ok(None),
        Some(v) => {
            let ok_chars = v.chars().all(|c| c.is_ascii_digit() || " +()-/.".contains(c));
            let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
            if ok_chars && (6..=15).contains(&digits) {
                Ok(Some(v))
            } else {
                Err(field(name, Problem::InvalidPhone))
            }
        }
    }
}

/// A web address: `http://` or `https://`, or a bare host ("firma.rs/kontakt"); any other scheme
/// (`javascript:`, `data:`, `file:` …) is refused, so a stored address is always safe as a link.
pub fn optional_website(name: &str, value: &str) -> Result<Option<String>, AppError> {
    match optional(name, value, 200)? {
        None => Ok(None),
        Some(v) => website_is_valid(&v).then_some(v).map(Some).ok_or_else(|| field(name, Problem::InvalidUrl)),
    }
}

fn website_is_valid(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host.contains('.')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && host.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && !v.chars().any(char::is_whitespace)
}

/// The link of a stored web address: a bare host gets `https://`.
pub fn website_href(v: &str) -> String {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        v.to_string()
    } else {
        format!("https://{v}")
    }
}

/// A calendar date typed as ISO (2026-11-27) or Serbian (27.11.2026.).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim().trim_end_matches('.');
    NaiveDate::parse_from_str(v, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(v, "%d.%m.%Y")).ok()
}

pub fn required_date(name: &str, value: &str) -> Result<NaiveDate, AppError> {
    if value.trim().is_empty() {
        return Err(field(name, Problem::Required));
    }
    parse_date(value).ok_or_else(|| field(name, Problem::InvalidDate))
}

pub fn optional_digits_id(name: &str, value: &str, check: fn(&str) -> bool, problem: Problem) -> Result<Option<String>, AppError> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if v.is_empty() {
        return Ok(None);
    }
    if check(&v) {
        Ok(Some(v))
    } else {
        Err(field(name, problem))
    }
}

pub fn percent(name: &str, value: &str) -> Result<i64, AppError> {
    let v: i64 = value.trim().trim_end_matches('%').trim().parse().map_err(|_| field(name, Problem::InvalidNumber))?;
    if !(0..=100).contains(&v) {
        return Err(field(name, Problem::OutOfRange(0, 100)));
    }
    Ok(v)
}

/// A checkbox, or a yes/no value written as a form or an import writes it: ticked ("on", "true", "1"),
/// not ticked ("", "off", "false", "0"); anything else is refused as not yes or no.
pub fn checkbox(name: &str, value: &str) -> Result<bool, AppError> {
    match value.trim() {
        "on" | "true" | "1" => Ok(true),
        "" | "off" | "false" | "0" => Ok(false),
        _ => Err(field(name, Problem::NotYesNo)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkboxes_are_yes_or_no() {
        for (v, b) in [("on", true), (" 1", true), ("true", true), ("", false), ("0", false), ("off", false), ("false", false)] {
            assert_eq!(checkbox("do_not_call", v), Ok(b), "{v}");
        }
        assert_eq!(checkbox("do_not_call", "maybe"), Err(field("do_not_call", Problem::NotYesNo)));
    }

    #[test]
    fn websites_are_http_or_a_bare_host() {
        for ok in ["firma.rs", "www.mlekara-sabac.rs/kontakt?x=1", "https://Firma.rs", "http://firma.rs:8080/a", "čačak.rs"] {
            assert!(optional_website("website", ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)//a.b",
            "JAVASCRIPT:alert(1)//a.b",
            "data:text/html,a.b",
            "firma",
            ".firma.rs",
            "ftp://firma.rs",
            "a b.rs",
            "https://",
        ] {
            assert_eq!(optional_website("website", bad), Err(field("website", Problem::InvalidUrl)), "{bad}");
        }
        assert_eq!(website_href("firma.rs"), "https://firma.rs");
        assert_eq!(website_href("HTTP://firma.rs"), "HTTP://firma.rs");
    }

    #[test]
    fn emails() {
        assert!(email_is_valid("ana@firma.rs"));
        assert!(!email_is_valid("ana@firma"));
        assert!(!email_is_valid("ana firma.rs"));
        assert!(!email_is_valid("@firma.rs"));
        assert_eq!(optional_email("email", " Ana@Firma.RS ").unwrap(), Some("ana@firma.rs".into()));
        assert!(matches!(optional_email("email", "x@y"), Err(AppError::Validation { problem: Problem::InvalidEmail, .. })));
    }

    #[test]
    fn dates_in_both_notations() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(parse_date("2026-11-27"), Some(d));
        assert_eq!(parse_date("27.11.2026."), Some(d));
        assert_eq!(parse_date("27.11.2026"), Some(d));
        assert_eq!(parse_date("31.02.2026"), None);
    }

    #[test]
    fn required_names_the_field() {
        match required("name", "   ", 10) {
            Err(AppError::Validation { field, problem }) => {
                assert_eq!(field, "name");
                assert_eq!(problem, Problem::Required);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(required("name", "abcdefghijk", 10), Err(AppError::Validation { problem: Problem::TooLong(10), .. })));
    }

    #[test]
    fn phones_and_percent() {
        assert_eq!(optional_phone("phone", "+381 11 123 4567").unwrap(), Some("+381 11 123 4567".into()));
        assert!(optional_phone("phone", "call me").is_err());
        assert_eq!(percent("probability", "45").unwrap(), 45);
        assert!(percent("probability", "101").is_err());
        assert!(percent("probability", "x").is_err());
    }
}
