//! Languages of the UI: Serbian (Latin script) and English. Every text the user reads comes from
//! `catalog.rs`; numbers, money and dates are formatted here per language.

mod catalog;
pub mod find;
pub mod labels;

pub use catalog::M;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Sr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sr => "sr",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("sr") || s.starts_with("hr") || s.starts_with("bs") || s.starts_with("me") {
            Some(Lang::Sr)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// The first supported language of an Accept-Language header; English when none is.
    pub fn from_accept_language(header: &str) -> Lang {
        header.split(',').filter_map(|part| Lang::parse(part.split(';').next().unwrap_or(""))).next().unwrap_or(Lang::En)
    }
    pub fn t(self, m: M) -> &'static str {
        m.text(self)
    }
}

fn group(int: u64, sep: char) -> String {
    let s = int.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// 1234567 → "1.234.567" (sr) / "1,234,567" (en).
pub fn format_int(lang: Lang, v: i64) -> String {
    let sep = if lang == Lang::Sr { '.' } else { ',' };
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group(v.unsigned_abs(), sep))
}

/// Minor units with two decimals and the currency code: "1.234.567,00 RSD" / "1,234,567.00 RSD".
pub fn format_money(lang: Lang, minor: i64, currency: &str) -> String {
    let (tsep, dsep) = if lang == Lang::Sr { ('.', ',') } else { (',', '.') };
    let sign = if minor < 0 { "-" } else { "" };
    let a = minor.unsigned_abs();
    format!("{sign}{}{dsep}{:02} {currency}", group(a / 100, tsep), a % 100)
}

/// Short money for board totals: no decimals.
pub fn format_money_short(lang: Lang, minor: i64, currency: &str) -> String {
    let sep = if lang == Lang::Sr { '.' } else { ',' };
    let sign = if minor < 0 { "-" } else { "" };
    let a = (minor.unsigned_abs() + 50) / 100;
    format!("{sign}{} {currency}", group(a, sep))
}

/// "2026-11-27" → "27.11.2026." (sr) / "Nov 27, 2026" (en). Unparseable input is shown as is.
pub fn format_date(lang: Lang, iso: &str) -> String {
    let Ok(d) = chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d") else {
        return iso.to_string();
    };
    match lang {
        Lang::Sr => d.format("%d.%m.%Y.").to_string(),
        Lang::En => d.format("%b %-d, %Y").to_string(),
    }
}

/// A local "YYYY-MM-DDTHH:MM" (as the server sends activity times) as date and time.
pub fn format_local(lang: Lang, local: &str) -> String {
    let time = local.get(11..16).unwrap_or("");
    format!("{} {time}", format_date(lang, local)).trim_end().to_string()
}

/// An RFC 3339 UTC timestamp as date and minutes.
pub fn format_timestamp(lang: Lang, ts: &str) -> String {
    let date = format_date(lang, ts);
    let time = ts.get(11..16).unwrap_or("");
    format!("{date} {time} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_per_language() {
        assert_eq!(format_money(Lang::Sr, 123_456_700, "RSD"), "1.234.567,00 RSD");
        assert_eq!(format_money(Lang::En, 123_456_789, "EUR"), "1,234,567.89 EUR");
        assert_eq!(format_money(Lang::Sr, -5, "RSD"), "-0,05 RSD");
        assert_eq!(format_money_short(Lang::Sr, 99_950, "RSD"), "1.000 RSD");
        assert_eq!(format_int(Lang::Sr, 1000), "1.000");
        assert_eq!(format_int(Lang::En, 999), "999");
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(format_date(Lang::Sr, "2026-01-05"), "05.01.2026.");
        assert_eq!(format_date(Lang::En, "2026-01-05"), "Jan 5, 2026");
        assert_eq!(format_timestamp(Lang::Sr, "2026-01-05T07:08:09.000Z"), "05.01.2026. 07:08 UTC");
        assert_eq!(format_local(Lang::Sr, "2026-01-05T07:08"), "05.01.2026. 07:08");
        assert_eq!(format_local(Lang::En, "2026-01-05T17:08"), "Jan 5, 2026 17:08");
    }

    #[test]
    fn language_from_browser() {
        assert_eq!(Lang::from_accept_language("sr-Latn-RS,sr;q=0.9,en;q=0.8"), Lang::Sr);
        assert_eq!(Lang::from_accept_language("de-DE,en-US;q=0.7"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
    }

    #[test]
    fn every_message_has_both_languages() {
        for m in M::ALL {
            assert!(!m.text(Lang::Sr).is_empty(), "{m:?}");
            assert!(!m.text(Lang::En).is_empty(), "{m:?}");
        }
    }
}
