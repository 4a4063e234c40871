//! The sales workspace's records as they travel between server and browser: leads and their
//! qualification, activities (tasks, calls, meetings, emails, letters, faxes), notes, the 360° timeline
//! and the "My day" page. Times arrive already in the company's time zone as "YYYY-MM-DDTHH:MM"
//! (see `services::clock`), so server and browser render the same text.

use super::records::code_enum;
use super::Choice;
use crate::domain::money::Currency;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

code_enum!(LeadRating { Hot = "hot", Warm = "warm", Cold = "cold" });
code_enum!(LeadStatus { New = "new", Contacted = "contacted", Qualified = "qualified", Disqualified = "disqualified" });
code_enum!(ActivityKind { Task = "task", Call = "call", Meeting = "meeting", Email = "email", Letter = "letter", Fax = "fax" });
code_enum!(ActivityStatus { Open = "open", Completed = "completed", Cancelled = "cancelled" });
code_enum!(Priority { Low = "low", Normal = "normal", High = "high" });
code_enum!(Direction { In = "in", Out = "out" });
code_enum!(
    /// The kind of record an activity or note is about.
    RegardingKind { Lead = "lead", Account = "account", Contact = "contact", Opportunity = "opportunity" }
);

impl RegardingKind {
    pub fn href(self, id: i64) -> String {
        match self {
            RegardingKind::Lead => format!("/leads/{id}"),
            RegardingKind::Account => format!("/accounts/{id}"),
            RegardingKind::Contact => format!("/contacts/{id}"),
            RegardingKind::Opportunity => format!("/opportunities/{id}"),
        }
    }
}

impl LeadStatus {
    /// Qualified and disqualified leads are closed: no more edits of their status by the form.
    pub fn is_closed(self) -> bool {
        matches!(self, LeadStatus::Qualified | LeadStatus::Disqualified)
    }
}

impl ActivityKind {
    /// Kinds that take time in the calendar (start and end), as opposed to a due moment.
    pub fn is_appointment(self) -> bool {
        matches!(self, ActivityKind::Meeting | ActivityKind::Call)
    }
}

/// One value of an admin-configurable list (lead sources, disqualification reasons).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PicklistValue {
    pub id: i64,
    pub list: String,
    pub code: String,
    pub label_en: String,
    pub label_sr: String,
    pub position: i64,
    pub active: bool,
    pub version: i64,
}

impl PicklistValue {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.label_en,
            Lang::Sr => &self.label_sr,
        }
    }
}

/// Adding a value (empty id) or renaming / (de)activating one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PicklistInput {
    pub id: String,
    pub version: String,
    pub list: String,
    pub label_en: String,
    pub label_sr: String,
    /// "true" / "false" ("on" from a checkbox).
    pub active: String,
}

/// Largest file that can be attached to a record.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

pub const LIST_LEAD_SOURCE: &str = "lead_source";
pub const LIST_DISQUALIFY_REASON: &str = "disqualify_reason";
pub const LIST_LOSS_REASON: &str = "loss_reason";
pub const PICKLISTS: &[&str] = &[LIST_LEAD_SOURCE, LIST_DISQUALIFY_REASON, LIST_LOSS_REASON];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Picklists {
    pub sources: Vec<PicklistValue>,
    pub disqualify_reasons: Vec<PicklistValue>,
    pub loss_reasons: Vec<PicklistValue>,
}

/// A lead as its page shows it, with links to what qualification made of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: i64,
    pub company: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub pib: Option<String>,
    pub source_id: Option<i64>,
    pub rating: LeadRating,
    pub status: LeadStatus,
    pub estimated_minor: i64,
    pub currency: Currency,
    pub notes: Option<String>,
    pub disqualify_reason_id: Option<i64>,
    pub disqualify_note: Option<String>,
    pub account: Option<Choice>,
    pub contact: Option<Choice>,
    pub opportunity: Option<Choice>,
    pub closed_at: Option<String>,
    pub preferences: crate::domain::marketing::ContactPreferences,
    pub owner_id: i64,
    pub owner_name: String,
    pub created_at: String,
    pub version: i64,
}

impl Lead {
    /// "Person · Company", whichever parts exist.
    pub fn display_name(&self) -> String {
        lead_name(self.company.as_deref(), self.first_name.as_deref(), self.last_name.as_deref())
    }
}

