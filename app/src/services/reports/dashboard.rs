//! The home dashboard per role, put together from the reports (each already one GROUP BY under the
//! visibility rule): a salesperson sees their own pipeline, day and goals; a manager their team's
//! forecast against its goals, win rate and slipping deals; marketing the leads by source; an
//! administrator everything, with data completeness.

use super::{adoption, forecast, health};
use crate::clock;
use crate::db::Db;
use crate::domain::competition::AnalysisQuery;
use crate::domain::reports::{Dashboard, ReportQuery};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::{activities, analysis, goals, Actor};
use chrono::{Duration, Months};

/// Days back the win rate, slipping deals and lead sources look.
pub const LOOKBACK_DAYS: i64 = 90;
/// Activities of the day listed on the dashboard.
pub const TODAY_SHOWN: usize = 6;

pub async fn dashboard(db: &Db, actor: &Actor) -> Result<Dashboard, AppError> {
    let today = clock::today();
    let month = clock::month_start(today);
    let last = month.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(today);
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let (scope, owner, team) = match (actor.role, actor.team_id) {
        (Role::Sales, _) | (_, None) if actor.role != Role::Admin => ("owner", actor.id.to_string(), String::new()),
        (Role::Manager, Some(t)) | (Role::Marketing, Some(t)) => ("team", String::new(), t.to_string()),
        _ => ("all", String::new(), String::new()),
    };
    let q = ReportQuery { from: iso(month), to: iso(last), owner: owner.clone(), team: team.clone(), ..Default::default() };
    let forecast = forecast::forecast(db, actor, &q).await?;

    // Goals running today that concern the scope.
    let mine = format!("user:{}", actor.id);
    let team_ref = actor.team_id.map(|t| format!("team:{t}"));
    let goals = goals::page(db, actor, "")
        .await?
        .goals
        .into_iter()
        .filter(|g| match scope {
            "owner" => g.assignee_ref == mine || Some(&g.assignee_ref) == team_ref.as_ref(),
            _ => true,
        })
        .collect();

    let day = activities::my_day(db, actor).await?;
    let back = ReportQuery {
        from: iso(today - Duration::days(LOOKBACK_DAYS)),
        to: iso(today),
        owner: owner.clone(),
        team: team.clone(),
        ..Default::default()
    };
    let win = analysis::win_loss(
        db,
        actor,
        &AnalysisQuery { from: back.from.clone(), to: back.to.clone(), owner, team: team.clone(), region: String::new() },
    )
    .await?;
    let (slipping, sources) = if actor.role == Role::Sales {
        (Vec::new(), Vec::new())
    } else {
        let h = health::health(db, actor, &back).await?;
        (if actor.role == Role::Marketing { Vec::new() } else { h.slipping }, h.sources)
    };
    let mut completeness = Vec::new();
    if actor.role == Role::Admin {
        for kind in ["accounts", "contacts", "opportunities", "leads"] {
            completeness.push(adoption::completeness(db, actor, kind, &Default::default()).await?);
        }
    }
    let activity_weeks = if matches!(actor.role, Role::Manager | Role::Admin) {
        adoption::weekly_completed(db, actor, &ReportQuery { team: team.clone(), ..Default::default() }, 4).await?
    } else {
        Vec::new()
    };
    let today_items: Vec<_> = day.overdue.iter().chain(day.due_today.iter()).take(TODAY_SHOWN).cloned().collect();
    Ok(Dashboard {
        role: actor.role,
        scope: scope.to_string(),
        scope_params: match scope {
            "owner" => format!("&owner={}", actor.id),
            "team" => actor.team_id.map(|t| format!("&team={t}")).unwrap_or_default(),
            _ => String::new(),
        },
        forecast,
        goals,
        overdue: day.overdue.len() as i64,
        due_today: day.due_today.len() as i64,
        date: iso(today),
        today: today_items,
        activity_weeks,
        won: win.overall.won,
        lost: win.overall.lost,
        slipping,
        sources,
        completeness,
    })
}
