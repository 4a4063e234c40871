//! The analysis job: reads the file twice, a batch at a time. The first pass checks every row and finds
//! which rows are the same thing — sharing an exact key (e-mail, PIB, MB, phone, a contact's name at an
//! account), the same company name in the same city, or the same existing record in the database — and
//! joins them into groups (union–find over row numbers; only keys are kept in memory), never two whose
//! identifiers differ (`domain::identity`). A similar name only suggests: the group may be the same as an
//! earlier group or an existing record, and stays apart unless the user joins it. The second pass
//! stores the rows that need a word: rejected ones with their reasons, and the members of each group
//! with the default decision (update, filling empty fields only).

use super::{file, heartbeat, ImportDb, BATCH};
use crate::db::sql::Sql;
use crate::db::{now, Db};
use crate::domain::dedup::DuplicateRules;
use crate::domain::identity::Identity;
use crate::domain::imports::{Decision, ImportEntity, ImportOptions, NewAccounts};
use crate::domain::text::search_key;
use crate::error::{AppError, Problem};
use crate::services::matching::lookup::{self, Existing, Names, Owners};
use crate::services::matching::prepare::{fuzzy_match, prepare, Prepared};
use crate::services::Actor;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A row after the checks that need the database: its owner and (for contacts) account resolved.
pub struct Checked {
    pub row_no: i64,
    pub p: Prepared,
    pub owner: (i64, Option<i64>),
    pub account_id: Option<i64>,
    /// A lead's source, found among the active lead sources by its label, code or either language.
    pub source_id: Option<i64>,
    /// A deal's stage (an open one, by name; the pipeline's first when the row names none) and its
    /// contact (by e-mail, at the deal's account).
    pub stage_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// A contact's company that is not in Veza, to be created with it (the cell as the row has it).
    pub new_account: Option<String>,
}

/// Companies counted by name for the preview's list of companies to be created.
const MAX_NEW_ACCOUNTS_LISTED: usize = 10_000;

/// A row the analysis stores: its number, kind ("rejected" or "duplicate"), reasons, cells, and for a
/// grouped row where it belongs.
type StoredRow = (i64, &'static str, Option<String>, String, Option<Grouped>);

/// Where a stored row belongs: its group, what it matched by (and how alike), the existing record its
/// group is, and what its group may be the same as (found by a similar name only).
struct Grouped {
    group: i64,
    matched: Option<(String, i64)>,
    existing_id: Option<i64>,
    suggested_group: Option<i64>,
    suggested_id: Option<i64>,
    suggested_similarity: Option<i64>,
}

/// What every batch of one import is checked with.
pub struct Setup {
    pub actor: Actor,
    pub entity: ImportEntity,
    pub mapping: Vec<String>,
    pub options: ImportOptions,
    pub owners: Owners,
    pub rules: DuplicateRules,
    pub names: Names,
}

impl Setup {
    /// Shared, so a batch's rows can be prepared off the async task (see `check_batch`).
    pub(crate) async fn of(db: &Db, imp: &ImportDb) -> Result<Arc<Setup>, AppError> {
        Ok(Arc::new(Setup {
            actor: crate::services::auth::user_by_id(db, imp.created_by).await?,
            entity: imp.entity(),
            mapping: imp.mapping(),
            options: imp.options(),
            owners: Owners::load(db).await?,
            rules: crate::services::matching::rules(db).await?,
            names: Names::load(db).await?,
        }))
    }
}

/// Prepares a batch of raw rows and resolves owners and accounts; unknown ones become problems.
///
/// The rows are prepared on the blocking pool (on all cores, see `on_all_cores`), not on the async
/// task: the analysis and the import check the next batch while the database works on the current one
/// (`tokio::join!` on one task), and preparing on the task would stall that other future until every
/// row was done.
pub async fn check_batch(db: &Db, setup: &Arc<Setup>, raw: Vec<(i64, Vec<String>)>) -> Result<Vec<Checked>, AppError> {
    let mut out: Vec<Checked> = if raw.len() < SMALL_BATCH {
        prepare_rows(setup, raw)
    } else {
        let shared = Arc::clone(setup);
        tokio::task::spawn_blocking(move || prepare_rows(&shared, raw)).await.map_err(|e| {
            tracing::error!(error = %e, "preparing import rows failed");
            AppError::Internal
        })?
    };
    let (actor, entity) = (&setup.actor, setup.entity);
    if matches!(entity, ImportEntity::Contact | ImportEntity::Opportunity | ImportEntity::Activity) {
        let refs: Vec<String> = out.iter().filter_map(|c| c.p.get("account").map(str::to_string)).collect();
        let found = lookup::accounts_for(db, actor, &refs).await?;
        for c in out.iter_mut() {
            if let Some(r) = c.p.get("account").map(str::to_string) {
                match found.get(&search_key(&r)) {
                    Some(id) => c.account_id = Some(*id),
                    None if entity == ImportEntity::Contact && setup.options.create_accounts && !is_pib(&r) => c.new_account = Some(r),
                    None => mark(&mut c.p, "account", Problem::NotFoundByName),
                }
            }
        }
    }
    // A deal's contact is one at its account; an activity's, at its account when it names one (else the
    // contact's account is the activity's).
    if matches!(entity, ImportEntity::Opportunity | ImportEntity::Activity) {
        let emails: Vec<String> = out.iter().filter_map(|c| c.p.get("contact").map(str::to_lowercase)).collect();
        let found = lookup::contacts_by_email(db, actor, &emails).await?;
        for c in out.iter_mut() {
            let Some(email) = c.p.get("contact").map(str::to_lowercase) else { continue };
            let any_account = entity == ImportEntity::Activity && c.p.get("account").is_none();
            let hit =
                found.get(&email).and_then(|hits| hits.iter().find(|(_, a)| any_account || (c.account_id.is_some() && *a == c.account_id)));
            match hit {
                Some((id, account)) => {
                    c.contact_id = Some(*id);
                    if any_account {
                        c.account_id = *account;
                    }
                }
                None => mark(&mut c.p, "contact", Problem::NotFoundByName),
            }
        }
    }
    Ok(out)
}

/// A company named by its PIB alone cannot be created from it: it must be found.
fn is_pib(cell: &str) -> bool {
    let t = cell.trim();
    t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit())
}