pub fn lead_name(company: Option<&str>, first: Option<&str>, last: Option<&str>) -> String {
    let person = [first, last].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    match (person.is_empty(), company.filter(|c| !c.is_empty())) {
        (false, Some(c)) => format!("{person} · {c}"),
        (false, None) => person,
        (true, Some(c)) => c.to_string(),
        (true, None) => String::new(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadRow {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source_id: Option<i64>,
    pub rating: LeadRating,
    pub status: LeadStatus,
    pub estimated_minor: i64,
    pub currency: Currency,
    pub owner_name: String,
    pub created_at: String,
    pub preferences: crate::domain::marketing::ContactPreferences,
    /// The version shown, which a bulk action on the row checks.
    pub version: i64,
}

/// The lead form as typed (text fields map 1:1 onto the form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadInput {
    pub id: String,
    pub version: String,
    pub company: String,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub region: String,
    pub pib: String,
    pub source_id: String,
    pub rating: String,
    pub status: String,
    pub estimated: String,
    pub currency: String,
    pub notes: String,
    pub owner_id: String,
    /// Contact preferences: checkboxes ("on" when ticked).
    pub do_not_email: String,
    pub do_not_call: String,
    pub do_not_mail: String,
}

/// Leads by status for the lead board: each column's first cards and its count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadColumn {
    pub status: LeadStatus,
    pub count: i64,
    pub rows: Vec<LeadRow>,
}

code_enum!(
    /// Why an existing record may be the same as the lead.
    MatchReason { Email = "email", Phone = "phone", Pib = "pib", Name = "name" }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchHit {
    pub id: i64,
    pub label: String,
    pub detail: Option<String>,
    pub reasons: Vec<MatchReason>,
}

/// Existing accounts and contacts the lead may already be, shown before qualification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadMatches {
    pub accounts: Vec<MatchHit>,
    pub contacts: Vec<MatchHit>,
}

/// The qualification dialog: link to an existing account/contact or create them, and optionally
/// open an opportunity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualifyInput {
    pub lead_id: String,
    pub version: String,
    /// An existing account's id, or empty to create one from the lead.
    pub account_id: String,
    /// An existing contact's id, "none" for no contact, or empty to create one from the lead.
    pub contact_id: String,
    /// "on" when an opportunity is to be created.
    pub create_opportunity: String,
    pub opportunity_name: String,
    pub amount: String,
    pub currency: String,
    pub close_date: String,
    pub stage_id: String,
}

/// What qualification created or linked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Qualified {
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub opportunity_id: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisqualifyInput {
    pub lead_id: String,
    pub version: String,
    pub reason_id: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attendee {
    pub user_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: i64,
    pub kind: ActivityKind,
    pub subject: String,
    pub description: Option<String>,
    pub status: ActivityStatus,
    pub priority: Priority,
    /// Local "YYYY-MM-DDTHH:MM".
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub duration_min: Option<i64>,
    pub direction: Option<Direction>,
    pub outcome: Option<String>,
    pub location: Option<String>,
    pub regarding_kind: RegardingKind,
    pub regarding_id: i64,
    pub regarding_label: String,
    pub account_id: Option<i64>,
    pub attendees: Vec<Attendee>,
    pub follow_up_of: Option<i64>,
    pub completed_at: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub version: i64,
}

/// An activity in a list (My day, calendar, team view).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    pub kind: ActivityKind,
    pub subject: String,
    pub status: ActivityStatus,
    pub priority: Priority,
    /// Local "YYYY-MM-DDTHH:MM".
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub regarding_kind: RegardingKind,
    pub regarding_id: i64,
    pub regarding_label: String,
    pub owner_name: String,
    pub version: i64,
}

/// The activity form as typed. `starts_at`/`ends_at` are local "YYYY-MM-DDTHH:MM" (datetime-local).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityInput {
    pub id: String,
    pub version: String,
    pub kind: String,
    pub subject: String,
    pub description: String,
    pub priority: String,
    pub starts_at: String,
    pub ends_at: String,
    pub direction: String,
    pub outcome: String,
    pub location: String,
    pub regarding_kind: String,
    pub regarding_id: String,
    pub owner_id: String,
    /// "on" to log it as already done (a call that just happened).
    pub completed: String,
    /// Contact ids of attendees (meetings).
    pub attendee_contacts: Vec<String>,
    /// User ids of attendees (meetings).
    pub attendee_users: Vec<String>,
}

