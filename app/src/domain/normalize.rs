//! Cleaning values on their way in (import, and later anywhere data arrives in bulk): spaces, letter case
//! with Serbian rules, e-mails, phone numbers in international form, dates and decimals in the formats our
//! users' spreadsheets hold, city names, Cyrillic to Latin. Pure functions, so the preview can show
//! "before → after" and the import apply exactly the same thing.
//!
//! Also the keys duplicates are found by: a company name without its legal form, case, diacritics and
//! punctuation, and a similarity between two such keys.

use super::text::search_key;
use chrono::NaiveDate;

/// Trims and collapses runs of white space (including non-breaking spaces and tabs) into one space.
pub fn collapse_spaces(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Legal-form suffixes written in their canonical form, keyed by the word with its dots removed.
const LEGAL_FORMS: &[(&str, &str)] = &[
    ("doo", "d.o.o."),
    ("ad", "a.d."),
    ("od", "o.d."),
    ("kd", "k.d."),
    ("pr", "PR"),
    ("jp", "JP"),
    ("jkp", "JKP"),
    ("dp", "DP"),
    ("szr", "SZR"),
    ("str", "STR"),
];

/// Words written in lower case inside a name ("Fabrika za preradu voća i povrća").
const SMALL_WORDS: &[&str] = &["i", "u", "za", "na", "od", "sa", "iz", "do", "po", "o", "and", "of", "the", "de"];

fn is_vowel(c: char) -> bool {
    "aeiouAEIOUаеиоуАЕИОУ".contains(c)
}

/// Names typed in ALL CAPS or all lower case become proper case; names already in mixed case are kept as
/// typed (the user meant them). Keeps legal forms ("d.o.o.", "a.d."), short acronyms without vowels
/// ("PTT", "JKP") and lower-case joining words; capitalizes after a hyphen or apostrophe.
pub fn proper_case(s: &str) -> String {
    let s = collapse_spaces(s);
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    let has_upper = letters.iter().any(|c| c.is_uppercase());
    let has_lower = letters.iter().any(|c| c.is_lowercase());
    if letters.is_empty() || (has_upper && has_lower) {
        return s;
    }
    let words: Vec<&str> = s.split(' ').collect();
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let bare: String = w.chars().filter(|c| *c != '.').collect::<String>().to_lowercase();
            if i > 0 || words.len() == 1 {
                if let Some((_, canon)) = LEGAL_FORMS.iter().find(|(k, _)| *k == bare) {
                    // "AD" at the end of a name is the legal form; elsewhere it may be a word.
                    if i == last || w.contains('.') || bare == "doo" {
                        return canon.to_string();
                    }
                }
            }
            if i > 0 && SMALL_WORDS.contains(&bare.as_str()) {
                return w.to_lowercase();
            }
            let alpha: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
            if has_upper && (2..=4).contains(&alpha.len()) && !alpha.iter().any(|c| is_vowel(*c)) {
                return w.to_string();
            }
            capitalize_word(w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalize_word(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.extend(c.to_lowercase());
        }
        if c == '-' || c == '\'' || c == '(' || c == '"' {
            start = true;
        }
    }
    out
}

/// Serbian Cyrillic to Latin (Гајева латиница), keeping letter case: "Љубица" → "Ljubica", "ЏАКОВИЋ" → "DŽAKOVIĆ".
pub fn cyrillic_to_latin(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let lower: Option<&str> = match c.to_lowercase().next().unwrap_or(c) {
            'а' => Some("a"),
            'б' => Some("b"),
            'в' => Some("v"),
            'г' => Some("g"),
            'д' => Some("d"),
            'ђ' => Some("đ"),
            'е' => Some("e"),
            'ж' => Some("ž"),
            'з' => Some("z"),
            'и' => Some("i"),
            'ј' => Some("j"),
            'к' => Some("k"),
            'л' => Some("l"),
            'љ' => Some("lj"),
            'м' => Some("m"),
            'н' => Some("n"),
            'њ' => Some("nj"),
            'о' => Some("o"),
            'п' => Some("p"),
            'р' => Some("r"),
            'с' => Some("s"),
            'т' => Some("t"),
            'ћ' => Some("ć"),
            'у' => Some("u"),
            'ф' => Some("f"),
            'х' => Some("h"),
            'ц' => Some("c"),
            'ч' => Some("č"),
            'џ' => Some("dž"),
            'ш' => Some("š"),
            _ => None,
        };
        match lower {
            None => out.push(c),
            Some(l) if !c.is_uppercase() => out.push_str(l),
            Some(l) => {
                // A digraph is "Lj" at the start of a capitalized word, "LJ" inside an upper-case one.
                let next_upper = chars.get(i + 1).is_some_and(|n| n.is_uppercase());
                let prev_upper = i > 0 && chars[i - 1].is_uppercase();
                let mut it = l.chars();
                if let Some(first) = it.next() {
                    out.extend(first.to_uppercase());
                }
                for rest in it {
                    if next_upper || prev_upper {
                        out.extend(rest.to_uppercase());
                    } else {
                        out.push(rest);
                    }
                }
            }
        }
    }
    out
}

