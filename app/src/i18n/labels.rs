//! Words for values: the label of every enum, code and error the product shows, in the user's
//! language. Pages, exports and the server all take their words from here, so a value reads the same
//! on screen, in a spreadsheet and in a log.

use crate::domain::reports::Period;
use crate::domain::{ActivityKind, PicklistValue};
use crate::error::{AppError, Problem};
use crate::i18n::{Lang, M};

/// The label of a form field, for naming it in an error.
pub fn field_label(field: &str) -> M {
    match field {
        "name" => M::Name,
        "email" => M::Email,
        "password" => M::Password,
        "first_name" => M::FirstName,
        "last_name" => M::LastName,
        "role" => M::Role,
        "team_id" | "team" => M::Team,
        "owner_id" => M::Owner,
        "types" => M::RelationshipTypes,
        "category" => M::Category,
        "industry" => M::Industry,
        "region" => M::Region,
        "city" => M::City,
        "address" => M::Address,
        "phone" => M::Phone,
        "mobile" => M::Mobile,
        "website" => M::Website,
        "pib" => M::Pib,
        "mb" => M::Mb,
        "notes" => M::Notes,
        "account_id" => M::Account,
        "contact_id" => M::PrimaryContact,
        "job_title" => M::JobTitle,
        "buying_role" => M::BuyingRole,
        "stage_id" => M::Stage,
        "probability" => M::Probability,
        "amount" => M::Amount,
        "currency" => M::Currency,
        "close_date" => M::CloseDate,
        "forecast_category" => M::ForecastCategory,
        "metric_id" => M::Metric,
        "assignee" => M::GoalFor,
        "period" => M::PeriodLabel,
        "period_start" => M::PeriodAnyDay,
        "target_kind" => M::TargetKind,
        "target" => M::Target,
        "measure" => M::Measure,
        "activity_kind" => M::ActivityKindOptional,
        "source" => M::Source,
        "description" => M::Description,
        "kind" => M::Kind,
        "active" => M::Active,
        "company" => M::Company,
        "title" => M::JobTitle,
        "source_id" => M::Source,
        "rating" => M::Rating,
        "status" => M::Status,
        "estimated" => M::EstimatedValue,
        "reason_id" => M::Reason,
        "note" => M::Note,
        "subject" => M::Subject,
        "starts_at" => M::StartsAt,
        "ends_at" => M::EndsAt,
        "priority" => M::Priority,
        "direction" => M::Direction,
        "outcome" => M::Outcome,
        "location" => M::Location,
        "regarding_id" | "regarding" => M::Regarding,
        "attendee_contacts" => M::AttendeeContacts,
        "attendee_users" => M::AttendeeUsers,
        "follow_kind" => M::FollowUpKind,
        "follow_subject" => M::FollowUpSubject,
        "follow_starts_at" => M::FollowUpWhen,
        "body" => M::TlNote,
        "label_en" => M::LabelEn,
        "label_sr" => M::LabelSr,
        "stale_days" => M::StaleDaysSetting,
        "opportunity_id" => M::Opportunities,
        "file" => M::File,
        "email_to" => M::Email,
        "email_subject" => M::QcEmailSubject,
        "email_body" => M::QcEmailBody,
        "due" => M::QcDue,
        "signature" => M::AccSignature,
        "code" => M::Code,
        "family" => M::Family,
        "unit" => M::Unit,
        "list_price" => M::ListPrice,
        "unit_cost" => M::UnitCost,
        "valid_from" => M::ValidFrom,
        "valid_to" => M::ValidTo,
        "price" => M::Price,
        "product_id" => M::Product,
        "quantity" => M::Quantity,
        "min_quantity" => M::MinQuantity,
        "unit_price" => M::UnitPrice,
        "discount" | "percent" => M::DiscountPercent,
        "discount_amount" => M::DiscountAmountPerUnit,
        "won_by_id" => M::WonBy,
        "competitor_id" => M::Competitor,
        "competitor_product_id" => M::CompetitorProduct,
        "customer_id" => M::Customer,
        "observed_on" => M::ObservedOn,
        "rebate" => M::RebatePercent,
        "payment_terms" => M::PaymentTerms,
        "quality" => M::Quality,
        "service" => M::Service,
        "why_liked" => M::WhyLiked,
        "share" => M::SharePercent,
        "as_of" => M::AsOf,
        "threat" => M::Threat,
        "strengths" => M::Strengths,
        "weaknesses" => M::Weaknesses,
        "regions" => M::ActiveRegions,
        "potential" | "potential_currency" => M::EstimatedPotential,
        "counters" => M::CounteredBy,
        "opportunity" => M::KindOpportunity,
        "owner" => M::Owner,
        "account" => M::Account,
        "full_name" => M::FullName,
        "save_as" => M::MappingName,
        "current_password" => M::CurrentPassword,
        "new_password" => M::NewPassword,
        "otp" => M::TwoFactorCode,
        "proof" => M::CodeOrPassword,
        "roles" => M::TwoFactorRequiredFor,
        "undo" | "start" | "mapping" | "decision" | "import" => M::ImportNoun,
        "threshold" => M::Threshold,
        "member_kind" => M::MlMemberKind,
        "list_type" => M::MlListType,
        "purpose" => M::MlPurpose,
        "cost" => M::MlCost,
        "query" => M::MlQuery,
        "refs" => M::MlRefs,
        "list_id" => M::MarketingList,
        "locked" => M::MlLocked,
        "member_added" => M::MlMemberAdded,
        "member_removed" => M::MlMemberRemoved,
        "do_not_email" => M::MlDoNotEmail,
        "do_not_call" => M::MlDoNotCall,
        "do_not_mail" => M::MlDoNotMail,
        "inactive" => M::MlInactive,
        _ => M::Field,
    }
}

