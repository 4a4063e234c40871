//! How advanced find's results and operators read: a result cell as the page and the export show it
//! (choices by their label, amounts as money, dates by the language's convention), and each operator's
//! words.

use super::labels::{
    activity_label, activity_status_label, buying_label, forecast_category_label, kind_label, lead_status_label, rating_label, rel_label,
};
use super::{format_date, format_local, format_money, Lang, M};
use crate::domain::find::fields::{ChoiceSource, Field, FieldType};
use crate::domain::find::Op;
use crate::domain::reports::ForecastCategory;
use crate::domain::{ActivityKind, ActivityStatus, BuyingRole, LeadRating, LeadStatus, Lookups, RelationshipType, StageKind};

/// A result cell (`raw` as `services::find` returns it) as text for `lang`.
pub fn cell_text(lang: Lang, f: &Field, raw: &str, lk: &Lookups) -> String {
    let code = |m: Option<M>| m.map(|m| lang.t(m).to_string()).unwrap_or_else(|| raw.to_string());
    match f.ty {
        FieldType::Date => format_date(lang, raw),
        // Moments arrive as local "YYYY-MM-DDTHH:MM".
        FieldType::Stamp => format_local(lang, raw),
        FieldType::Money => match raw.split_once(' ') {
            Some((minor, cur)) => minor.parse::<i64>().map(|m| format_money(lang, m, cur)).unwrap_or_else(|_| raw.to_string()),
            None => raw.to_string(),
        },
        FieldType::Bool => lang.t(if raw == "1" { M::Yes } else { M::No }).to_string(),
        FieldType::Choice(src) => match src {
            ChoiceSource::RelationshipType => {
                raw.split(',').filter_map(RelationshipType::parse).map(|r| lang.t(rel_label(r))).collect::<Vec<_>>().join(", ")
            }
            ChoiceSource::BuyingRole => code(BuyingRole::parse(raw).map(buying_label)),
            ChoiceSource::LeadStatus => code(LeadStatus::parse(raw).map(lead_status_label)),
            ChoiceSource::LeadRating => code(LeadRating::parse(raw).map(rating_label)),
            ChoiceSource::ActivityKind => code(ActivityKind::parse(raw).map(activity_label)),
            ChoiceSource::ActivityStatus => code(ActivityStatus::parse(raw).map(activity_status_label)),
            ChoiceSource::StageKind => code(StageKind::parse(raw).map(kind_label)),
            ChoiceSource::ForecastCategory => code(ForecastCategory::parse(raw).map(forecast_category_label)),
            ChoiceSource::Stage => lk.stages.iter().find(|s| s.id.to_string() == raw).map(|s| s.name.clone()).unwrap_or_default(),
            ChoiceSource::LeadSource => {
                lk.picklists.sources.iter().find(|p| p.id.to_string() == raw).map(|p| p.label(lang).to_string()).unwrap_or_default()
            }
            ChoiceSource::LossReason => {
                lk.picklists.loss_reasons.iter().find(|p| p.id.to_string() == raw).map(|p| p.label(lang).to_string()).unwrap_or_default()
            }
            ChoiceSource::Category | ChoiceSource::Currency | ChoiceSource::Region => raw.to_string(),
        },
        FieldType::Text | FieldType::Name | FieldType::Number | FieldType::User | FieldType::Team => raw.to_string(),
    }
}

/// The choices a choice field offers: (value, label).
pub fn choice_options(lang: Lang, src: ChoiceSource, lk: &Lookups) -> Vec<(String, String)> {
    fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> String) -> Vec<(String, String)> {
        all.iter().map(|v| (code(*v).to_string(), label(*v))).collect()
    }
    match src {
        ChoiceSource::Category => codes(crate::domain::Category::ALL, |c| c.code(), |c| c.code().to_string()),
        ChoiceSource::RelationshipType => codes(RelationshipType::ALL, |c| c.code(), |c| lang.t(rel_label(c)).to_string()),
        ChoiceSource::BuyingRole => codes(BuyingRole::ALL, |c| c.code(), |c| lang.t(buying_label(c)).to_string()),
        ChoiceSource::LeadStatus => codes(LeadStatus::ALL, |c| c.code(), |c| lang.t(lead_status_label(c)).to_string()),
        ChoiceSource::LeadRating => codes(LeadRating::ALL, |c| c.code(), |c| lang.t(rating_label(c)).to_string()),
        ChoiceSource::ActivityKind => codes(ActivityKind::ALL, |c| c.code(), |c| lang.t(activity_label(c)).to_string()),
        ChoiceSource::ActivityStatus => codes(ActivityStatus::ALL, |c| c.code(), |c| lang.t(activity_status_label(c)).to_string()),
        ChoiceSource::StageKind => codes(StageKind::ALL, |c| c.code(), |c| lang.t(kind_label(c)).to_string()),
        ChoiceSource::ForecastCategory => codes(&ForecastCategory::ALL, |c| c.code(), |c| lang.t(forecast_category_label(c)).to_string()),
        ChoiceSource::Currency => vec![("RSD".into(), "RSD".into()), ("EUR".into(), "EUR".into())],
        ChoiceSource::Region => lk.regions.iter().map(|r| (r.clone(), r.clone())).collect(),
        ChoiceSource::Stage => lk.stages.iter().map(|s| (s.id.to_string(), s.name.clone())).collect(),
        ChoiceSource::LeadSource => lk.picklists.sources.iter().map(|p| (p.id.to_string(), p.label(lang).to_string())).collect(),
        ChoiceSource::LossReason => lk.picklists.loss_reasons.iter().map(|p| (p.id.to_string(), p.label(lang).to_string())).collect(),
    }
}

/// An operator's words, for `ty` (dates read "on or after" where numbers read "at least").
pub fn op_label(op: Op, ty: FieldType) -> M {
    let date = matches!(ty, FieldType::Date | FieldType::Stamp);
    match op {
        Op::Eq if date => M::FindOpOn,
        Op::Eq => M::FindOpEq,
        Op::Ne => M::FindOpNe,
        Op::OneOf => M::FindOpOneOf,
        Op::NotOneOf => M::FindOpNotOneOf,
        Op::Contains => M::FindOpContains,
        Op::NotContains => M::FindOpNotContains,
        Op::StartsWith => M::FindOpStartsWith,
        Op::Empty => M::FindOpEmpty,
        Op::NotEmpty => M::FindOpNotEmpty,
        Op::AtLeast if date => M::FindOpOnOrAfter,
        Op::AtLeast => M::FindOpAtLeast,
        Op::AtMost if date => M::FindOpOnOrBefore,
        Op::AtMost => M::FindOpAtMost,
        Op::Between => M::FindOpBetween,
        Op::LastDays => M::FindOpLastDays,
        Op::NextDays => M::FindOpNextDays,
        Op::OlderThanDays => M::FindOpOlderThanDays,
        Op::ThisMonth => M::FindOpThisMonth,
        Op::ThisQuarter => M::FindOpThisQuarter,
        Op::ThisYear => M::FindOpThisYear,
        Op::LastMonth => M::FindOpLastMonth,
        Op::LastQuarter => M::FindOpLastQuarter,
        Op::LastYear => M::FindOpLastYear,
        Op::IsTrue => M::Yes,
        Op::IsFalse => M::No,
    }
}
