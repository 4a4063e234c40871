//! Duplicates in daily work: the sets of records that share a key (found by a scan), and merging them
//! into one surviving record with the field values the user picks.

use serde::{Deserialize, Serialize};

/// A record that looks like the one being saved, for the "possible duplicate" warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateHint {
    pub id: i64,
    pub label: String,
    /// How it matched: "email", "pib", "mb", "phone" or "name".
    pub matched_by: String,
}

/// Records sharing one key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateSet {
    pub key: String,
    pub records: Vec<DuplicateMember>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateMember {
    pub id: i64,
    pub label: String,
    pub detail: String,
    pub owner_name: String,
}

/// The scan: which key, and the sets found (a page of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateScan {
    pub entity: String,
    pub key: String,
    pub keys: Vec<String>,
    pub sets: Vec<DuplicateSet>,
    /// The key to continue after (keyset paging), when there are more sets.
    pub next: Option<String>,
    /// The rules in force; administrators change them.
    pub rules: DuplicateRules,
    pub can_edit_rules: bool,
}

/// One record on the merge page: its values by field and how many records hang on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub id: i64,
    pub label: String,
    pub version: i64,
    pub values: Vec<(String, Option<String>)>,
    pub related: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergeView {
    pub entity: String,
    pub fields: Vec<String>,
    pub records: Vec<MergeRecord>,
}

/// What the user chose: the surviving record, the versions they saw, and per field the record whose
/// value the survivor keeps ("field:id").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MergeInput {
    pub entity: String,
    pub survivor: i64,
    pub ids: Vec<i64>,
    pub versions: Vec<i64>,
    pub choices: Vec<String>,
}

/// The value a merged field takes: the chosen record's, or else the survivor's, or else the first
/// non-empty one among the others (nothing typed into any of them is lost by default).
pub fn merged_value(chosen: Option<Option<&str>>, survivor: Option<&str>, others: &[Option<&str>]) -> Option<String> {
    let nonempty = |v: Option<&str>| v.filter(|s| !s.trim().is_empty()).map(str::to_string);
    match chosen {
        Some(v) => nonempty(v),
        None => nonempty(survivor).or_else(|| others.iter().find_map(|v| nonempty(*v))),
    }
}

/// One duplicate rule: a key of an entity that finds duplicates; names exact or from a similarity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateRule {
    pub id: i64,
    pub entity: String,
    pub field: String,
    pub fuzzy: bool,
    pub threshold: u8,
    pub active: bool,
}

/// The rules of both entities, as the import, the forms and the scan apply them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DuplicateRules {
    pub rules: Vec<DuplicateRule>,
}

impl DuplicateRules {
    fn find(&self, entity: &str, field: &str) -> Option<&DuplicateRule> {
        self.rules.iter().find(|r| r.entity == entity && r.field == field)
    }

    /// Does this key find duplicates? (A key without a rule does.)
    pub fn active(&self, entity: &str, field: &str) -> bool {
        self.find(entity, field).is_none_or(|r| r.active)
    }

    /// From which similarity (0–100) two names are the same: 100 when names must match exactly.
    pub fn name_threshold(&self, entity: &str) -> u8 {
        match self.find(entity, "name") {
            Some(r) if r.fuzzy => r.threshold.clamp(70, 100),
            _ => 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_values() {
        assert_eq!(merged_value(None, Some("a"), &[Some("b")]).as_deref(), Some("a"));
        assert_eq!(merged_value(None, None, &[None, Some("b")]).as_deref(), Some("b"));
        assert_eq!(merged_value(None, Some(" "), &[Some("b")]).as_deref(), Some("b"));
        assert_eq!(merged_value(Some(Some("c")), Some("a"), &[Some("b")]).as_deref(), Some("c"));
        // Choosing an empty value empties the field.
        assert_eq!(merged_value(Some(None), Some("a"), &[]), None);
    }

    #[test]
    fn rules() {
        let rule = |field: &str, fuzzy, threshold, active| DuplicateRule {
            id: 0,
            entity: "account".into(),
            field: field.into(),
            fuzzy,
            threshold,
            active,
        };
        let r = DuplicateRules { rules: vec![rule("email", false, 100, false), rule("name", true, 85, true)] };
        assert!(!r.active("account", "email"));
        assert!(r.active("account", "pib"));
        assert_eq!(r.name_threshold("account"), 85);
        assert_eq!(r.name_threshold("contact"), 100);
        let r = DuplicateRules { rules: vec![rule("name", false, 85, true)] };
        assert_eq!(r.name_threshold("account"), 100);
    }
}