/// What is wrong, in words (without the field name).
pub fn problem_text(lang: Lang, p: &Problem) -> String {
    let f = crate::i18n::format_int;
    match p {
        Problem::Required => lang.t(M::PRequired).into(),
        Problem::TooLong(n) => format!("{} {}", lang.t(M::PTooLong), f(lang, *n)),
        Problem::InvalidEmail => lang.t(M::PInvalidEmail).into(),
        Problem::InvalidPhone => lang.t(M::PInvalidPhone).into(),
        Problem::InvalidUrl => lang.t(M::PInvalidUrl).into(),
        Problem::InvalidDate => lang.t(M::PInvalidDate).into(),
        Problem::InvalidNumber => lang.t(M::PInvalidNumber).into(),
        Problem::InvalidPib => lang.t(M::PInvalidPib).into(),
        Problem::InvalidMb => lang.t(M::PInvalidMb).into(),
        Problem::InvalidChoice => lang.t(M::PInvalidChoice).into(),
        Problem::OutOfRange(a, b) => format!("{} {} {} {}", lang.t(M::POutOfRange), f(lang, *a), lang.t(M::And), f(lang, *b)),
        Problem::AlreadyExists => lang.t(M::PAlreadyExists).into(),
        Problem::PasswordTooShort(n) => format!("{} {}", lang.t(M::PPasswordTooShort), n),
        Problem::CommonPassword => lang.t(M::PCommonPassword).into(),
        Problem::SameAsBefore => lang.t(M::PSameAsBefore).into(),
        Problem::Incorrect => lang.t(M::PIncorrect).into(),
        Problem::RateLimited(n) => format!("{} {}. {}", lang.t(M::PRateLimited), f(lang, *n), lang.t(M::TryLater)),
        Problem::Busy => lang.t(M::PBusy).into(),
        Problem::WrongCredentials => lang.t(M::PWrongCredentials).into(),
        Problem::TooManyAttempts(m) => format!("{} {}", lang.t(M::PTooManyAttempts), m),
        Problem::SecondFactorNeeded => lang.t(M::PSecondFactorNeeded).into(),
        Problem::Mismatch(None) => lang.t(M::PMismatch).into(),
        Problem::Mismatch(Some(left)) => format!("{}; {} {left}", lang.t(M::PMismatch), lang.t(M::AttemptsLeft)),
        Problem::CodeUsed => lang.t(M::PCodeUsed).into(),
        Problem::ChallengeExpired => lang.t(M::PChallengeExpired).into(),
        Problem::RequiredForRole => lang.t(M::PRequiredForRole).into(),
        Problem::InUse(n) => format!("{} {}", lang.t(M::PInUse), f(lang, *n)),
        Problem::DifferentCompanies => lang.t(M::PDifferentCompanies).into(),
        Problem::CannotChangeSelf => lang.t(M::PCannotChangeSelf).into(),
        Problem::FileTooLarge(mb) => format!("{} {} MB", lang.t(M::PFileTooLarge), mb),
        Problem::FileTypeNotAllowed => lang.t(M::PFileTypeNotAllowed).into(),
        Problem::UnpacksTooLarge(mb) => format!("{} {} MB", lang.t(M::PUnpacksTooLarge), f(lang, *mb)),
        Problem::TooManyColumns(n) => format!("{} {}", lang.t(M::PTooManyColumns), f(lang, *n)),
        Problem::SendFailed => lang.t(M::PSendFailed).into(),
        Problem::NotConfigured => lang.t(M::SmtpMissing).into(),
        Problem::UseClose => lang.t(M::PUseClose).into(),
        Problem::Closed => lang.t(M::PClosed).into(),
        Problem::InFuture => lang.t(M::PInFuture).into(),
        Problem::NotWithReason => lang.t(M::PNotWithReason).into(),
        Problem::FixedByLines => lang.t(M::PFixedByLines).into(),
        Problem::EmptyFile => lang.t(M::PEmptyFile).into(),
        Problem::NotFoundByName => lang.t(M::PNotFoundByName).into(),
        Problem::WrongState => lang.t(M::PWrongState).into(),
        Problem::ChangedSince(n) => format!("{} {}", lang.t(M::PChangedSince), f(lang, *n)),
        Problem::RestoreNeeds(name) => format!("{} {name} ({})", lang.t(M::PRestoreNeeds), lang.t(M::RestoreThatFirst)),
        Problem::IdTaken => lang.t(M::PIdTaken).into(),
        Problem::EditedSince => lang.t(M::PEditedSince).into(),
        Problem::Locked => lang.t(M::PLocked).into(),
        Problem::DynamicMembers => lang.t(M::PDynamicMembers).into(),
        Problem::NoKeyColumn => lang.t(M::PNoKeyColumn).into(),
        Problem::NotYesNo => lang.t(M::PNotYesNo).into(),
        Problem::PossibleDuplicate(h) => {
            format!("{} {}", lang.t(M::PPossibleDuplicate), h.iter().map(|x| x.label.clone()).collect::<Vec<_>>().join(", "))
        }
    }
}

