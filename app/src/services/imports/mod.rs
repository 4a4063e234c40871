//! Importing spreadsheets of accounts, contacts, leads, products, opportunities and activities: upload → mapping → analysis (a background job:
//! normalization, checks, duplicates in the file and in the database) → review (preview, rejects,
//! duplicate groups with a decision each) → import (a background job, atomic per batch, resumable) →
//! rejects as CSV, and undo while nothing depends on the imported records.
//!
//! Managers and admins import; an import is seen by its author and admins. The work is done by whichever
//! server claims the job (a lease with a heartbeat), so a killed server's import is continued by the next
//! one that looks — this one after a restart, or another on the same Postgres.

pub mod analyze;
pub mod apply;
pub mod file;
pub(crate) mod forms;
pub mod undo;

use super::matching::lookup;
use super::Actor;
use crate::db::sql::Sql;
use crate::db::{now, Db};
use crate::domain::imports::*;
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use sqlx::Row;
use std::collections::HashMap;

/// Rows written per transaction (and per progress step): short enough that SQLite's write lock is not
/// held long, long enough that each commit's rewrite of the index pages it changed is shared by many
/// rows (docs/performance.md, W5).
pub const BATCH: usize = 1000;
/// A job whose worker has not reported for this long is taken over by another.
pub const LEASE_SECONDS: i64 = 20;

pub fn can_import(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Manager)
}

/// The largest file accepted, from `VEZA_IMPORT_MAX_MB` (default 50 MB).
pub fn max_bytes() -> usize {
    std::env::var("VEZA_IMPORT_MAX_MB").ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|v| *v > 0).unwrap_or(50) * 1024 * 1024
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImportDb {
    pub id: i64,
    pub entity: String,
    pub file_name: String,
    pub encoding: String,
    pub delimiter: String,
    pub headers: String,
    pub mapping: String,
    pub options: String,
    pub status: String,
    pub total_rows: i64,
    pub rows_done: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub skipped_count: i64,
    pub rejected_count: i64,
    pub group_count: i64,
    pub error: Option<String>,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub version: i64,
    pub new_accounts: Option<String>,
}

const SELECT: &str =
    "SELECT i.id, i.entity, i.file_name, i.encoding, i.delimiter, i.headers, i.mapping, i.options, i.status, i.total_rows, \
    i.rows_done, i.created_count, i.updated_count, i.skipped_count, i.rejected_count, i.group_count, i.error, i.created_by, \
    u.name AS created_by_name, i.created_at, i.finished_at, i.version, i.new_accounts FROM imports i JOIN users u ON u.id = i.created_by";

impl ImportDb {
    pub fn entity(&self) -> ImportEntity {
        ImportEntity::parse(&self.entity).unwrap_or(ImportEntity::Contact)
    }
    pub fn status(&self) -> ImportStatus {
        ImportStatus::parse(&self.status).unwrap_or(ImportStatus::Failed)
    }
    pub fn mapping(&self) -> Vec<String> {
        serde_json::from_str(&self.mapping).unwrap_or_default()
    }
    pub fn headers(&self) -> Vec<String> {
        serde_json::from_str(&self.headers).unwrap_or_default()
    }
    pub fn options(&self) -> ImportOptions {
        serde_json::from_str(&self.options).unwrap_or_default()
    }
    pub fn delimiter(&self) -> u8 {
        self.delimiter.bytes().next().unwrap_or(b',')
    }
    pub fn summary(&self) -> ImportSummary {
        ImportSummary {
            id: self.id,
            entity: self.entity(),
            file_name: self.file_name.clone(),
            encoding: self.encoding.clone(),
            status: self.status(),
            total_rows: self.total_rows,
            rows_done: self.rows_done,
            created: self.created_count,
            updated: self.updated_count,
            skipped: self.skipped_count,
            rejected: self.rejected_count,
            groups: self.group_count,
            error: self.error.clone(),
            created_by_name: self.created_by_name.clone(),
            created_at: self.created_at.clone(),
            finished_at: self.finished_at.clone(),
            version: self.version,
        }
    }
}

