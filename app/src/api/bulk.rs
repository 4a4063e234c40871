//! Server functions of the bulk actions on the record lists (`services::bulk`): assign an owner to, or
//! delete, or add to a marketing list, the ticked rows or every record matching the list's filters; and
//! on a marketing list's members: remove from the list, or add to another.

use crate::api::jobs::JobView;
use crate::domain::bulk::SelectionInput;
use crate::domain::marketing::ListChoice;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a bulk action did: at once (its summary), or as a job (its id, for the progress bar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BulkOutcome {
    Done(JobView),
    Started(i64),
}

/// `action` is "assign" (with `owner_id`), "delete", or "list" / "unlist" (add to / remove from the
/// marketing list `list_id`).
#[server]
pub async fn run_bulk(
    selection: SelectionInput,
    action: String,
    #[server(default)] owner_id: String,
    #[server(default)] list_id: String,
) -> Result<BulkOutcome, AppError> {
    use super::ctx;
    use crate::domain::bulk::{BulkAction, Selection};
    let (db, actor) = ctx::signed_in().await?;
    let selection = Selection::parse(&selection)?;
    let action = BulkAction::parse(&action, &owner_id, &list_id)?;
    crate::services::bulk::run(&db, &actor, selection, action).await
}

/// The marketing lists a selection of list `list` ("accounts", "contacts", "leads") may be added to.
#[server]
pub async fn bulk_list_choices(list: String) -> Result<Vec<ListChoice>, AppError> {
    use super::ctx;
    use crate::domain::bulk::BulkList;
    let (db, actor) = ctx::signed_in().await?;
    let list = BulkList::parse(&list).ok_or_else(|| crate::domain::validate::field("list", crate::error::Problem::InvalidChoice))?;
    crate::services::bulk::list_choices(&db, &actor, list).await
}
