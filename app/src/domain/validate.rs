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

pub fn optional_website(name: &str, value: &str) -> Result<Option<String>, AppError> {
    match optional(name, value, 200)? {
        None => Ok(None),
        Some(v) => {
            let host = v.trim_start_matches("https://").trim_start_matches("http://");
            if host.contains('.') && !host.contains(' ') && !host.starts_with('.') {
                Ok(Some(v))
            } else {
                Err(field(name, Problem::InvalidUrl))
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