pub(crate) async fn load(db: &Db, id: i64) -> Result<ImportDb, AppError> {
    sqlx::query_as::<_, ImportDb>(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)
}

/// An import `actor` may see: their own, or any for an admin. Others' imports are "not found".
async fn visible(db: &Db, actor: &Actor, id: i64) -> Result<ImportDb, AppError> {
    if !can_import(actor) {
        return Err(AppError::Forbidden);
    }
    let imp = load(db, id).await?;
    if imp.created_by != actor.id && actor.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    Ok(imp)
}

/// Stores an uploaded file as a new import and guesses the mapping of its columns (a saved mapping of
/// the same columns wins over the guess).
pub async fn upload(db: &Db, actor: &Actor, entity: ImportEntity, file_name: &str, bytes: Vec<u8>) -> Result<i64, AppError> {
    if !can_import(actor) {
        return Err(AppError::Forbidden);
    }
    let limit = max_bytes();
    if bytes.len() > limit {
        return Err(field("file", Problem::FileTooLarge((limit / (1024 * 1024)) as i64)));
    }
    let name = super::documents::clean_name(file_name);
    // Parsing a spreadsheet is CPU work on up to a few hundred MB: on a blocking thread, one file at a
    // time per server, so uploads cannot starve the requests of everyone else.
    let rec = {
        static PARSING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
        // The turn moves into the parsing thread: it ends when parsing does, even if the request is gone.
        let turn = PARSING.acquire().await.map_err(|_| AppError::Internal)?;
        let file_name = name.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            file::recognise(&file_name, bytes)
        })
        .await
        .map_err(|_| AppError::Internal)??
    };
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO imports (entity, file_name, file_size, encoding, delimiter, headers, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, '[]', 'mapping', $6, $7) RETURNING id",
    )
    .bind(entity.code())
    .bind(&name)
    .bind(rec.bytes.len() as i64)
    .bind(rec.label)
    .bind((rec.delimiter as char).to_string())
    .bind(actor.id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    file::store(&mut tx, id, &rec.bytes).await?;
    tx.commit().await?;
    drop(rec);
    // The header row decides the mapping.
    let mut rows = file::Rows::new(db, id, load(db, id).await?.delimiter());
    let headers: Vec<String> = match rows.next_nonblank().await? {
        Some(h) => h.into_iter().map(|h| h.trim().to_string()).collect(),
        None => {
            sqlx::query("DELETE FROM imports WHERE id = $1").bind(id).execute(&db.pool).await?;
            return Err(field("file", Problem::EmptyFile));
        }
    };
    let mapping = match saved_for(db, entity, &headers).await? {
        Some(m) => m,
        None => auto_map(entity, &headers),
    };
    sqlx::query("UPDATE imports SET headers = $1, mapping = $2 WHERE id = $3")
        .bind(serde_json::to_string(&headers).unwrap_or_default())
        .bind(serde_json::to_string(&mapping).unwrap_or_default())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(id)
}

/// A saved mapping whose headers are exactly these, newest first.
async fn saved_for(db: &Db, entity: ImportEntity, headers: &[String]) -> Result<Option<Vec<String>>, AppError> {
    let rows = sqlx::query("SELECT mapping FROM import_mappings WHERE entity = $1 ORDER BY id DESC LIMIT 50")
        .bind(entity.code())
        .fetch_all(&db.pool)
        .await?;
    for r in rows {
        let m: String = r.try_get("mapping")?;
        let pairs: Vec<(String, String)> = serde_json::from_str(&m).unwrap_or_default();
        if pairs.len() == headers.len() && pairs.iter().zip(headers).all(|((h, _), x)| h == x) {
            return Ok(Some(pairs.into_iter().map(|(_, f)| f).collect()));
        }
    }
    Ok(None)
}