pub fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c))
}

/// A phone number in international form without spaces ("+381641234567"): "064/123-45-67",
/// "00381 64 1234567", "381641234567" and "+381 (0)64 123 4567" all give the same. `None` when it does
/// not look like a phone number (too few or too many digits, letters).
pub fn phone_international(s: &str, default_country: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(|c| !(c.is_ascii_digit() || " +()-/.".contains(c))) {
        return None;
    }
    let plus = t.starts_with('+');
    // "(0)" after a country code is a trunk prefix that must not be dialled internationally.
    let t = t.replace("(0)", "");
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let intl = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("{default_country}{rest}")
    } else if digits.starts_with(default_country) && digits.len() >= 10 {
        digits
    } else {
        format!("{default_country}{digits}")
    };
    if (8..=15).contains(&intl.len()) {
        Some(format!("+{intl}"))
    } else {
        None
    }
}

/// Dates as our users' spreadsheets hold them: ISO "2026-11-27", "27.11.2026." and "27.11.2026",
/// "7.3.26", "27/11/2026". Two-digit years are 2000–2069 or 1970–1999.
pub fn parse_date_any(s: &str) -> Option<NaiveDate> {
    let t = s.trim().trim_end_matches('.');
    if t.is_empty() {
        return None;
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    // ISO date-time from a spreadsheet cell ("2026-11-27T00:00:00" or "2026-11-27 00:00:00").
    if t.len() > 10 && t.is_char_boundary(10) && matches!(t.as_bytes()[10], b'T' | b' ') {
        if let Ok(d) = NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d") {
            return Some(d);
        }
    }
    let parts: Vec<&str> = t.split(['.', '/']).map(str::trim).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (d, m): (u32, u32) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
    let y: i32 = match parts[2].len() {
        4 => parts[2].parse().ok()?,
        2 => {
            let yy: i32 = parts[2].parse().ok()?;
            if yy < 70 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A decimal number typed the Serbian way ("1.234,56"), the English way ("1,234.56") or plainly
/// ("1234,5", "1234.5"), as text with a dot and no grouping ("1234.56"). `None` if it is not a number.
pub fn decimal_text(s: &str) -> Option<String> {
    let t: String = s.trim().chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\'').collect();
    let t = t.trim_end_matches(['€', '$']).trim_end_matches("RSD").trim_end_matches("din").trim_end_matches("EUR").to_string();
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, t.clone()),
    };
    if !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') || !body.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let last_dot = body.rfind('.');
    let last_comma = body.rfind(',');
    let decimal_sep = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        // One comma is a decimal comma (Serbian "1234,5"); several are English grouping ("1,234,567").
        (None, Some(_)) => (body.matches(',').count() == 1).then_some(','),
        // One dot is a decimal point; several are Serbian grouping ("1.234.567").
        (Some(_), None) => (body.matches('.').count() == 1).then_some('.'),
        (None, None) => None,
    };
    let mut out = String::new();
    for c in body.chars() {
        if Some(c) == decimal_sep {
            out.push('.');
        } else if c.is_ascii_digit() {
            out.push(c);
        }
    }
    if out.starts_with('.') {
        out.insert(0, '0');
    }
    Some(if neg { format!("-{out}") } else { out })
}

