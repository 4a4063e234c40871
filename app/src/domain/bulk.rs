//! Bulk actions on a list page: which records a user chose (a [`Selection`]) and what to do with them
//! (a [`BulkAction`]: assign an owner, delete, add to or remove from a marketing list). A selection is either the rows ticked one by one — each with the version the user
//! saw, so a record changed since is a conflict for that record, never overwritten — or every record
//! matching the list's filters ("select all N matching"), read at the version current in the
//! transaction that changes it. On a marketing list's page the rows are its members (records of the
//! list's kind), and "all N matching" is every member its members' filters find.
//!
//! A new way of choosing records is one more [`Scope`] variant: it is parsed in [`Selection::parse`]
//! and read batch by batch in `services::bulk` (one more arm there); the actions, the job and the
//! pages stay as they are.
//!
//! [`PageSelection`] is the list page's state of ticks: the rows ticked, the header box of the page, and
//! whether every matching record is chosen.

use super::marketing::MembersQuery;
use super::ListQuery;
use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Explicit selections up to this many records run in the request itself; larger ones, and every
/// "all matching", run as a background job with a progress bar.
pub const DIRECT_LIMIT: usize = 100;

/// The most records a user can tick one by one (across pages); past it, "select all matching" chooses
/// them by the filters. Also the most ids an export link carries.
pub const MAX_PICKED: usize = 1_000;

/// The lists with bulk actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BulkList {
    Accounts,
    Contacts,
    Leads,
    Opportunities,
}

impl BulkList {
    pub const ALL: [BulkList; 4] = [BulkList::Accounts, BulkList::Contacts, BulkList::Leads, BulkList::Opportunities];

    /// The list's path segment (`/accounts`, `/export/accounts.csv`).
    pub fn code(self) -> &'static str {
        match self {
            BulkList::Accounts => "accounts",
            BulkList::Contacts => "contacts",
            BulkList::Leads => "leads",
            BulkList::Opportunities => "opportunities",
        }
    }

    pub fn parse(s: &str) -> Option<BulkList> {
        BulkList::ALL.into_iter().find(|l| l.code() == s.trim())
    }

    /// The kind of marketing list member its records are; `None` for opportunities, which no list holds.
    pub fn member_kind(self) -> Option<crate::domain::marketing::MemberKind> {
        use crate::domain::marketing::MemberKind;
        match self {
            BulkList::Accounts => Some(MemberKind::Account),
            BulkList::Contacts => Some(MemberKind::Contact),
            BulkList::Leads => Some(MemberKind::Lead),
            BulkList::Opportunities => None,
        }
    }
}

/// How the records of a selection are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Scope {
    /// Ticked one by one: (id, version seen), ascending by id, each id once.
    Ids(Vec<(i64, i64)>),
    /// Every record the list's filters find (its sort and page cursor do not matter).
    Matching(Box<ListQuery>),
    /// Every member of the marketing list with this id that the members' filters find.
    Members(i64, Box<MembersQuery>),
}

/// The records a bulk action applies to: one list, one scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    pub list: BulkList,
    pub scope: Scope,
}

/// A selection as a page sends it (flat text, like a form): `scope` is "ids" with `ids` as
/// `id:version,id:version…`, "matching" with the list's filters in `query`, or "members" with the
/// marketing list's id in `members_of` and its members' filters in `members`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelectionInput {
    pub list: String,
    pub scope: String,
    pub ids: String,
    pub query: ListQuery,
    pub members_of: String,
    pub members: MembersQuery,
}