/// The import page's data at the current step.
pub async fn page(db: &Db, actor: &Actor, id: i64) -> Result<ImportPageData, AppError> {
    let imp = visible(db, actor, id).await?;
    let summary = imp.summary();
    let failed_analysis = summary.status == ImportStatus::Failed && summary.error.as_deref() == Some("analyzing");
    let (mapping, preview) = match summary.status {
        ImportStatus::Mapping => (Some(mapping_view(db, actor, id).await?), None),
        _ if failed_analysis => (Some(mapping_view(db, actor, id).await?), None),
        ImportStatus::Analyzing | ImportStatus::Running => (None, None),
        _ => (None, Some(preview(db, actor, id).await?)),
    };
    Ok(ImportPageData { summary, mapping, preview })
}

pub async fn summary(db: &Db, actor: &Actor, id: i64) -> Result<ImportSummary, AppError> {
    Ok(visible(db, actor, id).await?.summary())
}

/// The latest imports `actor` may see.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<ImportSummary>, AppError> {
    if !can_import(actor) {
        return Err(AppError::Forbidden);
    }
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    if actor.role != Role::Admin {
        sql.push_str(" AND i.created_by = $1");
    } else {
        sql.push_str(" AND i.created_by > $1");
    }
    sql.push_str(" ORDER BY i.created_at DESC, i.id DESC LIMIT 50");
    let bind = if actor.role == Role::Admin { 0 } else { actor.id };
    let rows = sqlx::query_as::<_, ImportDb>(&sql).bind(bind).fetch_all(&db.pool).await?;
    Ok(rows.iter().map(ImportDb::summary).collect())
}

pub async fn mapping_view(db: &Db, actor: &Actor, id: i64) -> Result<MappingView, AppError> {
    let imp = visible(db, actor, id).await?;
    let mut rows = file::Rows::new(db, id, imp.delimiter());
    let _headers = rows.next_nonblank().await?;
    let mut samples = Vec::new();
    while samples.len() < 5 {
        match rows.next_nonblank().await? {
            Some(r) => samples.push(r),
            None => break,
        }
    }
    let saved = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM import_mappings WHERE entity = $1 ORDER BY name")
        .bind(&imp.entity)
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|(id, name)| SavedMapping { id, name })
        .collect();
    Ok(MappingView { import: imp.summary(), headers: imp.headers(), samples, mapping: imp.mapping(), options: imp.options(), saved })
}

/// Applies a saved mapping (by id) to an import's columns: columns of the same header get its field.
pub async fn apply_saved(db: &Db, actor: &Actor, id: i64, mapping_id: i64) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    if imp.status() != ImportStatus::Mapping && imp.status() != ImportStatus::Review {
        return Err(field("mapping", Problem::WrongState));
    }
    let m: String = sqlx::query("SELECT mapping FROM import_mappings WHERE id = $1 AND entity = $2")
        .bind(mapping_id)
        .bind(&imp.entity)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?
        .try_get("mapping")?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&m).unwrap_or_default();
    let mapping: Vec<String> =
        imp.headers().iter().map(|h| pairs.iter().find(|(ph, _)| ph == h).map(|(_, f)| f.clone()).unwrap_or_default()).collect();
    sqlx::query("UPDATE imports SET mapping = $1, version = version + 1 WHERE id = $2")
        .bind(serde_json::to_string(&mapping).unwrap_or_default())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Sets the mapping and switches (optionally saving the mapping under a name) and starts the analysis.