/// The key a company to be created is known by within one import: its name without legal form, case,
/// diacritics or script (rows writing it differently create it once).
pub(crate) fn new_account_key(name: &str) -> String {
    crate::domain::normalize::company_key(name).replace("dj", "d")
}

/// Fewer rows than this are prepared on the calling thread: handing them over costs more than it saves.
const SMALL_BATCH: usize = 200;

/// The database-free part of the checks: each row parsed, normalized, keyed, and its owner, lead source
/// and stage resolved from what `Setup` loaded.
fn prepare_rows(setup: &Setup, raw: Vec<(i64, Vec<String>)>) -> Vec<Checked> {
    let Setup { actor, entity, mapping, options, owners, rules, names } = setup;
    let entity = *entity;
    on_all_cores(raw, |(row_no, cells)| {
        let mut p = prepare(entity, mapping, options, &cells);
        crate::services::matching::apply_rules(rules, entity, &mut p);
        let owner = match owners.resolve(actor, p.get("owner")) {
            Ok(o) => o,
            Err(problem) => {
                mark(&mut p, "owner", problem);
                (actor.id, actor.team_id)
            }
        };
        let mut source_id = None;
        if let Some(key) = p.get("source").map(search_key) {
            match names.sources.get(&key) {
                Some(id) => source_id = Some(*id),
                None => mark(&mut p, "source", Problem::InvalidChoice),
            }
        }
        let mut stage_id = None;
        if entity == ImportEntity::Opportunity {
            match p.get("stage").map(search_key) {
                Some(key) => match names.stages.get(&key) {
                    Some(id) => stage_id = Some(*id),
                    None => mark(&mut p, "stage", Problem::InvalidChoice),
                },
                None => stage_id = names.first_stage,
            }
        }
        Checked { row_no, p, owner, account_id: None, source_id, stage_id, contact_id: None, new_account: None }
    })
}