impl Selection {
    /// Reads a page's selection: a known list; ticked rows as `id:version` pairs (at least one, at most
    /// [`MAX_PICKED`], ids sorted and each once); or the filters. Malformed input names the field
    /// "selection".
    pub fn parse(i: &SelectionInput) -> Result<Selection, AppError> {
        let list = BulkList::parse(&i.list).ok_or_else(|| field("selection", Problem::InvalidChoice))?;
        let scope = match i.scope.trim() {
            "ids" => {
                let mut picked: BTreeMap<i64, i64> = BTreeMap::new();
                for pair in i.ids.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (id, version) = pair.split_once(':').ok_or_else(|| field("selection", Problem::InvalidChoice))?;
                    let id: i64 = id.trim().parse().map_err(|_| field("selection", Problem::InvalidChoice))?;
                    let version: i64 = version.trim().parse().map_err(|_| field("selection", Problem::InvalidChoice))?;
                    if id <= 0 || version <= 0 {
                        return Err(field("selection", Problem::InvalidChoice));
                    }
                    picked.insert(id, version);
                }
                if picked.is_empty() {
                    return Err(field("selection", Problem::Required));
                }
                if picked.len() > MAX_PICKED {
                    return Err(field("selection", Problem::OutOfRange(1, MAX_PICKED as i64)));
                }
                Scope::Ids(picked.into_iter().collect())
            }
            "matching" => {
                let mut q = i.query.clone();
                q.cursor.clear();
                q.sort.clear();
                q.dir.clear();
                Scope::Matching(Box::new(q))
            }
            "members" => {
                let id: i64 = i.members_of.trim().parse().map_err(|_| field("selection", Problem::InvalidChoice))?;
                if id <= 0 || list.member_kind().is_none() {
                    return Err(field("selection", Problem::InvalidChoice));
                }
                let q = MembersQuery { cursor: String::new(), ..i.members.clone() };
                Scope::Members(id, Box::new(q))
            }
            _ => return Err(field("selection", Problem::InvalidChoice)),
        };
        Ok(Selection { list, scope })
    }

    /// Small explicit selections run in the request; the rest as a job.
    pub fn runs_directly(&self) -> bool {
        matches!(&self.scope, Scope::Ids(ids) if ids.len() <= DIRECT_LIMIT)
    }

    /// The next at most `limit` ticked records after id `after` (the job's cursor), in id order.
    pub fn ids_after(&self, after: i64, limit: usize) -> &[(i64, i64)] {
        match &self.scope {
            Scope::Ids(ids) => {
                let start = ids.partition_point(|(id, _)| *id <= after);
                &ids[start..(start + limit).min(ids.len())]
            }
            _ => &[],
        }
    }
}

/// What to do with the selected records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// Give them to this user (one the actor may assign to).
    AssignOwner(i64),
    /// Move them to the trash, each with the refusals of its own delete.
    Delete,
    /// Add them to this static, unlocked marketing list of their kind (accounts, contacts, leads).
    AddToList(i64),
    /// Take them off this static, unlocked marketing list of their kind.
    RemoveFromList(i64),
}

impl BulkAction {
    /// "assign" with an owner's id, "delete", or "list" (add) or "unlist" (remove) with a marketing
    /// list's id.
    pub fn parse(action: &str, owner: &str, list: &str) -> Result<BulkAction, AppError> {
        match action.trim() {
            "assign" => {
                let owner: i64 = owner.trim().parse().map_err(|_| field("owner_id", Problem::Required))?;
                Ok(BulkAction::AssignOwner(owner))
            }
            "delete" => Ok(BulkAction::Delete),
            "list" | "unlist" => {
                let id: i64 = list.trim().parse().map_err(|_| field("list_id", Problem::Required))?;
                Ok(if action.trim() == "list" { BulkAction::AddToList(id) } else { BulkAction::RemoveFromList(id) })
            }
            _ => Err(field("action", Problem::InvalidChoice)),
        }
    }
}

/// The ids of a list narrowed to chosen records (`ListQuery::ids`, "3,8,15"): `None` without the
/// narrowing; otherwise the ids (at most [`MAX_PICKED`], malformed parts left out — so a narrowing whose
/// every part is malformed matches nothing rather than everything).
pub fn parse_id_list(s: &str) -> Option<Vec<i64>> {
    if s.trim().is_empty() {
        return None;
    }
    Some(s.split(',').filter_map(|p| p.trim().parse::<i64>().ok()).filter(|id| *id > 0).take(MAX_PICKED).collect())
}

