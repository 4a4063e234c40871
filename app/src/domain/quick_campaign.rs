//! Quick campaigns: one activity type for every member of a marketing list or an advanced-find result —
//! a phone call to each customer in a region, shared out among the salespeople — as a record that says
//! who was reached, who was skipped and why, and how far the assignees got.

use super::marketing::MemberKind;
use super::validate::field;
use super::{ActivityKind, Priority};
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};

/// How a campaign's activities get their owners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignRule {
    /// Each member's own owner.
    #[default]
    Owner,
    /// The user who starts the campaign.
    Me,
    /// The chosen users (or a team's active users) in turn, member by member.
    RoundRobin,
}

impl AssignRule {
    pub const ALL: [AssignRule; 3] = [AssignRule::Owner, AssignRule::Me, AssignRule::RoundRobin];
    pub fn code(self) -> &'static str {
        match self {
            AssignRule::Owner => "owner",
            AssignRule::Me => "me",
            AssignRule::RoundRobin => "round_robin",
        }
    }
    pub fn parse(s: &str) -> Option<AssignRule> {
        AssignRule::ALL.into_iter().find(|r| r.code() == s.trim())
    }
}

/// Why a member got no activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    DoNotCall,
    DoNotEmail,
    DoNotMail,
    NoEmail,
    Inactive,
    Disqualified,
    /// The mail server could not be reached, or refused for now.
    SendFailed,
    /// The mail server refused the message for good (an unknown mailbox, a refused sender).
    Rejected,
    /// The server stopped while the message was with the mail server: it may or may not have gone out,
    /// and it is not sent again.
    Unknown,
}

impl SkipReason {
    pub const ALL: [SkipReason; 9] = [
        SkipReason::DoNotCall,
        SkipReason::DoNotEmail,
        SkipReason::DoNotMail,
        SkipReason::NoEmail,
        SkipReason::Inactive,
        SkipReason::Disqualified,
        SkipReason::SendFailed,
        SkipReason::Rejected,
        SkipReason::Unknown,
    ];
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::DoNotCall => "do_not_call",
            SkipReason::DoNotEmail => "do_not_email",
            SkipReason::DoNotMail => "do_not_mail",
            SkipReason::NoEmail => "no_email",
            SkipReason::Inactive => "inactive",
            SkipReason::Disqualified => "disqualified",
            SkipReason::SendFailed => "send_failed",
            SkipReason::Rejected => "rejected",
            SkipReason::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<SkipReason> {
        SkipReason::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// What is known of a member when its activity is decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Member {
    pub id: i64,
    pub owner_id: i64,
    pub email: Option<String>,
    pub do_not_email: bool,
    pub do_not_call: bool,
    pub do_not_mail: bool,
    /// The member is an inactive account, or belongs to one.
    pub inactive: bool,
    /// A disqualified lead.
    pub disqualified: bool,
}

/// Whether a member gets the campaign's activity, or why not: contact preferences first (they are the
/// person's wish), then the record's state, then what the channel needs.
pub fn skip_reason(kind: ActivityKind, m: &Member) -> Option<SkipReason> {
    match kind {
        ActivityKind::Call if m.do_not_call => return Some(SkipReason::DoNotCall),
        ActivityKind::Email if m.do_not_email => return Some(SkipReason::DoNotEmail),
        ActivityKind::Letter | ActivityKind::Fax if m.do_not_mail => return Some(SkipReason::DoNotMail),
        _ => {}
    }
    if m.disqualified {
        return Some(SkipReason::Disqualified);
    }
    if m.inactive {
        return Some(SkipReason::Inactive);
    }
    if kind == ActivityKind::Email && m.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        return Some(SkipReason::NoEmail);
    }
    None
}

/// The assignee of the `ordinal`-th member reached (0-based): round-robin takes the users in turn.
pub fn assignee(rule: AssignRule, me: i64, member_owner: i64, users: &[i64], ordinal: i64) -> i64 {
    match rule {
        AssignRule::Owner => member_owner,
        AssignRule::Me => me,
        AssignRule::RoundRobin if users.is_empty() => me,
        AssignRule::RoundRobin => users[(ordinal.rem_euclid(users.len() as i64)) as usize],
    }
}