/// Maps a batch's rows on every core: the rows are split into one run per core, the first mapped on
/// the calling thread, the others on scoped threads; the results keep the rows' order. Preparing a
/// row (parsing, normalizing, keys) is pure work on its own cells, and it is most of an analysis's
/// time; a small batch stays on the calling thread. `VEZA_IMPORT_THREADS` sets the number of runs
/// (default: the machine's cores, at most 4), 1 keeps imports on one thread of a shared server.
fn on_all_cores<T: Send, U: Send>(rows: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| match std::env::var("VEZA_IMPORT_THREADS").ok().and_then(|v| v.parse::<usize>().ok()) {
        Some(n) => n.max(1),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()).min(4),
    });
    if cores < 2 || rows.len() < SMALL_BATCH {
        return rows.into_iter().map(f).collect();
    }
    let per_run = rows.len().div_ceil(cores);
    let mut runs: Vec<Vec<T>> = Vec::with_capacity(cores);
    let mut rest = rows.into_iter();
    loop {
        let run: Vec<T> = rest.by_ref().take(per_run).collect();
        if run.is_empty() {
            break;
        }
        runs.push(run);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let mut runs = runs.into_iter();
        let first = runs.next().unwrap_or_default();
        let others: Vec<_> = runs.map(|run| scope.spawn(move || run.into_iter().map(f).collect::<Vec<U>>())).collect();
        let mut out: Vec<U> = first.into_iter().map(f).collect();
        for other in others {
            match other.join() {
                Ok(mapped) => out.extend(mapped),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

fn mark(p: &mut Prepared, f: &str, problem: Problem) {
    if let Some(cell) = p.cells.iter_mut().find(|c| c.field == f) {
        cell.problem = Some(problem.clone());
    }
    p.problems.push((f.to_string(), problem));
    p.problems.sort_by(|a, b| a.0.cmp(&b.0));
}

/// A company-name key and a city key.
type FuzzyKey = (String, String);

/// Union–find over row numbers; the smallest row of a group is its root (and the group's number). Each
/// group knows the identifiers of its rows (and of the existing record they matched): two groups whose
/// identifiers differ are never joined, whatever key they share (`domain::identity`).
struct Groups {
    parent: Vec<u32>,
    identity: HashMap<u32, Identity>,
}

impl Groups {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }
    /// Joins the groups of `a` and `b` unless their identifiers differ; whether they are one group now.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        if self.conflict(ra, rb) {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        if let Some(high) = self.identity.remove(&hi) {
            self.identity.entry(lo).or_default().absorb(&high);
        }
        true
    }
    /// Do the identifiers of two groups (by their roots) say they are different records?
    fn conflict(&self, ra: u32, rb: u32) -> bool {
        matches!((self.identity.get(&ra), self.identity.get(&rb)), (Some(x), Some(y)) if x.conflicts(y))
    }
    /// Adds what a row (or the record it matched) says of its group.
    fn learn(&mut self, r: u32, identity: &Identity) {
        if *identity != Identity::default() {
            let root = self.find(r);
            self.identity.entry(root).or_default().absorb(identity);
        }
    }
    fn identity_of(&mut self, r: u32) -> Identity {
        let root = self.find(r);
        self.identity.get(&root).cloned().unwrap_or_default()
    }
    fn ensure(&mut self, n: u32) {
        while self.parent.len() <= n as usize {
            let i = self.parent.len() as u32;
            self.parent.push(i);
        }
    }
}

/// A record a group may be the same as, found only by a similar name: an earlier group of the file (by
/// its root row) or an existing record; never joined unless the user says so.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Suggested {
    Group(u32),
    Record(i64),
}

/// The next batch of rows, checked (empty at the end of the file).
async fn read_checked(db: &Db, setup: &Arc<Setup>, rows: &mut file::Rows<'_>, next_row: &mut i64) -> Result<Vec<Checked>, AppError> {
    let batch = rows.next_batch(BATCH, next_row).await?;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    check_batch(db, setup, batch).await
}

