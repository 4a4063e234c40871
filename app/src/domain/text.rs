//! Text keys for search and sorting: case-insensitive and blind to Serbian diacritics, so "Đorđević",
//! "djordjevic" and "DJORDJEVIĆ" find each other. Cyrillic is transliterated to Latin first.

/// Folds text into its search key: lowercase Latin without diacritics, single spaces.
pub fn search_key(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for ch in input.chars() {
        let lower: String = ch.to_lowercase().collect();
        for c in lower.chars() {
            let mapped: &str = match c {
                'č' | 'ć' => "c",
                'š' => "s",
                'ž' => "z",
                'đ' => "dj",
                'á' | 'à' | 'ä' | 'â' => "a",
                'é' | 'è' | 'ë' | 'ê' => "e",
                'í' | 'ï' => "i",
                'ó' | 'ö' | 'ô' => "o",
                'ú' | 'ü' => "u",
                // Serbian Cyrillic
                'а' => "a",
                'б' => "b",
                'в' => "v",
                'г' => "g",
                'д' => "d",
                'ђ' => "dj",
                'е' => "e",
                'ж' => "z",
                'з' => "z",
                'и' => "i",
                'ј' => "j",
                'к' => "k",
                'л' => "l",
                'љ' => "lj",
                'м' => "m",
                'н' => "n",
                'њ' => "nj",
                'о' => "o",
                'п' => "p",
                'р' => "r",
                'с' => "s",
                'т' => "t",
                'ћ' => "c",
                'у' => "u",
                'ф' => "f",
                'х' => "h",
                'ц' => "c",
                'ч' => "c",
                'џ' => "dz",
                'ш' => "s",
                c if c.is_whitespace() => " ",
                _ => {
                    out.push(c);
                    last_space = false;
                    continue;
                }
            };
            if mapped == " " {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            } else {
                out.push_str(mapped);
                last_space = false;
            }
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The text a record is found by (its `search_text` column): the given parts folded like
/// [`search_key`] and joined by spaces, empty parts left out. Indexed by FTS5 trigrams on SQLite and
/// pg_trgm on Postgres, so any substring of a name, e-mail, phone or id finds the record.
pub fn search_text(parts: &[Option<&str>]) -> String {
    let joined: Vec<&str> = parts.iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    search_key(&joined.join(" "))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes `s` for a URL's query string (everything but RFC 3986's unreserved characters).
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_serbian_diacritics() {
        assert_eq!(search_key("Đorđević  ČAČAK"), "djordjevic cacak");
        assert_eq!(search_key("djordjevic cacak"), "djordjevic cacak");
        assert_eq!(search_key(" Šabac  Žitište "), "sabac zitiste");
        assert_eq!(search_key("Ђорђевић"), "djordjevic");
    }

    #[test]
    fn search_text_joins_folded_parts() {
        assert_eq!(search_text(&[Some("Đorđe Ilić"), None, Some(" djordje@firma.rs "), Some("")]), "djordje ilic djordje@firma.rs");
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
