//! Who sees which record — decided in this one place and applied by every list, detail, board and
//! total. Sales and marketing users see their own records and their team's; managers their team's;
//! admins everything. A record outside the rule is "not found", never "forbidden", so ids cannot be probed.

use super::Actor;
use crate::db::sql::Sql;
use crate::db::Tx;
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use sqlx::Row;

/// Appends ` AND (…)` restricting `alias` (a table with owner_id and team_id) to what `actor` may see.
pub fn restrict(sql: &mut Sql, actor: &Actor, alias: &str) {
    match actor.role {
        Role::Admin => {}
        Role::Manager | Role::Sales | Role::Marketing => match actor.team_id {
            Some(team) => {
                sql.push(&format!(" AND ({alias}.owner_id = ")).bind(actor.id);
                sql.push(&format!(" OR {alias}.team_id = ")).bind(team).push(")");
            }
            None => {
                sql.push(&format!(" AND {alias}.owner_id = ")).bind(actor.id);
            }
        },
    }
}

/// May `actor` see a record owned by `owner_id` in `team_id`? The rule of [`restrict`], for a record
/// already read.
pub fn can_see(actor: &Actor, owner_id: i64, team_id: Option<i64>) -> bool {
    can_edit(actor, owner_id, team_id)
}

/// May `actor` edit a record owned by `owner_id` in `team_id`? Same rule as seeing it.
pub fn can_edit(actor: &Actor, owner_id: i64, team_id: Option<i64>) -> bool {
    match actor.role {
        Role::Admin => true,
        _ => owner_id == actor.id || (team_id.is_some() && team_id == actor.team_id),
    }
}

/// May `actor` assign a record to user `owner` (of team `owner_team`)? Admins anyone; others within their team.
pub fn can_assign(actor: &Actor, owner: i64, owner_team: Option<i64>) -> bool {
    match actor.role {
        Role::Admin => true,
        _ => owner == actor.id || (owner_team.is_some() && owner_team == actor.team_id),
    }
}

/// Resolves the owner a record is assigned to: the actor by default; others only if the actor may assign.
pub async fn resolve_owner(tx: &mut Tx, actor: &Actor, owner: Option<i64>) -> Result<(i64, Option<i64>), AppError> {
    let owner = owner.unwrap_or(actor.id);
    let row = sqlx::query("SELECT team_id FROM users WHERE id = $1 AND active = 1").bind(owner).fetch_optional(&mut **tx).await?;
    let Some(row) = row else { return Err(field("owner_id", Problem::InvalidChoice)) };
    let team: Option<i64> = row.try_get("team_id")?;
    if !can_assign(actor, owner, team) {
        return Err(field("owner_id", Problem::InvalidChoice));
    }
    Ok((owner, team))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, team: Option<i64>) -> Actor {
        Actor {
            id: 7,
            email: "a@b.rs".into(),
            name: "A".into(),
            role,
            team_id: team,
            team_name: None,
            must_change_password: false,
            must_enrol_two_factor: false,
        }
    }

    #[test]
    fn admin_sees_everything() {
        let mut s = Sql::new("SELECT 1 FROM t x WHERE 1=1");
        restrict(&mut s, &actor(Role::Admin, Some(1)), "x");
        assert_eq!(s.text, "SELECT 1 FROM t x WHERE 1=1");
        assert!(can_edit(&actor(Role::Admin, None), 99, Some(5)));
    }

    #[test]
    fn sales_sees_own_and_team() {
        let mut s = Sql::new("W");
        restrict(&mut s, &actor(Role::Sales, Some(3)), "o");
        assert_eq!(s.text, "W AND (o.owner_id = $1 OR o.team_id = $2)");
        assert!(can_edit(&actor(Role::Sales, Some(3)), 99, Some(3)));
        assert!(can_edit(&actor(Role::Sales, Some(3)), 7, Some(4)));
        assert!(!can_edit(&actor(Role::Sales, Some(3)), 99, Some(4)));
        assert!(!can_edit(&actor(Role::Sales, None), 99, None));
    }

    #[test]
    fn user_without_team_sees_only_own() {
        let mut s = Sql::new("W");
        restrict(&mut s, &actor(Role::Manager, None), "a");
        assert_eq!(s.text, "W AND a.owner_id = $1");
    }
}