pub(crate) async fn run(db: &Db, imp: &ImportDb, worker: &str) -> Result<(), AppError> {
    let setup = Setup::of(db, imp).await?;
    let (actor, entity) = (&setup.actor, setup.entity);
    let threshold = setup.rules.name_threshold(entity.code());
    sqlx::query("DELETE FROM import_rows WHERE import_id = $1").bind(imp.id).execute(&db.pool).await?;

    // Pass 1: checks, keys and groups.
    let mut groups = Groups { parent: vec![0], identity: HashMap::new() };
    let mut rejected: Vec<bool> = vec![false];
    let mut first_with_key: HashMap<String, u32> = HashMap::new();
    let mut blocks: HashMap<String, Vec<(u32, FuzzyKey)>> = HashMap::new();
    let mut why: HashMap<u32, (String, u8)> = HashMap::new();
    let mut existing: HashMap<u32, Existing> = HashMap::new();
    // The best suggestion each row got by a similar name (with the existing record's identifiers).
    let mut suggested: HashMap<u32, (Suggested, u8, Identity)> = HashMap::new();
    // Contacts' companies that are not in Veza (named ones, then only counted).
    let mut new_accounts: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut more_new_accounts: HashSet<String> = HashSet::new();
    let mut rows = file::Rows::new(db, imp.id, imp.delimiter());
    let _ = rows.next_nonblank().await?;
    let mut n = 0i64;
    let mut next = read_checked(db, &setup, &mut rows, &mut n).await?;
    loop {
        let (checked, done) = (next, n);
        if checked.is_empty() {
            break;
        }
        let good: Vec<&Checked> = checked.iter().filter(|c| c.p.ok()).collect();
        let refs: Vec<&Prepared> = good.iter().map(|c| &c.p).collect();
        // A company still to be created has no contacts yet: no id matches one (-1 is none).
        let accounts: Vec<Option<i64>> = good.iter().map(|c| c.account_id.or(c.new_account.as_ref().map(|_| -1))).collect();
        for c in &good {
            if let Some(name) = &c.new_account {
                if new_accounts.len() < MAX_NEW_ACCOUNTS_LISTED {
                    new_accounts.entry(new_account_key(name)).or_insert_with(|| name.clone());
                } else if !new_accounts.contains_key(&new_account_key(name)) {
                    more_new_accounts.insert(new_account_key(name));
                }
            }
        }
        // The next batch is read and checked while the database looks this one's duplicates up.
        let (matches, upcoming) = tokio::join!(
            lookup::match_existing(db, actor, entity, &refs, &accounts, threshold),
            read_checked(db, &setup, &mut rows, &mut n)
        );
        let mut matched = matches?.into_iter();
        for c in &checked {
            let r = c.row_no as u32;
            groups.ensure(r);
            rejected.resize(r as usize + 1, false);
            if !c.p.ok() {
                rejected[r as usize] = true;
                continue;
            }
            groups.learn(r, &c.p.identity);
            let mut keys = c.p.exact.clone();
            match matched.next().flatten() {
                Some(e) if e.is_exact() => {
                    keys.push(format!("db:{}", e.id));
                    groups.learn(r, &e.identity);
                    why.entry(r).or_insert((e.matched_by.clone(), e.similarity));
                    existing.insert(r, e);
                }
                Some(e) => {
                    suggested.insert(r, (Suggested::Record(e.id), e.similarity, e.identity));
                }
                None => {}
            }
            for k in keys {
                match first_with_key.get(&k) {
                    // Joined unless their identifiers differ (then the key is shared by different records).
                    Some(&other) => {
                        if groups.union(r, other) {
                            let kind = k.split(':').next().unwrap_or("").to_string();
                            let kind = if kind == "db" { why.get(&other).map(|w| w.0.clone()).unwrap_or(kind) } else { kind };
                            why.entry(r).or_insert((kind.clone(), 100));
                            why.entry(other).or_insert((kind, 100));
                        }
                    }
                    None => {
                        first_with_key.insert(k, r);
                    }
                }
            }
            // The same company name (only spelling apart) in the same city joins a group; a similar one is
            // a suggestion. Compared within the file with the latest 50 of the same start.
            if let Some(fz) = &c.p.fuzzy {
                let prefix: String = fz.0.replace("dj", "d").chars().take(3).collect();
                let block = blocks.entry(prefix).or_default();
                let mut best: Option<(u32, u8)> = None;
                let mut joined = false;
                for (other, okey) in block.iter().rev().take(50) {
                    let Some(s) = fuzzy_match(fz, okey, threshold) else { continue };
                    if s >= 100 {
                        if groups.union(r, *other) {
                            why.entry(r).or_insert(("name".into(), 100));
                            why.entry(*other).or_insert(("name".into(), 100));
                            joined = true;
                            break;
                        }
                    } else if best.is_none_or(|b| s > b.1) {
                        best = Some((*other, s));
                    }
                }
                if let (false, Some((other, s))) = (joined, best) {
                    if suggested.get(&r).is_none_or(|old| s > old.1) {
                        suggested.insert(r, (Suggested::Group(other), s, Identity::default()));
                    }
                }
                block.push((r, fz.clone()));
            }
        }
        next = upcoming?;
        progress(db, imp.id, worker, done, 0).await?;
    }
    let total = n;
    let mut size: HashMap<u32, u32> = HashMap::new();
    for r in 1..=total as u32 {
        if !rejected[r as usize] {
            *size.entry(groups.find(r)).or_default() += 1;
        }
    }
    // Suggestions by group (the best one of its rows), as the groups ended: none for a group that found
    // its existing record by an identifier or its name, or that is already one with the suggestion, or
    // whose identifiers differ from it.
    let with_existing: HashSet<u32> = existing.keys().copied().collect::<Vec<_>>().into_iter().map(|r| groups.find(r)).collect();
    let mut suggestion: HashMap<u32, (Suggested, u8)> = HashMap::new();
    let mut by_row: Vec<(u32, (Suggested, u8, Identity))> = suggested.into_iter().collect();
    by_row.sort_by_key(|(r, _)| *r);
    for (r, (target, similarity, identity)) in by_row {
        let root = groups.find(r);
        if with_existing.contains(&root) {
            continue;
        }
        let target = match target {
            Suggested::Group(other) => {
                let other = groups.find(other);
                if other == root || groups.conflict(root, other) {
                    continue;
                }
                Suggested::Group(other)
            }
            Suggested::Record(id) => {
                if groups.identity_of(root).conflicts(&identity) {
                    continue;
                }
                Suggested::Record(id)
            }
        };
        if suggestion.get(&root).is_none_or(|old| similarity > old.1) {
            suggestion.insert(root, (target, similarity));
        }
    }
    let targets: HashSet<u32> =
        suggestion.values().filter_map(|(t, _)| if let Suggested::Group(g) = t { Some(*g) } else { None }).collect();

    // Pass 2: store rejected rows and group members.
    let mut rows = file::Rows::new(db, imp.id, imp.delimiter());
    let _ = rows.next_nonblank().await?;
    let mut n = 0i64;
    let (mut rejected_count, mut group_roots) = (0i64, HashSet::new());
    loop {
        let batch = rows.next_batch(BATCH, &mut n).await?;
        if batch.is_empty() {
            break;
        }
        let wanted: Vec<(i64, Vec<String>)> = batch
            .into_iter()
            .filter(|(row_no, _)| {
                let r = *row_no as u32;
                let root = groups.find(r);
                rejected[r as usize]
                    || existing.contains_key(&r)
                    || size.get(&root).copied().unwrap_or(0) > 1
                    || suggestion.contains_key(&root)
                    || targets.contains(&root)
            })
            .collect();
        let checked = check_batch(db, &setup, wanted).await?;
        // The batch's rejected and duplicate rows, written 50 to a statement.
        let mut found: Vec<StoredRow> = Vec::new();
        for c in checked {
            let r = c.row_no as u32;
            let cells = serde_json::to_string(&c.p.cells).unwrap_or_default();
            if rejected[r as usize] || !c.p.ok() {
                rejected_count += 1;
                found.push((c.row_no, "rejected", Some(serde_json::to_string(&c.p.problems).unwrap_or_default()), cells, None));
                continue;
            }
            let root = groups.find(r);
            // A group is shown for a decision when it has several rows, an existing record or a suggestion;
            // a lone row that is only another group's suggestion is stored for the import to find it.
            if size.get(&root).copied().unwrap_or(0) > 1 || with_existing.contains(&root) || suggestion.contains_key(&root) {
                group_roots.insert(root);
            }
            let matched = why.get(&r).map(|(by, s)| (by.clone(), *s as i64));
            let (suggested_group, suggested_id, suggested_similarity) = match suggestion.get(&root) {
                Some((Suggested::Group(g), s)) => (Some(*g as i64), None, Some(*s as i64)),
                Some((Suggested::Record(id), s)) => (None, Some(*id), Some(*s as i64)),
                None => (None, None, None),
            };
            found.push((
                c.row_no,
                "duplicate",
                None,
                cells,
                Some(Grouped {
                    group: root as i64,
                    matched,
                    existing_id: existing.get(&r).map(|e| e.id),
                    suggested_group,
                    suggested_id,
                    suggested_similarity,
                }),
            ));
        }
        let mut tx = db.begin().await?;
        for chunk in found.chunks(50) {
            let mut sql = Sql::for_rows(
                db.backend,
                "INSERT INTO import_rows (import_id, row_no, kind, reasons, cells, dup_group, matched_by, similarity, existing_id, decision, \
                 policies, outcome, suggested_group, suggested_id, suggested_similarity) VALUES ",
            );
            for (i, (row_no, kind, reasons, cells, dup)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" }).bind(imp.id).push(", ").bind(*row_no).push(", ").bind(*kind);
                sql.push(", ").bind(reasons.clone()).push(", ").bind(cells.clone()).push(", ");
                match dup {
                    // A rejected row: no group, no decision; its outcome is known.
                    None => sql.push("NULL, NULL, NULL, NULL, NULL, NULL, 'rejected', NULL, NULL, NULL)"),
                    Some(g) => sql
                        .bind(g.group)
                        .push(", ")
                        .bind(g.matched.as_ref().map(|m| m.0.clone()))
                        .push(", ")
                        .bind(g.matched.as_ref().map(|m| m.1))
                        .push(", ")
                        .bind(g.existing_id)
                        .push(", ")
                        .bind(Decision::Update.code())
                        .push(", '[]', NULL, ")
                        .bind(g.suggested_group)
                        .push(", ")
                        .bind(g.suggested_id)
                        .push(", ")
                        .bind(g.suggested_similarity)
                        .push(")"),
                };
            }
            sql.query().execute(&mut *tx).await?;
        }
        heartbeat(&mut tx, imp.id, worker).await?;
        sqlx::query("UPDATE imports SET rows_done = $1, total_rows = $2 WHERE id = $3")
            .bind(n)
            .bind(total)
            .bind(imp.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let n = sqlx::query(
        "UPDATE imports SET status = 'review', total_rows = $1, rows_done = $1, rejected_count = $2, group_count = $3, worker = NULL, \
         heartbeat_at = NULL, version = version + 1, new_accounts = $6 WHERE id = $4 AND worker = $5",
    )
    .bind(total)
    .bind(rejected_count)
    .bind(group_roots.len() as i64)
    .bind(imp.id)
    .bind(worker)
    .bind(
        (!new_accounts.is_empty())
            .then(|| NewAccounts { count: (new_accounts.len() + more_new_accounts.len()) as i64, names: new_accounts.into_values().take(50).collect() })
            .map(|n| serde_json::to_string(&n).unwrap_or_default()),
    )
    .execute(&db.pool)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    tracing::info!(import = imp.id, rows = total, rejected = rejected_count, groups = group_roots.len(), at = %now(), "import analysed");
    Ok(())
}

async fn progress(db: &Db, id: i64, worker: &str, done: i64, total: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    heartbeat(&mut tx, id, worker).await?;
    sqlx::query("UPDATE imports SET rows_done = $1, total_rows = $2 WHERE id = $3")
        .bind(done)
        .bind(total)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::on_all_cores;

    #[test]
    fn rows_mapped_on_all_cores_keep_their_order() {
        for n in [0usize, 1, 199, 200, 1000, 1001] {
            let rows: Vec<usize> = (0..n).collect();
            let mapped = on_all_cores(rows, |r| (r, r * 2));
            assert_eq!(mapped, (0..n).map(|r| (r, r * 2)).collect::<Vec<_>>(), "{n} rows");
        }
    }
}