/// The state of the header box of a page: none, some or all of its rows ticked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageTick {
    None,
    Some,
    All,
}

/// What a list page has ticked: rows by id with the version shown, or every matching record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageSelection {
    pub picked: BTreeMap<i64, i64>,
    pub all_matching: bool,
}

impl PageSelection {
    pub fn is_empty(&self) -> bool {
        self.picked.is_empty() && !self.all_matching
    }

    pub fn is_picked(&self, id: i64) -> bool {
        self.all_matching || self.picked.contains_key(&id)
    }

    /// Ticks or unticks one row. Unticking a row of "all matching" leaves the rows of the page
    /// ticked but that one (the filters no longer describe the choice).
    pub fn toggle(&mut self, id: i64, version: i64, page: &[(i64, i64)]) {
        if self.all_matching {
            self.all_matching = false;
            self.picked = page.iter().copied().collect();
        }
        if self.picked.remove(&id).is_none() && self.picked.len() < MAX_PICKED {
            self.picked.insert(id, version);
        }
    }

    /// The header box: unticks the page when all its rows are ticked, else ticks them all.
    pub fn toggle_page(&mut self, page: &[(i64, i64)]) {
        if self.page_tick(page) == PageTick::All {
            self.all_matching = false;
            for (id, _) in page {
                self.picked.remove(id);
            }
        } else {
            for (id, version) in page {
                if self.picked.len() >= MAX_PICKED {
                    break;
                }
                self.picked.insert(*id, *version);
            }
        }
    }

    pub fn page_tick(&self, page: &[(i64, i64)]) -> PageTick {
        let n = page.iter().filter(|(id, _)| self.is_picked(*id)).count();
        match n {
            0 => PageTick::None,
            n if n == page.len() => PageTick::All,
            _ => PageTick::Some,
        }
    }

    pub fn select_all_matching(&mut self) {
        self.all_matching = true;
        self.picked.clear();
    }

    pub fn clear(&mut self) {
        *self = PageSelection::default();
    }

    /// How many records are chosen: the ticks, or `total` (the list's count) for all matching.
    pub fn count(&self, total: i64) -> i64 {
        if self.all_matching {
            total
        } else {
            self.picked.len() as i64
        }
    }

    /// The selection to send for list `list` shown with filters `query`.
    pub fn to_input(&self, list: BulkList, query: &ListQuery) -> SelectionInput {
        if self.all_matching {
            SelectionInput { list: list.code().into(), scope: "matching".into(), query: query.clone(), ..Default::default() }
        } else {
            let ids = self.picked.iter().map(|(id, v)| format!("{id}:{v}")).collect::<Vec<_>>().join(",");
            SelectionInput { list: list.code().into(), scope: "ids".into(), ids, ..Default::default() }
        }
    }

    /// The selection to send for the members of marketing list `list_id` (records of `list`) shown with
    /// the members' filters `query`.
    pub fn to_members_input(&self, list: BulkList, list_id: i64, query: &MembersQuery) -> SelectionInput {
        if self.all_matching {
            SelectionInput {
                list: list.code().into(),
                scope: "members".into(),
                members_of: list_id.to_string(),
                members: query.clone(),
                ..Default::default()
            }
        } else {
            self.to_input(list, &ListQuery::default())
        }
    }

    /// The members' filters narrowed to the ticked rows (for an export link); all matching: the filters.
    pub fn export_members_query(&self, query: &MembersQuery) -> MembersQuery {
        let mut q = MembersQuery { cursor: String::new(), ..query.clone() };
        if !self.all_matching {
            q.ids = self.picked.keys().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
        }
        q
    }

