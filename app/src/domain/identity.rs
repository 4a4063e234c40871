//! When two records are certainly different, and when two company names are the same: the rules every
//! matcher applies (import, the duplicate scan, the warning on save, merge).
//!
//! - Identifiers decide against a match: two valid, different PIBs, MBs or company e-mail domains (for
//!   people: e-mail addresses) are two records, whatever their names say.
//! - A number in a company's name is part of it: "Građevinar 4" is not "Građevinar".
//! - Legal form, case, diacritics (also "dj" for "đ" and a dropped "đ") and script are not.

use crate::domain::normalize::similarity;

/// The identifiers of one record (or of a group of rows that are one record). `None` = not known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub pib: Option<String>,
    pub mb: Option<String>,
    /// A company's e-mail domain, unless it is a public mail service.
    pub domain: Option<String>,
    /// A person's e-mail address.
    pub email: Option<String>,
}

impl Identity {
    /// A company's identifiers from its (already checked) PIB, MB and e-mail.
    pub fn company(pib: Option<&str>, mb: Option<&str>, email: Option<&str>) -> Identity {
        Identity { pib: clean(pib), mb: clean(mb), domain: email.and_then(company_domain), email: None }
    }

    /// A person's identifier: the e-mail address.
    pub fn person(email: Option<&str>) -> Identity {
        Identity { email: clean(email).map(|e| e.to_lowercase()), ..Default::default() }
    }

    /// Do the two say they are different records? Only identifiers both know are compared.
    pub fn conflicts(&self, other: &Identity) -> bool {
        let differ = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
        differ(&self.pib, &other.pib)
            || differ(&self.mb, &other.mb)
            || differ(&self.domain, &other.domain)
            || differ(&self.email, &other.email)
    }

    /// Takes in what `other` knows and `self` does not (a group of rows learns from each member).
    pub fn absorb(&mut self, other: &Identity) {
        for (mine, theirs) in
            [(&mut self.pib, &other.pib), (&mut self.mb, &other.mb), (&mut self.domain, &other.domain), (&mut self.email, &other.email)]
        {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
    }

    /// Which identifier tells them apart ("pib", "mb", "email"), for the message that says why.
    pub fn differing(&self, other: &Identity) -> Option<&'static str> {
        let differ = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
        if differ(&self.pib, &other.pib) {
            Some("pib")
        } else if differ(&self.mb, &other.mb) {
            Some("mb")
        } else if differ(&self.domain, &other.domain) || differ(&self.email, &other.email) {
            Some("email")
        } else {
            None
        }
    }
}

fn clean(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Public mail services: an address there says nothing about which company it belongs to.
const PUBLIC_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "ymail.com",
    "hotmail.com",
    "hotmail.rs",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "proton.me",
    "protonmail.com",
    "yandex.com",
    "mail.ru",
    // Serbian providers whose addresses people and small firms share.
    "eunet.rs",
    "sbb.rs",
    "open.telekom.rs",
    "mts.rs",
    "ptt.rs",
    "beotel.net",
    "beotel.rs",
    "verat.net",
    "neobee.net",
    "yubc.net",
    "orion.rs",
    "medianis.net",
    "nadlanu.com",
];

/// The domain of a company's e-mail address, unless it is a public mail service.
pub fn company_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let domain = domain.trim_end_matches('.').to_lowercase();
    if domain.is_empty() || PUBLIC_MAIL.contains(&domain.as_str()) {
        return None;
    }
    Some(domain)
}

/// A company key (see [`company_key`]) with "dj" read as "d", so that "Građevinar", "Gradjevinar" and
/// "Gradevinar" (the "đ" dropped, as keyboards without it write it) compare equal.
fn folded(key: &str) -> String {
    key.replace("dj", "d")
}

/// The numbers in a name, in order ("beton 2000 sabac 2" → ["2000", "2"]).
pub fn numbers(key: &str) -> Vec<&str> {
    key.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).collect()
}

/// Are two company keys the same name (only case, diacritics, script and legal form apart)?
pub fn same_name(a: &str, b: &str) -> bool {
    !a.is_empty() && folded(a) == folded(b)
}

/// How alike two company keys are (0–100), or `None` when their numbers differ: "Građevinar 4" and
/// "Građevinar" are two companies however alike the rest.
pub fn name_similarity(a: &str, b: &str) -> Option<u8> {
    if numbers(a) != numbers(b) {
        return None;
    }
    let (fa, fb) = (folded(a), folded(b));
    Some(if fa == fb { 100 } else { similarity(&fa, &fb) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::normalize::company_key;

    #[test]
    fn different_identifiers_are_different_companies() {
        let a = Identity::company(Some("807083062"), None, Some("office@gradjevinar.rs"));
        let b = Identity::company(Some("352235747"), None, None);
        assert!(a.conflicts(&b));
        assert_eq!(a.differing(&b), Some("pib"));
        // Only what both know is compared.
        let c = Identity::company(None, Some("12345678"), Some("prodaja@gradjevinar.rs"));
        assert!(!a.conflicts(&c));
        let mut group = a.clone();
        group.absorb(&c);
        assert_eq!(group.mb.as_deref(), Some("12345678"));
        // A group that knows an MB now conflicts with another MB.
        assert!(group.conflicts(&Identity::company(None, Some("87654321"), None)));
        // Company domains differ; public mail services say nothing.
        assert!(a.conflicts(&Identity::company(None, None, Some("info@kolubara.rs"))));
        assert!(!Identity::company(None, None, Some("a@gmail.com")).conflicts(&Identity::company(None, None, Some("b@yahoo.com"))));
        assert!(Identity::person(Some("Ana@X.rs")).conflicts(&Identity::person(Some("ana@y.rs"))));
        assert!(!Identity::person(Some("Ana@X.rs")).conflicts(&Identity::person(Some("ana@x.rs"))));
    }

    #[test]
    fn numbers_in_names_matter_and_spelling_does_not() {
        let key = company_key;
        assert_eq!(name_similarity(&key("Gradjevinar a.d."), &key("Građevinar 4 d.o.o.")), None);
        assert_eq!(name_similarity(&key("Kolubara Plast d.o.o."), &key("Kolubara Plast 4 a.d.")), None);
        assert!(same_name(&key("Građevinar d.o.o."), &key("GRADEVINAR DOO")));
        assert!(same_name(&key("Građevinar d.o.o."), &key("Gradjevinar a.d.")));
        assert!(same_name(&key("Грађевинар д.о.о."), &key("Gradjevinar")));
        assert!(same_name(&key("Građevinar 4"), &key("GRAĐEVINAR 4 DOO")));
        assert!(!same_name(&key("Građevinar 4"), &key("Građevinar 44")));
        assert_eq!(name_similarity(&key("Beton 2000"), &key("Beton 2000 d.o.o.")), Some(100));
        assert!(name_similarity(&key("Mlekara Šabac"), &key("Mlekra Sabac")).is_some_and(|s| (90..100).contains(&s)));
        assert_eq!(numbers("beton 2000 sabac 2"), ["2000", "2"]);
    }
}