pub async fn analyse(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    mapping: Vec<String>,
    options: ImportOptions,
    save_as: &str,
) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    // A failed analysis can be run again; a failed import has written records and is undone instead.
    let failed_analysis = imp.status() == ImportStatus::Failed && imp.error.as_deref() == Some("analyzing");
    if !(matches!(imp.status(), ImportStatus::Mapping | ImportStatus::Review) || failed_analysis) {
        return Err(field("mapping", Problem::WrongState));
    }
    crate::domain::check_version(imp.version, version)?;
    let entity = imp.entity();
    let headers = imp.headers();
    let mut clean: Vec<String> = Vec::with_capacity(headers.len());
    for i in 0..headers.len() {
        let f = mapping.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        if !f.is_empty() && (!entity.fields().contains(&f.as_str()) || clean.contains(&f)) {
            return Err(field(&format!("map-{i}"), Problem::InvalidChoice));
        }
        clean.push(f);
    }
    let has = |f: &str| clean.iter().any(|x| x == f);
    match entity {
        ImportEntity::Account if !has("name") => return Err(field("name", Problem::Required)),
        ImportEntity::Contact if !(has("full_name") || has("last_name")) => return Err(field("last_name", Problem::Required)),
        ImportEntity::Lead if !(has("company") || has("full_name") || has("last_name")) => return Err(field("company", Problem::Required)),
        ImportEntity::Product | ImportEntity::Opportunity | ImportEntity::Activity => {
            if let Some(f) = entity.required().iter().find(|f| !has(f)) {
                return Err(field(f, Problem::Required));
            }
            if entity == ImportEntity::Activity && !(has("account") || has("contact")) {
                return Err(field("account", Problem::Required));
            }
        }
        _ => {}
    }
    let mut tx = db.begin().await?;
    let save_as = save_as.trim();
    if !save_as.is_empty() {
        if save_as.chars().count() > 100 {
            return Err(field("save_as", Problem::TooLong(100)));
        }
        let pairs: Vec<(String, String)> = headers.iter().cloned().zip(clean.iter().cloned()).collect();
        sqlx::query("DELETE FROM import_mappings WHERE entity = $1 AND name = $2")
            .bind(entity.code())
            .bind(save_as)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO import_mappings (entity, name, mapping, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(entity.code())
            .bind(save_as)
            .bind(serde_json::to_string(&pairs).unwrap_or_default())
            .bind(actor.id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM import_rows WHERE import_id = $1").bind(id).execute(&mut *tx).await?;
    let n = sqlx::query(
        "UPDATE imports SET mapping = $1, options = $2, status = 'analyzing', rows_done = 0, total_rows = 0, rejected_count = 0, \
         group_count = 0, error = NULL, worker = NULL, heartbeat_at = NULL, version = version + 1 WHERE id = $3 AND version = $4",
    )
    .bind(serde_json::to_string(&clean).unwrap_or_default())
    .bind(serde_json::to_string(&options).unwrap_or_default())
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    tx.commit().await?;
    Ok(())
}

/// Changes what is done with one duplicate group (and, for an update, each field's policy).
pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: i64,
    group: i64,
    decision: Decision,
    policies: Vec<(String, FieldPolicy)>,
) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    if imp.status() != ImportStatus::Review {
        return Err(field("decision", Problem::WrongState));
    }
    let entity = imp.entity();
    let policies: Vec<(String, FieldPolicy)> = policies.into_iter().filter(|(f, _)| entity.fields().contains(&f.as_str())).collect();
    let mut tx = db.begin().await?;
    let n =
        sqlx::query("UPDATE import_rows SET decision = $1, policies = $2 WHERE import_id = $3 AND dup_group = $4 AND kind = 'duplicate'")
            .bind(decision.code())
            .bind(serde_json::to_string(&policies).unwrap_or_default())
            .bind(id)
            .bind(group)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Starts writing records (the review is over).
pub async fn start(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    if imp.status() != ImportStatus::Review {
        return Err(field("start", Problem::WrongState));
    }
    // On SQLite the full-text rows of imported accounts and contacts wait for the end of the import
    // (apply::index_for_search).
    let search_pending = apply::search_waits_for_end(db.backend, imp.entity());
    let n = sqlx::query(
        "UPDATE imports SET status = 'running', rows_done = 0, created_count = 0, updated_count = 0, skipped_count = 0, \
         search_pending = $3, worker = NULL, heartbeat_at = NULL, version = version + 1 WHERE id = $1 AND version = $2 AND status = 'review'",
    )
    .bind(id)
    .bind(version)
    .bind(i64::from(search_pending))
    .execute(&db.pool)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    Ok(())
}

/// Takes the job of one import for this worker: an unclaimed one, or one whose worker stopped reporting.
/// Returns the claimed import.
pub async fn claim(db: &Db, worker: &str, only: Option<i64>) -> Result<Option<i64>, AppError> {
    LEASE.claim(db, worker, only).await
}

/// The lease on an import's job (shared with the other background jobs: `services::jobs::lease`).
const LEASE: super::jobs::lease::Lease =
    super::jobs::lease::Lease { table: "imports", claimable: "status IN ('analyzing', 'running')", seconds: LEASE_SECONDS };

/// Does the claimed job of an import: the analysis or the import itself, from where it stopped.
pub async fn work(db: &Db, id: i64, worker: &str) -> Result<(), AppError> {
    let imp = load(db, id).await?;
    let result = match imp.status() {
        ImportStatus::Analyzing => analyze::run(db, &imp, worker).await,
        ImportStatus::Running => apply::run(db, &imp, worker).await,
        _ => Ok(()),
    };
    if let Err(e) = &result {
        if !matches!(e, AppError::Conflict) {
            tracing::error!(import = id, error = %e, "import job failed");
            // The error column names the step that failed; the details are in the server log. What a
            // failed import wrote stays (until undone) and becomes searchable.
            let mut tx = db.begin().await?;
            let n = sqlx::query(
                "UPDATE imports SET status = 'failed', error = $1, worker = NULL, version = version + 1 WHERE id = $2 AND worker = $3",
            )
            .bind(imp.status().code())
            .bind(id)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 && imp.status() == ImportStatus::Running {
                apply::index_for_search(&mut tx, db.backend, &imp).await?;
            }
            tx.commit().await?;
        }
    }
    result
}

/// Records progress and renews the lease; `Conflict` when another worker has taken the job over.
pub(crate) async fn heartbeat(tx: &mut crate::db::Tx, id: i64, worker: &str) -> Result<(), AppError> {
    LEASE.renew(tx, id, worker).await
}

/// Runs every pending job this server can claim, one after another (the background runner's step).
pub async fn run_pending(db: &Db, worker: &str) -> Result<usize, AppError> {
    let mut done = 0;
    while let Some(id) = claim(db, worker, None).await? {
        let _ = work(db, id, worker).await;
        done += 1;
    }
    Ok(done)
}

/// The preview: the first rows before → after, the rejected rows and the duplicate groups (first 200).
pub async fn preview(db: &Db, actor: &Actor, id: i64) -> Result<PreviewView, AppError> {
    let imp = visible(db, actor, id).await?;
    let entity = imp.entity();
    let mapping = imp.mapping();
    let options = imp.options();
    let mut rows_out = Vec::new();
    let mut rows = file::Rows::new(db, id, imp.delimiter());
    let _ = rows.next_nonblank().await?;
    let mut row_no = 0i64;
    while rows_out.len() < 20 {
        let Some(raw) = rows.next_nonblank().await? else { break };
        row_no += 1;
        let p = crate::services::matching::prepare::prepare(entity, &mapping, &options, &raw);
        rows_out.push(RowView { row_no, rejected: !p.ok(), cells: p.cells, group: None });
    }
    let stored = sqlx::query(
        "SELECT row_no, kind, reasons, cells, dup_group, matched_by, similarity, existing_id, decision, policies, suggested_group, \
         suggested_id, suggested_similarity, joined FROM import_rows \
         WHERE import_id = $1 AND (kind = 'rejected' OR dup_group IN (SELECT dup_group FROM import_rows WHERE import_id = $1 AND kind = 'duplicate' \
         GROUP BY dup_group HAVING COUNT(*) > 1 OR MAX(existing_id) IS NOT NULL OR MAX(suggested_similarity) IS NOT NULL ORDER BY dup_group LIMIT 200)) \
         ORDER BY kind, dup_group, row_no LIMIT 2000",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let mut rejects = Vec::new();
    let mut groups: Vec<DuplicateGroup> = Vec::new();
    let mut existing_ids = Vec::new();
    let mut suggested_groups: Vec<i64> = Vec::new();
    for r in stored {
        let row_no: i64 = r.try_get("row_no")?;
        let kind: String = r.try_get("kind")?;
        let cells: Vec<CellView> = serde_json::from_str(&r.try_get::<String, _>("cells")?).unwrap_or_default();
        if kind == "rejected" {
            if rejects.len() < 200 {
                rejects.push(RowView { row_no, cells, rejected: true, group: None });
            }
            continue;
        }
        let group: i64 = r.try_get::<Option<i64>, _>("dup_group")?.unwrap_or(row_no);
        let existing: Option<i64> = r.try_get("existing_id")?;
        let matched_by: Option<String> = r.try_get("matched_by")?;
        let sim: Option<i64> = r.try_get("similarity")?;
        let decision = r.try_get::<Option<String>, _>("decision")?.as_deref().and_then(Decision::parse).unwrap_or(Decision::Update);
        let policies: Vec<(String, FieldPolicy)> =
            r.try_get::<Option<String>, _>("policies")?.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
        let suggestion = match (r.try_get::<Option<i64>, _>("suggested_similarity")?, r.try_get::<Option<i64>, _>("suggested_id")?) {
            (Some(sim), existing_id) => {
                let earlier: Option<i64> = r.try_get("suggested_group")?;
                existing_ids.extend(existing_id);
                suggested_groups.extend(earlier);
                Some(Suggestion {
                    existing_id,
                    label: String::new(),
                    rows: earlier.into_iter().collect(),
                    similarity: sim.clamp(0, 100) as u8,
                    joined: r.try_get::<i64, _>("joined")? != 0,
                })
            }
            _ => None,
        };
        if groups.last().map(|g| g.group) != Some(group) {
            groups.push(DuplicateGroup {
                group,
                matched_by: String::new(),
                similarity: 100,
                existing_id: None,
                existing_label: None,
                fields: entity.fields().iter().filter(|f| **f != "full_name").map(|f| (f.to_string(), None, Vec::new())).collect(),
                rows: Vec::new(),
                decision,
                policies,
                suggestion,
            });
        }
        let g = groups.last_mut().expect("pushed above");
        g.rows.push(row_no);
        if let Some(m) = matched_by {
            if g.matched_by.is_empty() || m != "name" {
                g.matched_by = m;
            }
        }
        g.similarity = g.similarity.min(sim.unwrap_or(100).clamp(0, 100) as u8);
        if g.existing_id.is_none() && existing.is_some() {
            g.existing_id = existing;
            existing_ids.extend(existing);
        }
        for (f, _, vals) in g.fields.iter_mut() {
            vals.push(cells.iter().find(|c| &c.field == f).map(|c| c.after.clone()).unwrap_or_default());
        }
    }
    // The existing records' current values, for the field-by-field choice.
    let existing = lookup::existing_values(db, entity, &existing_ids).await?;
    let earlier = suggested_rows(db, id, entity, &suggested_groups).await?;
    for g in groups.iter_mut() {
        if let Some(sug) = g.suggestion.as_mut() {
            if let Some((label, _)) = sug.existing_id.and_then(|e| existing.get(&e)) {
                sug.label = label.clone();
            } else if let Some((label, rows)) = sug.rows.first().and_then(|root| earlier.get(root)) {
                sug.label = label.clone();
                sug.rows = rows.clone();
            }
        }
        if let Some((label, values)) = g.existing_id.and_then(|e| existing.get(&e)) {
            g.existing_label = Some(label.clone());
            for (f, old, _) in g.fields.iter_mut() {
                *old = values.get(f.as_str()).cloned().flatten();
            }
        }
        // Only the fields that the rows fill in or that differ are shown.
        g.fields.retain(|(_, old, vals)| vals.iter().any(|v| !v.is_empty()) || old.is_some());
    }
    let can_undo = imp.status() == ImportStatus::Done;
    let outcome = if can_undo { Some(outcome(db, &imp).await?) } else { None };
    Ok(PreviewView {
        import: imp.summary(),
        fields: mapping.into_iter().filter(|f| !f.is_empty()).collect(),
        rows: rows_out,
        rejects,
        groups,
        can_undo,
        outcome,
        new_accounts: imp.new_accounts.as_deref().and_then(|j| serde_json::from_str(j).ok()),
    })
}

/// The earlier groups that groups were suggested to be: by root row, the name in that row and the
/// group's rows.
async fn suggested_rows(db: &Db, id: i64, entity: ImportEntity, roots: &[i64]) -> Result<HashMap<i64, (String, Vec<i64>)>, AppError> {
    let mut out: HashMap<i64, (String, Vec<i64>)> = HashMap::new();
    let mut roots = roots.to_vec();
    roots.sort_unstable();
    roots.dedup();
    for chunk in roots.chunks(200) {
        let mut sql = Sql::for_rows(db.backend, "SELECT row_no, dup_group, cells FROM import_rows WHERE import_id = ");
        sql.bind(id).push(" AND kind = 'duplicate' AND dup_group IN (");
        for (i, g) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*g);
        }
        sql.push(") ORDER BY dup_group, row_no LIMIT 2000");
        for r in sql.query().fetch_all(&db.pool).await? {
            let group: i64 = r.try_get("dup_group")?;
            let entry = out.entry(group).or_default();
            if entry.1.is_empty() {
                let cells: Vec<CellView> = serde_json::from_str(&r.try_get::<String, _>("cells")?).unwrap_or_default();
                let cell = |f: &str| cells.iter().find(|c| c.field == f).map(|c| c.after.clone()).unwrap_or_default();
                entry.0 = match entity {
                    ImportEntity::Lead => cell("company"),
                    _ => cell("name"),
                };
            }
            entry.1.push(r.try_get("row_no")?);
        }
    }
    Ok(out)
}