    /// The list's filters narrowed to the ticked rows (for an export link); all matching: the filters.
    pub fn export_query(&self, query: &ListQuery) -> ListQuery {
        let mut q = query.clone();
        q.cursor.clear();
        if !self.all_matching {
            q.ids = self.picked.keys().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Result<Selection, AppError> {
        Selection::parse(&SelectionInput { list: "accounts".into(), scope: "ids".into(), ids: s.into(), ..Default::default() })
    }

    #[test]
    fn ticked_rows_are_sorted_and_each_taken_once() {
        let s = ids("9:2, 3:1,9:4").unwrap();
        assert_eq!(s.scope, Scope::Ids(vec![(3, 1), (9, 4)]));
        assert_eq!(s.list, BulkList::Accounts);
    }

    #[test]
    fn malformed_or_empty_selections_name_the_field() {
        assert_eq!(ids(""), Err(field("selection", Problem::Required)));
        assert_eq!(ids("3"), Err(field("selection", Problem::InvalidChoice)));
        assert_eq!(ids("x:1"), Err(field("selection", Problem::InvalidChoice)));
        assert_eq!(ids("-3:1"), Err(field("selection", Problem::InvalidChoice)));
        let too_many = (1..=MAX_PICKED as i64 + 1).map(|i| format!("{i}:1")).collect::<Vec<_>>().join(",");
        assert_eq!(ids(&too_many), Err(field("selection", Problem::OutOfRange(1, MAX_PICKED as i64))));
        let bad_list = SelectionInput { list: "users".into(), scope: "ids".into(), ids: "1:1".into(), ..Default::default() };
        assert_eq!(Selection::parse(&bad_list), Err(field("selection", Problem::InvalidChoice)));
        let bad_scope = SelectionInput { list: "leads".into(), scope: "everything".into(), ..Default::default() };
        assert_eq!(Selection::parse(&bad_scope), Err(field("selection", Problem::InvalidChoice)));
    }

    #[test]
    fn all_matching_keeps_the_filters_without_sort_or_page() {
        let q = ListQuery { region: "Šumadija".into(), cursor: "ab.3".into(), sort: "name".into(), ..Default::default() };
        let s = Selection::parse(&SelectionInput { list: "contacts".into(), scope: "matching".into(), query: q, ..Default::default() })
            .unwrap();
        assert_eq!(s.scope, Scope::Matching(Box::new(ListQuery { region: "Šumadija".into(), ..Default::default() })));
        assert!(!s.runs_directly());
    }

    #[test]
    fn a_lists_members_are_chosen_by_the_list_and_its_filters() {
        let members = MembersQuery { q: "ana".into(), flag: "do_not_call".into(), cursor: "ab.3".into(), ..Default::default() };
        let input = |list: &str, of: &str| SelectionInput {
            list: list.into(),
            scope: "members".into(),
            members_of: of.into(),
            members: members.clone(),
            ..Default::default()
        };
        let s = Selection::parse(&input("contacts", "7")).unwrap();
        assert_eq!(s.scope, Scope::Members(7, Box::new(MembersQuery { cursor: String::new(), ..members.clone() })));
        assert!(!s.runs_directly());
        assert_eq!(Selection::parse(&input("contacts", "x")), Err(field("selection", Problem::InvalidChoice)));
        assert_eq!(Selection::parse(&input("opportunities", "7")), Err(field("selection", Problem::InvalidChoice)));
        let mut page = PageSelection::default();
        page.toggle(3, 2, &[(3, 2), (5, 1)]);
        let ticked = page.to_members_input(BulkList::Contacts, 7, &members);
        assert_eq!((ticked.scope.as_str(), ticked.ids.as_str()), ("ids", "3:2"));
        assert_eq!(page.export_members_query(&members).ids, "3");
        page.select_all_matching();
        let all = page.to_members_input(BulkList::Contacts, 7, &members);
        assert_eq!((all.scope.as_str(), all.members_of.as_str(), all.members.q.as_str()), ("members", "7", "ana"));
        assert_eq!(page.export_members_query(&members), MembersQuery { cursor: String::new(), ..members.clone() });
    }

    #[test]
    fn up_to_the_limit_runs_in_the_request() {
        let pairs = |n: i64| (1..=n).map(|i| format!("{i}:1")).collect::<Vec<_>>().join(",");
        assert!(ids(&pairs(DIRECT_LIMIT as i64)).unwrap().runs_directly());
        assert!(!ids(&pairs(DIRECT_LIMIT as i64 + 1)).unwrap().runs_directly());
    }

    #[test]
    fn batches_continue_after_the_cursor() {
        let s = ids("2:1,5:1,7:3,11:1").unwrap();
        assert_eq!(s.ids_after(0, 2), &[(2, 1), (5, 1)]);
        assert_eq!(s.ids_after(5, 2), &[(7, 3), (11, 1)]);
        assert_eq!(s.ids_after(6, 10), &[(7, 3), (11, 1)]);
        assert!(s.ids_after(11, 10).is_empty());
    }

    #[test]
    fn actions_need_an_owner_to_assign() {
        assert_eq!(BulkAction::parse("assign", "4", ""), Ok(BulkAction::AssignOwner(4)));
        assert_eq!(BulkAction::parse("assign", "", "7"), Err(field("owner_id", Problem::Required)));
        assert_eq!(BulkAction::parse("delete", "", ""), Ok(BulkAction::Delete));
        assert_eq!(BulkAction::parse("list", "", " 7"), Ok(BulkAction::AddToList(7)));
        assert_eq!(BulkAction::parse("list", "4", ""), Err(field("list_id", Problem::Required)));
        assert_eq!(BulkAction::parse("unlist", "", "9"), Ok(BulkAction::RemoveFromList(9)));
        assert_eq!(BulkAction::parse("unlist", "", ""), Err(field("list_id", Problem::Required)));
        assert_eq!(BulkAction::parse("merge", "", ""), Err(field("action", Problem::InvalidChoice)));
    }

    #[test]
    fn an_id_narrowing_never_widens_to_everything() {
        assert_eq!(parse_id_list(""), None);
        assert_eq!(parse_id_list("3, 8,x,-1"), Some(vec![3, 8]));
        assert_eq!(parse_id_list("x"), Some(vec![]));
    }

    #[test]
    fn the_header_box_ticks_and_unticks_the_page() {
        let page = [(1, 1), (2, 1), (3, 2)];
        let mut s = PageSelection::default();
        assert_eq!(s.page_tick(&page), PageTick::None);
        s.toggle(2, 1, &page);
        assert_eq!(s.page_tick(&page), PageTick::Some);
        s.toggle_page(&page);
        assert_eq!(s.page_tick(&page), PageTick::All);
        assert_eq!(s.count(500), 3);
        s.toggle_page(&page);
        assert!(s.is_empty());
    }

    #[test]
    fn all_matching_then_one_untick_keeps_the_rest_of_the_page() {
        let page = [(1, 1), (2, 1), (3, 2)];
        let mut s = PageSelection::default();
        s.select_all_matching();
        assert_eq!(s.count(1234), 1234);
        assert_eq!(s.page_tick(&page), PageTick::All);
        s.toggle(2, 1, &page);
        assert!(!s.all_matching);
        assert_eq!(s.picked.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn a_selection_travels_as_flat_text() {
        let page = [(4, 2), (9, 7)];
        let mut s = PageSelection::default();
        s.toggle_page(&page);
        let q = ListQuery { region: "Srem".into(), ..Default::default() };
        let input = s.to_input(BulkList::Leads, &q);
        assert_eq!((input.scope.as_str(), input.ids.as_str()), ("ids", "4:2,9:7"));
        assert_eq!(Selection::parse(&input).unwrap().scope, Scope::Ids(vec![(4, 2), (9, 7)]));
        assert_eq!(s.export_query(&q).ids, "4,9");
        s.select_all_matching();
        let input = s.to_input(BulkList::Leads, &q);
        assert_eq!(Selection::parse(&input).unwrap().scope, Scope::Matching(Box::new(q.clone())));
        assert_eq!(s.export_query(&q).ids, "");
    }
}
