//! Dynamic lists: the list keeps an advanced-find query (`domain::find::FindQuery`, as JSON) and its
//! members are that query's results each time the list is used — the members page, its count, the
//! export, a copy — evaluated by advanced find's own compiler (`services::find::restrict_to`, which
//! also applies the viewer's visibility). Nothing is stored, so the members follow the data.

use crate::domain::find::FindQuery;
use crate::domain::marketing::{MarketingList, MemberKind};
use crate::domain::validate::field;
use crate::error::{AppError, Problem};

/// A saved query's JSON as a query; unreadable text is an invalid `query`.
fn parse(text: &str) -> Result<FindQuery, AppError> {
    serde_json::from_str(text).map_err(|_| field("query", Problem::InvalidChoice))
}

/// Whether `text` is a query advanced find can run over records of `kind`: a query of another kind of
/// record is refused, as is one that names an unknown field or a value that does not read. Its
/// problems are the list form's `query` field's.
pub fn check(text: &str, kind: MemberKind) -> Result<(), AppError> {
    let q = parse(text)?;
    if q.entity.code() != kind.code() {
        return Err(field("query", Problem::InvalidChoice));
    }
    q.check().map_err(|e| match e {
        AppError::Validation { problem, .. } => field("query", problem),
        other => other,
    })
}

/// A dynamic list's query, as saved (checked when it was saved).
pub(crate) fn query_of(list: &MarketingList) -> Result<FindQuery, AppError> {
    let q = list.query.as_deref().map(parse).transpose()?;
    match q {
        Some(q) if q.entity.code() == list.member_kind.code() => Ok(q),
        _ => {
            tracing::error!(list = list.id, "a dynamic marketing list without a readable query of its kind");
            Err(AppError::Internal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_must_find_the_lists_kind_of_record() {
        assert_eq!(check("{\"entity\":\"contact\"}", MemberKind::Contact), Ok(()));
        assert_eq!(check("{\"entity\":\"account\"}", MemberKind::Contact), Err(field("query", Problem::InvalidChoice)));
        assert_eq!(check("{\"entity\":\"opportunity\"}", MemberKind::Lead), Err(field("query", Problem::InvalidChoice)));
        assert_eq!(check("not json", MemberKind::Lead), Err(field("query", Problem::InvalidChoice)));
    }
}