/// Completing an activity, optionally scheduling its follow-up in the same step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompleteInput {
    pub id: String,
    pub version: String,
    pub outcome: String,
    /// "on" to schedule a follow-up.
    pub follow_up: String,
    pub follow_kind: String,
    pub follow_subject: String,
    pub follow_starts_at: String,
}

code_enum!(
    /// Which items a timeline shows.
    TimelineFilter { All = "all", Activities = "activities", Notes = "notes", Documents = "documents", Deals = "deals", Leads = "leads" }
);

/// What a timeline item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineKind {
    Activity(ActivityKind, ActivityStatus),
    Note,
    /// An attached file (download at `/files/{id}`).
    Document,
    /// An opportunity was opened (its first stage).
    Opened,
    StageChanged,
    Won,
    Lost,
    Qualified,
    Disqualified,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// Unique within a timeline ("a12", "n3", "s40", "l5").
    pub key: String,
    pub kind: TimelineKind,
    /// Local "YYYY-MM-DDTHH:MM".
    pub at: String,
    pub title: String,
    pub detail: Option<String>,
    /// Sanitized HTML of a note's Markdown.
    pub body_html: Option<String>,
    pub actor: Option<String>,
    /// The record the item is about, when it is not the page's own record.
    pub link: Option<(String, String)>,
    /// Activity id and version, for completing it from the timeline.
    pub activity: Option<(i64, i64)>,
    /// A disqualified lead's reason, labelled in English and Serbian.
    pub reason: Option<(String, String)>,
    /// A document's id and size in bytes.
    pub file: Option<(i64, i64)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineQuery {
    pub kind: String,
    pub id: i64,
    pub filter: String,
    /// Local dates "YYYY-MM-DD", inclusive; empty for open.
    pub from: String,
    pub to: String,
    pub cursor: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub next_cursor: Option<String>,
    /// The company's local time when the page was read ("YYYY-MM-DDTHH:MM"): the default time of a
    /// call being logged (the browser's clock is not used, so server and browser render alike).
    pub now: String,
    /// Whether e-mail can be sent from Veza (an SMTP server is configured).
    pub can_send_email: bool,
}

/// An e-mail to send to a contact through the configured SMTP server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailInput {
    pub contact_id: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteInput {
    pub regarding_kind: String,
    pub regarding_id: String,
    pub body: String,
}

/// An open opportunity on "My day": closing this month or stale (no activity for N days).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: i64,
    pub name: String,
    pub account_name: String,
    pub stage_name: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub close_date: String,
    /// Local date of the last activity on it, if any.
    pub last_activity: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyDay {
    /// Local date of "today".
    pub today: String,
    pub overdue: Vec<ActivityRow>,
    pub due_today: Vec<ActivityRow>,
    pub meetings_this_week: Vec<ActivityRow>,
    pub closing_this_month: Vec<DealRow>,
    pub stale: Vec<DealRow>,
    pub stale_days: i64,
}

/// One calendar screen: a week or a month (six weeks from the Monday before the 1st).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarData {
    /// Local "YYYY-MM-DD".
    pub today: String,
    /// The day the user asked for (defaults to today).
    pub anchor: String,
    pub month: bool,
    /// First shown day and how many.
    pub from: String,
    pub days: i64,
    pub rows: Vec<ActivityRow>,
    /// When the user's calendar feed was created, if they have one.
    pub feed_created: Option<String>,
}

/// One cell of the manager's team view: activities of one person, of one kind, in one week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamActivityCell {
    pub user_id: i64,
    pub user_name: String,
    /// Monday of the week, local "YYYY-MM-DD".
    pub week: String,
    pub kind: ActivityKind,
    pub total: i64,
    pub completed: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_names_join_person_and_company() {
        assert_eq!(lead_name(Some("Mlekara d.o.o."), Some("Ana"), Some("Jović")), "Ana Jović · Mlekara d.o.o.");
        assert_eq!(lead_name(None, None, Some("Jović")), "Jović");
        assert_eq!(lead_name(Some("Mlekara"), Some(""), None), "Mlekara");
        assert_eq!(lead_name(None, None, None), "");
    }

    #[test]
    fn codes_round_trip() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.code()), Some(*k));
        }
        assert!(LeadStatus::Qualified.is_closed());
        assert!(!LeadStatus::Contacted.is_closed());
        assert_eq!(RegardingKind::Lead.href(4), "/leads/4");
    }
}