/// Fills a message's merge fields: `{first_name}`, `{last_name}`, `{name}`, `{account}`, `{owner}`,
/// `{owner_email}`, `{signature}`. An unknown `{…}` stays as written, so a typo shows in the preview.
pub fn merge(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// The merge fields a message may use, for the form's hint.
pub const MERGE_FIELDS: &[&str] = &["{first_name}", "{last_name}", "{name}", "{account}", "{owner}", "{owner_email}", "{signature}"];

/// The form starting a quick campaign.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuickCampaignInput {
    /// A marketing list id, or empty with `query` set.
    pub list_id: String,
    /// An advanced-find query (its URL parameter) over accounts, contacts or leads.
    pub query: String,
    pub name: String,
    pub activity_kind: String,
    pub subject: String,
    pub description: String,
    /// Local "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD".
    pub due: String,
    pub priority: String,
    pub assign_rule: String,
    /// Round-robin: user ids, comma-separated.
    pub assignees: String,
    /// Round-robin over a team's active users instead of chosen ones.
    pub team_id: String,
    pub email_subject: String,
    pub email_body: String,
}

/// A checked [`QuickCampaignInput`] (the member source is checked by the service).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidQuick {
    pub name: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub description: Option<String>,
    pub priority: Priority,
    pub rule: AssignRule,
    pub assignees: Vec<i64>,
    pub team_id: Option<i64>,
    pub email_subject: Option<String>,
    pub email_body: Option<String>,
}

fn text(name: &str, v: &str, max: usize, required: bool) -> Result<Option<String>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return if required { Err(field(name, Problem::Required)) } else { Ok(None) };
    }
    if v.chars().count() > max {
        return Err(field(name, Problem::TooLong(max as i64)));
    }
    Ok(Some(v.to_string()))
}

/// Checks the form but its member source and due date (the service reads those).
pub fn validate(input: &QuickCampaignInput) -> Result<ValidQuick, AppError> {
    let kind = ActivityKind::parse(input.activity_kind.trim()).ok_or_else(|| field("activity_kind", Problem::InvalidChoice))?;
    let subject = text("subject", &input.subject, 200, true)?.unwrap_or_default();
    let name = text("name", &input.name, 120, false)?.unwrap_or_else(|| subject.clone());
    let description = text("description", &input.description, 5_000, false)?;
    let priority = if input.priority.trim().is_empty() {
        Priority::Normal
    } else {
        Priority::parse(input.priority.trim()).ok_or_else(|| field("priority", Problem::InvalidChoice))?
    };
    let rule = AssignRule::parse(&input.assign_rule).ok_or_else(|| field("assign_rule", Problem::InvalidChoice))?;
    let mut assignees = Vec::new();
    for part in input.assignees.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: i64 = part.parse().map_err(|_| field("assignees", Problem::InvalidChoice))?;
        if !assignees.contains(&id) {
            assignees.push(id);
        }
    }
    let team_id = match input.team_id.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| field("team_id", Problem::InvalidChoice))?),
    };
    if rule == AssignRule::RoundRobin && assignees.is_empty() && team_id.is_none() {
        return Err(field("assignees", Problem::Required));
    }
    if assignees.len() > 200 {
        return Err(field("assignees", Problem::OutOfRange(1, 200)));
    }
    let (email_subject, email_body) = if kind == ActivityKind::Email {
        // The message's subject is the campaign's subject unless one of its own is given.
        let email_subject = if input.email_subject.trim().is_empty() { &input.subject } else { &input.email_subject };
        (text("email_subject", email_subject, 200, true)?, text("email_body", &input.email_body, 50_000, true)?)
    } else {
        (None, None)
    };
    Ok(ValidQuick { name, kind, subject, description, priority, rule, assignees, team_id, email_subject, email_body })
}

/// A quick campaign as its page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuickCampaignView {
    pub id: i64,
    pub name: String,
    pub activity_kind: String,
    pub member_kind: String,
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    /// The advanced-find query it was started from (its URL parameter).
    pub query: Option<String>,
    pub subject: String,
    pub description: Option<String>,
    pub due_at: String,
    pub assign_rule: String,
    pub status: String,
    pub total: i64,
    pub created_count: i64,
    pub skipped_count: i64,
    pub job_id: Option<i64>,
    pub started_by: String,
    pub created_at: String,
    /// Members who used the unsubscribe link of this campaign's message.
    pub unsubscribed: i64,
    /// Skipped members by reason: (reason code, count).
    pub skipped: Vec<(String, i64)>,
    /// Per assignee: name, open, completed, cancelled activities of the campaign.
    pub progress: Vec<AssigneeProgress>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AssigneeProgress {
    pub user_id: i64,
    pub name: String,
    pub open: i64,
    pub completed: i64,
    pub cancelled: i64,
}

/// A row of the campaigns list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuickCampaignRow {
    pub id: i64,
    pub name: String,
    pub activity_kind: String,
    pub status: String,
    pub created_count: i64,
    pub skipped_count: i64,
    pub started_by: String,
    pub created_at: String,
}

