//! Server functions of the bulk actions on the record lists (`services::bulk`): assign an owner to, or
//! delete, the ticked rows or every record matching the list's filters.

use crate::api::jobs::JobView;
use crate::domain::bulk::SelectionInput;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a bulk action did: at once (its summary), or as a job (its id, for the progress bar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BulkOutcome {
    Done(JobView),
    Started(i64),
}

/// `action` is "assign" (with `owner_id`) or "delete".
#[server]
pub async fn run_bulk(selection: SelectionInput, action: String, #[server(default)] owner_id: String) -> Result<BulkOutcome, AppError> {
    use super::ctx;
    use crate::domain::bulk::{BulkAction, Selection};
    let (db, actor) = ctx::signed_in().await?;
    let selection = Selection::parse(&selection)?;
    let action = BulkAction::parse(&action, &owner_id)?;
    crate::services::bulk::run(&db, &actor, selection, action).await
}