/// Where a finished import's rows went (see [`ImportOutcome`]).
async fn outcome(db: &Db, imp: &ImportDb) -> Result<ImportOutcome, AppError> {
    // Existing records are the ones whose values before were kept (updated), or that a skipped row named.
    let (updated_existing, skipped_existing): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(DISTINCT record_id) FROM import_rows WHERE import_id = $1 AND outcome = 'updated' AND before_values IS NOT NULL), \
         (SELECT COUNT(DISTINCT s.record_id) FROM import_rows s WHERE s.import_id = $1 AND s.outcome = 'skipped' AND s.record_id IS NOT NULL \
          AND NOT EXISTS (SELECT 1 FROM import_rows u WHERE u.import_id = $1 AND u.record_id = s.record_id AND u.outcome = 'updated'))",
    )
    .bind(imp.id)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT record_id, row_no, outcome FROM import_rows WHERE import_id = $1 AND record_id IN (SELECT DISTINCT record_id FROM import_rows \
         WHERE import_id = $1 AND ((outcome = 'updated' AND before_values IS NOT NULL) OR (outcome = 'skipped' AND record_id IS NOT NULL)) \
         ORDER BY record_id LIMIT 200) AND outcome IN ('updated', 'skipped') ORDER BY row_no LIMIT 2000",
    )
    .bind(imp.id)
    .fetch_all(&db.pool)
    .await?;
    let mut existing: Vec<ExistingOutcome> = Vec::new();
    for (record, row_no, what) in rows {
        match existing.iter_mut().find(|e| e.id == record) {
            Some(e) => {
                e.rows.push(row_no);
                e.skipped &= what == "skipped";
            }
            None => existing.push(ExistingOutcome { id: record, label: String::new(), rows: vec![row_no], skipped: what == "skipped" }),
        }
    }
    let ids: Vec<i64> = existing.iter().map(|e| e.id).collect();
    let labels = lookup::existing_values(db, imp.entity(), &ids).await?;
    // A record deleted since keeps its number in the list.
    for e in existing.iter_mut() {
        e.label = labels.get(&e.id).map(|(l, _)| l.clone()).unwrap_or_else(|| format!("#{}", e.id));
    }
    Ok(ImportOutcome {
        distinct: imp.created_count + updated_existing + skipped_existing,
        created: imp.created_count,
        updated_existing,
        skipped_existing,
        rejected: imp.rejected_count,
        existing,
    })
}