/// A field's problem as a sentence naming the field ("PIB is not a valid PIB…").
pub fn field_message(lang: Lang, field: &str, problem: &Problem) -> String {
    match problem {
        Problem::WrongCredentials
        | Problem::TooManyAttempts(_)
        | Problem::SecondFactorNeeded
        | Problem::ChallengeExpired
        | Problem::RequiredForRole
        | Problem::CannotChangeSelf
        | Problem::SendFailed
        | Problem::NotConfigured
        | Problem::PossibleDuplicate(_)
        | Problem::RateLimited(_)
        | Problem::RestoreNeeds(_)
        | Problem::IdTaken
        | Problem::EditedSince
        | Problem::Locked
        | Problem::DynamicMembers
        | Problem::Busy => problem_text(lang, problem),
        _ => format!("{} {}", lang.t(field_label(field)), problem_text(lang, problem)),
    }
}

/// A whole error as one sentence for a banner or toast.
pub fn error_text(lang: Lang, e: &AppError) -> String {
    match e {
        AppError::NotFound => lang.t(M::NotFoundText).into(),
        AppError::Validation { field, problem } => field_message(lang, field, problem),
        AppError::Conflict => lang.t(M::ConflictText).into(),
        AppError::Unauthorized => lang.t(M::Unauthorized).into(),
        AppError::Forbidden => lang.t(M::Forbidden).into(),
        AppError::Internal => lang.t(M::Internal).into(),
        AppError::Network(_) => lang.t(M::Network).into(),
        AppError::BadRequest => lang.t(M::BadRequest).into(),
    }
}

pub fn role_label(r: crate::domain::Role) -> M {
    use crate::domain::Role::*;
    match r {
        Admin => M::RoleAdmin,
        Manager => M::RoleManager,
        Sales => M::RoleSales,
        Marketing => M::RoleMarketing,
    }
}

pub fn rel_label(r: crate::domain::RelationshipType) -> M {
    use crate::domain::RelationshipType::*;
    match r {
        Customer => M::RelCustomer,
        Prospect => M::RelProspect,
        Partner => M::RelPartner,
        Competitor => M::RelCompetitor,
        Dealer => M::RelDealer,
        Distributor => M::RelDistributor,
        Supplier => M::RelSupplier,
    }
}

pub fn buying_label(r: crate::domain::BuyingRole) -> M {
    use crate::domain::BuyingRole::*;
    match r {
        DecisionMaker => M::BrDecisionMaker,
        Influencer => M::BrInfluencer,
        User => M::BrUser,
        Other => M::BrOther,
    }
}

pub fn kind_label(k: crate::domain::StageKind) -> M {
    use crate::domain::StageKind::*;
    match k {
        Open => M::KindOpen,
        Won => M::KindWon,
        Lost => M::KindLost,
    }
}

pub fn activity_label(k: crate::domain::ActivityKind) -> M {
    use crate::domain::ActivityKind::*;
    match k {
        Task => M::ActTask,
        Call => M::ActCall,
        Meeting => M::ActMeeting,
        Email => M::ActEmail,
        Letter => M::ActLetter,
        Fax => M::ActFax,
    }
}

