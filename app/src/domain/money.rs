//! Money as integer minor units plus a currency; conversion to the base currency (RSD) by a stated rate.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Currency {
    RSD,
    EUR,
}

impl Currency {
    pub const ALL: [Currency; 2] = [Currency::RSD, Currency::EUR];
    pub fn code(self) -> &'static str {
        match self {
            Currency::RSD => "RSD",
            Currency::EUR => "EUR",
        }
    }
    pub fn parse(s: &str) -> Option<Currency> {
        match s.trim().to_ascii_uppercase().as_str() {
            "RSD" | "DIN" => Some(Currency::RSD),
            "EUR" | "€" => Some(Currency::EUR),
            _ => None,
        }
    }
}

/// An exchange rate to the base currency, in millionths (117.17 RSD per EUR = 117_170_000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub currency: Currency,
    pub micros: i64,
}

/// Converts minor units of `currency` into minor units of the base currency, rounding half away from zero.
pub fn to_base(minor: i64, currency: Currency, rates: &[Rate]) -> i64 {
    if currency == Currency::RSD {
        return minor;
    }
    let micros = rates.iter().find(|r| r.currency == currency).map(|r| r.micros).unwrap_or(1_000_000);
    let v = minor as i128 * micros as i128;
    let q = v / 1_000_000;
    let r = v % 1_000_000;
    let rounded = if r.abs() * 2 >= 1_000_000 { q + v.signum() } else { q };
    rounded as i64
}

/// Weighted value: amount × probability %, rounded half up, in minor units.
pub fn weighted(minor: i64, probability: i64) -> i64 {
    let v = minor as i128 * probability as i128;
    ((v + 50 * v.signum()) / 100) as i64
}

/// Parses a user-typed amount ("1.234.567,89", "1,234,567.89", "1234567.5", "1 234 567") into minor units.
/// A single separator followed by exactly three digits is read as a thousands separator.
pub fn parse_amount(input: &str) -> Option<i64> {
    let s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    // Decide which character (if any) separates decimals.
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots + commas;
            let after = s.len() - s.rfind(sep).unwrap_or(0) - 1;
            if count > 1 || after == 3 {
                None
            } else {
                Some(sep)
            }
        }
        _ => {
            let last = s.rfind(['.', ',']).map(|i| s.as_bytes()[i] as char);
            let sep = last?;
            if s.matches(sep).count() > 1 {
                return None;
            }
            Some(sep)
        }
    };
    let (int_part, frac_part) = match decimal {
        Some(sep) => {
            let i = s.rfind(sep)?;
            (s[..i].to_string(), s[i + 1..].to_string())
        }
        None => (s.clone(), String::new()),
    };
    // Thousands groups must be well formed: "1.234.567", never "1.23.4".
    let groups: Vec<&str> = int_part.split(['.', ',']).collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let int_digits: String = groups.concat();
    if (int_digits.is_empty() && frac_part.is_empty()) || frac_part.len() > 2 {
        return None;
    }
    let int: i64 = if int_digits.is_empty() { 0 } else { int_digits.parse().ok()? };
    let frac: i64 = match frac_part.len() {
        0 => 0,
        1 => frac_part.parse::<i64>().ok()? * 10,
        _ => frac_part.parse().ok()?,
    };
    let v = int.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -v } else { v })
}

/// Formats minor units as a plain decimal for an input field ("1234567.89" → editable, no grouping).
pub fn minor_to_input(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let a = minor.unsigned_abs();
    if a.is_multiple_of(100) {
        format!("{sign}{}", a / 100)
    } else {
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_eur_to_rsd_by_rate() {
        let rates = [Rate { currency: Currency::EUR, micros: 117_170_000 }];
        assert_eq!(to_base(100, Currency::EUR, &rates), 11_717); // 1 EUR = 117.17 RSD
        assert_eq!(to_base(12_345, Currency::RSD, &rates), 12_345);
        assert_eq!(to_base(1, Currency::EUR, &[Rate { currency: Currency::EUR, micros: 117_500_000 }]), 118);
    }

    #[test]
    fn weighted_value_rounds_half_up() {
        assert_eq!(weighted(100_000, 60), 60_000);
        assert_eq!(weighted(5, 50), 3);
        assert_eq!(weighted(0, 80), 0);
        assert_eq!(weighted(-5, 50), -3);
    }

    #[test]
    fn parses_serbian_and_english_amounts() {
        assert_eq!(parse_amount("1.234.567,89"), Some(123_456_789));
        assert_eq!(parse_amount("1,234,567.89"), Some(123_456_789));
        assert_eq!(parse_amount("1234567,5"), Some(123_456_750));
        assert_eq!(parse_amount("1 234 567"), Some(123_456_700));
        assert_eq!(parse_amount("1.234"), Some(123_400));
        assert_eq!(parse_amount("12,50"), Some(1_250));
        assert_eq!(parse_amount("0"), Some(0));
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount("1,2,3.4.5"), None);
        assert_eq!(parse_amount("1.999"), Some(199_900));
        assert_eq!(parse_amount("3.14159"), None);
        assert_eq!(parse_amount(""), None);
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in Currency::ALL {
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        assert_eq!(Currency::parse("usd"), None);
    }
}