/// Joins a group to what a similar name suggested (or keeps them apart again).
pub async fn join(db: &Db, actor: &Actor, id: i64, group: i64, joined: bool) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    if imp.status() != ImportStatus::Review {
        return Err(field("joined", Problem::WrongState));
    }
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE import_rows SET joined = $1 WHERE import_id = $2 AND dup_group = $3 AND kind = 'duplicate' AND suggested_similarity IS NOT NULL",
    )
    .bind(joined as i64)
    .bind(id)
    .bind(group)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The rejected rows as CSV: the file's own columns plus the reasons, for fixing and importing again.
pub async fn rejects_csv(db: &Db, actor: &Actor, id: i64, lang: crate::i18n::Lang) -> Result<(String, Vec<u8>), AppError> {
    let imp = visible(db, actor, id).await?;
    let headers = imp.headers();
    let mapping = imp.mapping();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut head: Vec<String> = headers.clone();
    head.push(if lang == crate::i18n::Lang::Sr { "Razlog odbijanja".into() } else { "Rejection reason".into() });
    w.write_record(head.iter().map(|h| crate::services::export::safe_cell(h))).map_err(|_| AppError::Internal)?;
    let mut after = -1i64;
    loop {
        let rows = sqlx::query("SELECT row_no, cells, reasons FROM import_rows WHERE import_id = $1 AND kind = 'rejected' AND row_no > $2 ORDER BY row_no LIMIT 1000")
            .bind(id)
            .bind(after)
            .fetch_all(&db.pool)
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            after = r.try_get("row_no")?;
            let cells: Vec<CellView> = serde_json::from_str(&r.try_get::<String, _>("cells")?).unwrap_or_default();
            let reasons: Vec<(String, Problem)> =
                serde_json::from_str(&r.try_get::<Option<String>, _>("reasons")?.unwrap_or_default()).unwrap_or_default();
            // The row as it was in the file: each column's original value.
            let mut out: Vec<String> =
                mapping.iter().map(|f| cells.iter().find(|c| &c.field == f).map(|c| c.before.clone()).unwrap_or_default()).collect();
            out.resize(headers.len(), String::new());
            let why: Vec<String> = reasons.iter().map(|(f, p)| crate::i18n::labels::field_message(lang, f, p)).collect();
            out.push(why.join("; "));
            w.write_record(out.iter().map(|c| crate::services::export::safe_cell(c))).map_err(|_| AppError::Internal)?;
        }
    }
    let bytes = w.into_inner().map_err(|_| AppError::Internal)?;
    let base = imp.file_name.rsplit_once('.').map(|(b, _)| b).unwrap_or(&imp.file_name).to_string();
    Ok((format!("{base}-rejected.csv"), bytes))
}

/// Undoes an import: deletes the records it created and restores the fields it updated — only if
/// none of them was changed since or has gained related records (then nothing is undone).
pub async fn undo(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let imp = visible(db, actor, id).await?;
    // A finished import, or one that failed while writing (what it wrote is taken back).
    let failed_run = imp.status() == ImportStatus::Failed && imp.error.as_deref() == Some("running");
    if imp.status() != ImportStatus::Done && !failed_run {
        return Err(field("undo", Problem::WrongState));
    }
    undo::undo(db, actor, &imp).await
}