/// Serbian cities with their proper spelling, for names typed without diacritics or in another form.
const CITIES: &[(&str, &str)] = &[
    ("beograd", "Beograd"),
    ("belgrade", "Beograd"),
    ("bgd", "Beograd"),
    ("novi sad", "Novi Sad"),
    ("nis", "Niš"),
    ("kragujevac", "Kragujevac"),
    ("subotica", "Subotica"),
    ("zrenjanin", "Zrenjanin"),
    ("pancevo", "Pančevo"),
    ("cacak", "Čačak"),
    ("kraljevo", "Kraljevo"),
    ("novi pazar", "Novi Pazar"),
    ("smederevo", "Smederevo"),
    ("leskovac", "Leskovac"),
    ("valjevo", "Valjevo"),
    ("krusevac", "Kruševac"),
    ("vranje", "Vranje"),
    ("sabac", "Šabac"),
    ("uzice", "Užice"),
    ("sombor", "Sombor"),
    ("pozarevac", "Požarevac"),
    ("pirot", "Pirot"),
    ("zajecar", "Zaječar"),
    ("kikinda", "Kikinda"),
    ("sremska mitrovica", "Sremska Mitrovica"),
    ("jagodina", "Jagodina"),
    ("vrsac", "Vršac"),
    ("bor", "Bor"),
    ("loznica", "Loznica"),
    ("prokuplje", "Prokuplje"),
    ("cuprija", "Ćuprija"),
    ("paracin", "Paraćin"),
    ("indjija", "Inđija"),
    ("stara pazova", "Stara Pazova"),
    ("ruma", "Ruma"),
    ("backa palanka", "Bačka Palanka"),
    ("gornji milanovac", "Gornji Milanovac"),
    ("aleksinac", "Aleksinac"),
    ("arandjelovac", "Aranđelovac"),
    ("obrenovac", "Obrenovac"),
];

/// One spelling per city: "NIS", "nis" and "Ниш" all become "Niš"; unknown cities get proper case.
pub fn unify_city(s: &str) -> String {
    let key = search_key(s);
    match CITIES.iter().find(|(k, _)| *k == key) {
        Some((_, canon)) => canon.to_string(),
        None => proper_case(&cyrillic_to_latin(s)),
    }
}

/// Legal-form words removed from a company name before comparing: "Mlekara Šabac d.o.o." and
/// "MLEKARA SABAC DOO" have the same key.
const LEGAL_WORDS: &[&str] = &[
    "doo",
    "ad",
    "od",
    "kd",
    "pr",
    "dp",
    "szr",
    "str",
    "drustvo",
    "sa",
    "ogranicenom",
    "odgovornoscu",
    "akcionarsko",
    "ltd",
    "llc",
    "gmbh",
    "inc",
];

/// The key two company names are compared by: folded like search keys (case, diacritics, Cyrillic),
/// punctuation dropped, legal forms removed. "d.o.o." written with spaces ("d. o. o.") is caught too.
pub fn company_key(name: &str) -> String {
    let folded = search_key(name);
    let cleaned: String = folded
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c
            } else if c == '.' {
                '.'
            } else {
                ' '
            }
        })
        .collect();
    // "d.o.o." → "doo"; "d. o. o." gives single letters, merged below.
    let words: Vec<String> = cleaned.split_whitespace().map(|w| w.replace('.', "")).filter(|w| !w.is_empty()).collect();
    // Single letters that spelled a legal form with spaces ("d o o") are merged first.
    let mut merged: Vec<String> = Vec::new();
    let mut letters = String::new();
    for w in &words {
        if w.len() == 1 && w.chars().all(|c| c.is_alphabetic()) {
            letters.push_str(w);
            continue;
        }
        if !letters.is_empty() {
            merged.push(std::mem::take(&mut letters));
        }
        merged.push(w.to_string());
    }
    if !letters.is_empty() {
        merged.push(letters);
    }
    let kept: Vec<&str> = merged.iter().map(String::as_str).filter(|w| !LEGAL_WORDS.contains(w)).collect();
    if kept.is_empty() {
        merged.join(" ")
    } else {
        kept.join(" ")
    }
}

/// How alike two keys are, 0–100 (Jaro-Winkler, which forgives typos and favours a common start).
pub fn similarity(a: &str, b: &str) -> u8 {
    if a == b {
        return 100;
    }
    (jaro_winkler(a, b) * 100.0).round() as u8
}

fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && a[i] == b[j] {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let (mut k, mut transpositions) = (0usize, 0usize);
    for i in 0..a.len() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if a[i] != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b.iter()).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces() {
        assert_eq!(collapse_spaces("  Ana \t  Marić\u{a0} "), "Ana Marić");
    }

    #[test]
    fn proper_case_follows_serbian_rules() {
        assert_eq!(proper_case("MLEKARA ŠABAC DOO"), "Mlekara Šabac d.o.o.");
        assert_eq!(proper_case("nis a.d."), "Nis a.d.");
        assert_eq!(proper_case("JKP VODOVOD I KANALIZACIJA"), "JKP Vodovod i Kanalizacija");
        assert_eq!(proper_case("PTT SRBIJA"), "PTT Srbija");
        assert_eq!(proper_case("ljubica petrović-njegoš"), "Ljubica Petrović-Njegoš");
        assert_eq!(proper_case("ĐORĐE"), "Đorđe");
        assert_eq!(proper_case("DŽEJLA"), "Džejla");
        // Mixed case is what the user meant.
        assert_eq!(proper_case("iPhone Servis McDonald"), "iPhone Servis McDonald");
        assert_eq!(proper_case("Delta Holding"), "Delta Holding");
        assert_eq!(proper_case("123"), "123");
    }

    #[test]
    fn cyrillic() {
        assert_eq!(cyrillic_to_latin("Љубица Ђорђевић"), "Ljubica Đorđević");
        assert_eq!(cyrillic_to_latin("ЏАКОВИЋ"), "DŽAKOVIĆ");
        assert_eq!(cyrillic_to_latin("Њујорк"), "Njujork");
        assert_eq!(cyrillic_to_latin("Beograd"), "Beograd");
        assert!(has_cyrillic("Ниш"));
        assert!(!has_cyrillic("Niš"));
    }

    #[test]
    fn phones() {
        let p = |s| phone_international(s, "381");
        assert_eq!(p("064/123-45-67").as_deref(), Some("+381641234567"));
        assert_eq!(p("00381 64 1234567").as_deref(), Some("+381641234567"));
        assert_eq!(p("381641234567").as_deref(), Some("+381641234567"));
        assert_eq!(p("+381 (0)64 123 4567").as_deref(), Some("+381641234567"));
        assert_eq!(p("011 3222 333").as_deref(), Some("+381113222333"));
        assert_eq!(p("+49 30 1234567").as_deref(), Some("+49301234567"));
        assert_eq!(p("12"), None);
        assert_eq!(p("call me"), None);
    }

    #[test]
    fn dates() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(parse_date_any("2026-11-27"), d(2026, 11, 27));
        assert_eq!(parse_date_any("27.11.2026."), d(2026, 11, 27));
        assert_eq!(parse_date_any("7.3.26"), d(2026, 3, 7));
        assert_eq!(parse_date_any("7.3.98"), d(1998, 3, 7));
        assert_eq!(parse_date_any("27/11/2026"), d(2026, 11, 27));
        assert_eq!(parse_date_any("2026-11-27T00:00:00"), d(2026, 11, 27));
        assert_eq!(parse_date_any("31.2.2026"), None);
        assert_eq!(parse_date_any("sutra"), None);
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal_text("1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(decimal_text("1,234.56").as_deref(), Some("1234.56"));
        assert_eq!(decimal_text("1234,5").as_deref(), Some("1234.5"));
        assert_eq!(decimal_text("1.234.567").as_deref(), Some("1234567"));
        assert_eq!(decimal_text("-12,50 €").as_deref(), Some("-12.50"));
        assert_eq!(decimal_text("1 500 000 RSD").as_deref(), Some("1500000"));
        assert_eq!(decimal_text("abc"), None);
    }

    #[test]
    fn cities() {
        assert_eq!(unify_city("NIS"), "Niš");
        assert_eq!(unify_city("Ниш"), "Niš");
        assert_eq!(unify_city("belgrade"), "Beograd");
        assert_eq!(unify_city("SREMSKA MITROVICA"), "Sremska Mitrovica");
        assert_eq!(unify_city("VELIKO GRADIŠTE"), "Veliko Gradište");
    }

    #[test]
    fn company_keys_ignore_legal_form_case_and_diacritics() {
        assert_eq!(company_key("Mlekara Šabac d.o.o."), "mlekara sabac");
        assert_eq!(company_key("MLEKARA SABAC DOO"), "mlekara sabac");
        assert_eq!(company_key("Mlekara Šabac d. o. o."), "mlekara sabac");
        assert_eq!(company_key("Млекара Шабац д.о.о."), "mlekara sabac");
        assert_eq!(company_key("Delta a.d. Beograd"), "delta beograd");
        assert_eq!(company_key("D.O.O."), "doo");
    }

    #[test]
    fn similarity_forgives_typos() {
        assert_eq!(similarity("mlekara sabac", "mlekara sabac"), 100);
        assert!(similarity("mlekara sabac", "mlekra sabac") >= 90);
        assert!(similarity("delta holding", "delta hoding") >= 90);
        assert!(similarity("mlekara sabac", "pekara nis") < 80);
    }
}