pub fn activity_status_label(s: crate::domain::ActivityStatus) -> M {
    use crate::domain::ActivityStatus::*;
    match s {
        Open => M::ActOpen,
        Completed => M::ActCompleted,
        Cancelled => M::ActCancelled,
    }
}

pub fn priority_label(p: crate::domain::Priority) -> M {
    use crate::domain::Priority::*;
    match p {
        Low => M::PriorityLow,
        Normal => M::PriorityNormal,
        High => M::PriorityHigh,
    }
}

pub fn rating_label(r: crate::domain::LeadRating) -> M {
    use crate::domain::LeadRating::*;
    match r {
        Hot => M::RatingHot,
        Warm => M::RatingWarm,
        Cold => M::RatingCold,
    }
}

pub fn lead_status_label(s: crate::domain::LeadStatus) -> M {
    use crate::domain::LeadStatus::*;
    match s {
        New => M::LeadNew,
        Contacted => M::LeadContacted,
        Qualified => M::LeadQualified,
        Disqualified => M::LeadDisqualified,
    }
}

pub fn forecast_category_label(c: crate::domain::reports::ForecastCategory) -> M {
    use crate::domain::reports::ForecastCategory::*;
    match c {
        Pipeline => M::FcPipeline,
        BestCase => M::FcBestCase,
        Commit => M::FcCommit,
    }
}

/// The label of a report row as shown and exported: empty keys get a "none" label, forecast categories
/// are translated.
pub fn report_row_label(lang: Lang, group: crate::domain::reports::GroupBy, key: &str, label: &str) -> String {
    use crate::domain::reports::{ForecastCategory, GroupBy};
    match group {
        GroupBy::None => lang.t(M::Total).to_string(),
        GroupBy::ForecastCategory => {
            ForecastCategory::parse(key).map(|c| lang.t(forecast_category_label(c)).to_string()).unwrap_or_default()
        }
        GroupBy::Team if key == "0" || label.is_empty() => lang.t(M::NoTeam).to_string(),
        GroupBy::Region if label.is_empty() => lang.t(M::NoRegion).to_string(),
        GroupBy::Family if label.is_empty() => lang.t(M::NoFamily).to_string(),
        GroupBy::Category if label.is_empty() => lang.t(M::NoCategory).to_string(),
        _ => label.to_string(),
    }
}

/// An activity kind code's label (the code itself if unknown).
pub fn activity_kind_text(lang: Lang, code: &str) -> String {
    ActivityKind::parse(code).map(|k| lang.t(activity_label(k)).to_string()).unwrap_or_else(|| code.to_string())
}

/// The label of a field checked for completeness (adoption report).
pub fn completeness_field_label(entity: &str, field: &str) -> M {
    match (entity, field) {
        (_, "pib") => M::Pib,
        (_, "phone") => M::Phone,
        (_, "email") => M::Email,
        (_, "region") => M::Region,
        (_, "industry") => M::Industry,
        (_, "job_title") => M::JobTitle,
        (_, "account") => M::Account,
        (_, "amount") => M::Amount,
        (_, "contact") => M::PrimaryContact,
        (_, "source") => M::Source,
        (_, "lines") => M::Lines,
        _ => M::Name,
    }
}

/// The plural name of a record kind by its table name.
pub fn entity_label(entity: &str) -> M {
    match entity {
        "accounts" => M::Accounts,
        "contacts" => M::Contacts,
        "opportunities" => M::Opportunities,
        _ => M::Leads,
    }
}

/// A metric's name: seeded metrics by their translated code, the admin's own as typed.
pub fn metric_name(lang: Lang, name: &str) -> String {
    let m = match name {
        "won_revenue" => M::MWonRevenue,
        "won_deals" => M::MWonDeals,
        "new_opportunities" => M::MNewOpportunities,
        "activities_done" => M::MActivitiesDone,
        "meetings_done" => M::MMeetingsDone,
        "new_leads" => M::MNewLeads,
        "qualified_leads" => M::MQualifiedLeads,
        other => return other.to_string(),
    };
    lang.t(m).to_string()
}

/// A lead source's name from its pick-list id ("No source" for none or an unknown one).
pub fn source_name(lang: Lang, sources: &[PicklistValue], id: Option<i64>) -> String {
    id.and_then(|id| sources.iter().find(|s| s.id == id))
        .map(|s| s.label(lang).to_string())
        .unwrap_or_else(|| lang.t(M::NoSource).to_string())
}

pub fn period_label(p: Period) -> M {
    match p {
        Period::Month => M::PeriodMonth,
        Period::Quarter => M::PeriodQuarter,
        Period::Year => M::PeriodYear,
    }
}