/// One member's outcome, for the campaign's member table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuickMemberRow {
    pub member_id: i64,
    pub name: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub activity_id: Option<i64>,
    pub assignee: Option<String>,
    /// The mail server's answer to a message it refused.
    pub detail: Option<String>,
    /// The member used the unsubscribe link of this campaign's message.
    pub unsubscribed: bool,
}

/// How many members a campaign would reach, shown before it starts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuickPreview {
    pub member_kind: String,
    pub source_name: String,
    pub members: i64,
}

impl MemberKind {
    /// The kind of record activities are "regarding" for this member kind.
    pub fn regarding(self) -> super::RegardingKind {
        match self {
            MemberKind::Account => super::RegardingKind::Account,
            MemberKind::Contact => super::RegardingKind::Contact,
            MemberKind::Lead => super::RegardingKind::Lead,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Member {
        Member { id: 1, owner_id: 5, email: Some("a@b.rs".into()), ..Default::default() }
    }

    #[test]
    fn preferences_decide_first_then_state_then_channel() {
        assert_eq!(skip_reason(ActivityKind::Call, &Member { do_not_call: true, inactive: true, ..m() }), Some(SkipReason::DoNotCall));
        assert_eq!(skip_reason(ActivityKind::Call, &Member { do_not_email: true, ..m() }), None);
        assert_eq!(skip_reason(ActivityKind::Email, &Member { do_not_email: true, ..m() }), Some(SkipReason::DoNotEmail));
        assert_eq!(skip_reason(ActivityKind::Email, &Member { email: Some(" ".into()), ..m() }), Some(SkipReason::NoEmail));
        assert_eq!(skip_reason(ActivityKind::Letter, &Member { do_not_mail: true, ..m() }), Some(SkipReason::DoNotMail));
        assert_eq!(skip_reason(ActivityKind::Task, &Member { disqualified: true, ..m() }), Some(SkipReason::Disqualified));
        assert_eq!(skip_reason(ActivityKind::Meeting, &Member { inactive: true, ..m() }), Some(SkipReason::Inactive));
        assert_eq!(skip_reason(ActivityKind::Task, &Member { email: None, ..m() }), None);
    }

    #[test]
    fn round_robin_takes_users_in_turn() {
        let users = [10, 20, 30];
        let got: Vec<i64> = (0..7).map(|i| assignee(AssignRule::RoundRobin, 1, 5, &users, i)).collect();
        assert_eq!(got, vec![10, 20, 30, 10, 20, 30, 10]);
        assert_eq!(assignee(AssignRule::Owner, 1, 5, &users, 3), 5);
        assert_eq!(assignee(AssignRule::Me, 1, 5, &users, 3), 1);
    }

    #[test]
    fn merge_fills_known_fields_only() {
        let out = merge("Poštovani {first_name}, {account} … {nepoznato}", &[("first_name", "Đorđe"), ("account", "Mlekara")]);
        assert_eq!(out, "Poštovani Đorđe, Mlekara … {nepoznato}");
    }

    #[test]
    fn the_form_names_what_is_wrong() {
        let ok =
            QuickCampaignInput { activity_kind: "call".into(), subject: "Poziv".into(), assign_rule: "owner".into(), ..Default::default() };
        assert_eq!(validate(&ok).unwrap().name, "Poziv");
        let err = |i: QuickCampaignInput| validate(&i).unwrap_err().field().map(str::to_string);
        assert_eq!(err(QuickCampaignInput { activity_kind: "dance".into(), ..ok.clone() }), Some("activity_kind".into()));
        assert_eq!(err(QuickCampaignInput { subject: " ".into(), ..ok.clone() }), Some("subject".into()));
        assert_eq!(err(QuickCampaignInput { assign_rule: "round_robin".into(), ..ok.clone() }), Some("assignees".into()));
        assert_eq!(
            err(QuickCampaignInput { assign_rule: "round_robin".into(), assignees: "1,x".into(), ..ok.clone() }),
            Some("assignees".into())
        );
        assert_eq!(err(QuickCampaignInput { activity_kind: "email".into(), ..ok.clone() }), Some("email_body".into()));
        let mail =
            validate(&QuickCampaignInput { activity_kind: "email".into(), email_body: "Poštovani {first_name}".into(), ..ok.clone() });
        assert_eq!(mail.unwrap().email_subject.as_deref(), Some("Poziv"));
        let rr = validate(&QuickCampaignInput { assign_rule: "round_robin".into(), assignees: "3, 4,3".into(), ..ok }).unwrap();
        assert_eq!(rr.assignees, vec![3, 4]);
    }
}
