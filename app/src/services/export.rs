//! Export of the record lists to CSV and XLSX: the list's own columns, filters and sort (the same list
//! query the page uses, page after page), in the user's language. Every text cell is neutralized so a
//! spreadsheet never runs it as a formula.

use super::{accounts, contacts, leads, opportunities, Actor};
use crate::db::Db;
use crate::domain::ListQuery;
use crate::error::AppError;
use crate::i18n::labels::{lead_status_label, rating_label, rel_label};
use crate::i18n::{Lang, M};

/// Most rows one export writes.
pub const MAX_ROWS: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportList {
    Accounts,
    Contacts,
    Leads,
    Opportunities,
}

impl ExportList {
    pub fn parse(s: &str) -> Option<ExportList> {
        match s {
            "accounts" => Some(ExportList::Accounts),
            "contacts" => Some(ExportList::Contacts),
            "leads" => Some(ExportList::Leads),
            "opportunities" => Some(ExportList::Opportunities),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ExportList::Accounts => "accounts",
            ExportList::Contacts => "contacts",
            ExportList::Leads => "leads",
            ExportList::Opportunities => "opportunities",
        }
    }
}

/// A value for a spreadsheet cell: text starting with = + - @ tab or carriage return gets a leading
/// apostrophe, so it is shown as typed and never evaluated.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One exported cell: text, or a number that spreadsheets can sum.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: &Option<String>) -> Cell {
    Cell::Text(s.clone().unwrap_or_default())
}

/// A flag's cell: "Yes" in the user's language, or empty.
fn yes(lang: Lang, on: bool) -> Cell {
    Cell::Text(if on { lang.t(M::Yes).to_string() } else { String::new() })
}

/// The contact preferences' columns, in the order of their flags (e-mail, call, mail).
const PREFERENCES: [M; 3] = [M::MlDoNotEmail, M::MlDoNotCall, M::MlDoNotMail];

/// The header and rows of a list as the page shows it.
pub async fn table(db: &Db, actor: &Actor, list: ExportList, q: &ListQuery, lang: Lang) -> Result<(Vec<String>, Vec<Vec<Cell>>), AppError> {
    let mut q = q.clone();
    q.cursor.clear();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let headers: Vec<M> = match list {
        ExportList::Accounts => vec![M::Name, M::RelationshipTypes, M::Category, M::Region, M::City, M::Owner, M::MlInactive],
        ExportList::Contacts => [vec![M::Name, M::Account, M::JobTitle, M::Email, M::Phone, M::Owner], PREFERENCES.to_vec()].concat(),
        ExportList::Leads => [
            vec![M::Name, M::Email, M::Phone, M::Rating, M::Status, M::EstimatedValue, M::Currency, M::Owner, M::CreatedOn],
            PREFERENCES.to_vec(),
        ]
        .concat(),
        ExportList::Opportunities => vec![M::Name, M::Account, M::Stage, M::Probability, M::Amount, M::Currency, M::CloseDate, M::Owner],
    };
    loop {
        let next =
            match list {
                ExportList::Accounts => {
                    let page = accounts::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        vec![
                            t(&r.name),
                            t(r.types.iter().map(|k| lang.t(rel_label(*k))).collect::<Vec<_>>().join(", ")),
                            t(r.category.map(|c| c.code()).unwrap_or("")),
                            opt(&r.region),
                            opt(&r.city),
                            t(&r.owner_name),
                            yes(lang, r.inactive),
                        ]
                    }));
                    page.next_cursor
                }
                ExportList::Contacts => {
                    let page = contacts::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        let mut row = vec![t(&r.name), opt(&r.account_name), opt(&r.job_title), opt(&r.email), opt(&r.phone), t(&r.owner_name)];
                        row.extend(r.preferences.flags().map(|on| yes(lang, on)));
                        row
                    }));
                    page.next_cursor
                }
                ExportList::Leads => {
                    let page = leads::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        let mut row = vec![
                            t(&r.name),
                            opt(&r.email),
                            opt(&r.phone),
                            t(lang.t(rating_label(r.rating))),
                            t(lang.t(lead_status_label(r.status))),
                            Cell::Number(r.estimated_minor as f64 / 100.0),
                            t(r.currency.code()),
                            t(&r.owner_name),
                            t(r.created_at.get(..10).unwrap_or(&r.created_at)),
                        ];
                        row.extend(r.preferences.flags().map(|on| yes(lang, on)));
                        row
                    }));
                    page.next_cursor
                }
                ExportList::Opportunities => {
                    let page = opportunities::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        vec![
                            t(&r.name),
                            t(&r.account_name),
                            t(&r.stage_name),
                            Cell::Number(r.probability as f64),
                            Cell::Number(r.amount_minor as f64 / 100.0),
                            t(r.currency.code()),
                            t(&r.close_date),
                            t(&r.owner_name),
                        ]
                    }));
                    page.next_cursor
                }
            };
        match next {
            Some(c) if rows.len() < MAX_ROWS => q.cursor = c,
            _ => break,
        }
    }
    rows.truncate(MAX_ROWS);
    Ok((headers.into_iter().map(|m| lang.t(m).to_string()).collect(), rows))
}

/// CSV in UTF-8 with a BOM (so Excel reads the letters right); `;` between cells in Serbian, as Excel
/// expects with a decimal comma, `,` in English.
pub fn to_csv(lang: Lang, headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let delimiter = if lang == Lang::Sr { b';' } else { b',' };
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
        w.write_record(headers.iter().map(|h| safe_cell(h))).map_err(|_| AppError::Internal)?;
        for r in rows {
            w.write_record(r.iter().map(|c| cell_text(lang, c))).map_err(|_| AppError::Internal)?;
        }
        w.flush().map_err(|_| AppError::Internal)?;
    }
    Ok(out)
}

/// A report as a table: one line per row and period (for pivot tables), the totals last. Money in
/// RSD as numbers, so the sheet sums them.
pub fn report_table(report: &crate::domain::reports::Report, forecast: bool, lang: Lang) -> (Vec<String>, Vec<Vec<Cell>>) {
    use crate::i18n::labels::report_row_label;
    let money = |minor: i64| Cell::Number(minor as f64 / 100.0);
    let mut headers = vec![lang.t(M::PeriodLabel).to_string(), lang.t(M::RowsBy).to_string()];
    let names: &[M] = if forecast {
        &[M::Deals, M::OutcomeWon, M::OpenPipeline, M::Weighted, M::ForecastTotal, M::Goal]
    } else {
        &[M::WonDeals, M::WonRevenue, M::SamePeriodLastYear]
    };
    headers.extend(names.iter().map(|m| format!("{}{}", lang.t(*m), if *m == M::Deals || *m == M::WonDeals { "" } else { " (RSD)" })));
    let line = |period: &str, label: String, c: &crate::domain::reports::ReportCell, goal: Option<i64>| -> Vec<Cell> {
        let mut row = vec![t(period), t(label)];
        if forecast {
            row.extend([
                Cell::Number(c.count as f64),
                money(c.won_minor),
                money(c.open_minor),
                money(c.weighted_minor),
                money(c.forecast_minor()),
                goal.map(money).unwrap_or(t("")),
            ]);
        } else {
            row.extend([Cell::Number(c.won_count as f64), money(c.won_minor), money(c.prior_minor)]);
        }
        row
    };
    let mut rows = Vec::new();
    for p in &report.periods {
        for (k, l) in &report.rows {
            let c = report.cell(p, k);
            if c != Default::default() {
                rows.push(line(p, report_row_label(lang, report.group, k, l), &c, None));
            }
        }
        if let Some(g) = report.goal(p) {
            rows.push(line(p, lang.t(M::Goal).to_string(), &Default::default(), Some(g)));
        }
    }
    let total = report.total();
    rows.push(line(&format!("{} – {}", report.from, report.to), lang.t(M::Total).to_string(), &total, report.goal_total()));
    (headers, rows)
}

/// One table of a multi-table export: a worksheet of its own in XLSX, a titled block in CSV.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn sheet(lang: Lang, name: M, headers: &[M], rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet { name: lang.t(name).to_string(), headers: headers.iter().map(|m| lang.t(*m).to_string()).collect(), rows }
}

fn cell_text(lang: Lang, c: &Cell) -> String {
    match c {
        Cell::Text(s) => safe_cell(s),
        Cell::Number(n) => {
            let s = format!("{n}");
            if lang == Lang::Sr {
                s.replace('.', ",")
            } else {
                s
            }
        }
    }
}

/// Several tables in one CSV: each block starts with its title, then its header and rows, with a
/// blank line between blocks.
pub fn sheets_to_csv(lang: Lang, sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    if let [one] = sheets {
        return to_csv(lang, &one.headers, &one.rows);
    }
    let delimiter = if lang == Lang::Sr { b';' } else { b',' };
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(&mut out);
        for (i, s) in sheets.iter().enumerate() {
            if i > 0 {
                w.write_record([""]).map_err(|_| AppError::Internal)?;
            }
            w.write_record([safe_cell(&s.name)]).map_err(|_| AppError::Internal)?;
            w.write_record(s.headers.iter().map(|h| safe_cell(h))).map_err(|_| AppError::Internal)?;
            for r in &s.rows {
                w.write_record(r.iter().map(|c| cell_text(lang, c))).map_err(|_| AppError::Internal)?;
            }
        }
        w.flush().map_err(|_| AppError::Internal)?;
    }
    Ok(out)
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the book.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name.chars().map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c }).take(28).collect();
    let clean = if clean.trim().is_empty() { "Sheet".to_string() } else { clean.trim().to_string() };
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    candidate
}

/// Several tables in one workbook, a worksheet each, with bold frozen headers; numbers as numbers,
/// text always as text.
pub fn sheets_to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let err = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::Internal
    };
    let mut taken: Vec<String> = Vec::new();
    for s in sheets {
        let name = sheet_name(&s.name, &taken);
        taken.push(name.clone());
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, safe_cell(h), &bold).map_err(err)?;
            ws.set_column_width(c as u16, 18).map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(v) => ws.write_string(r as u32 + 1, c as u16, safe_cell(v)).map_err(err)?,
                    Cell::Number(n) => ws.write_number(r as u32 + 1, c as u16, *n).map_err(err)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

fn money(minor: i64) -> Cell {
    Cell::Number(minor as f64 / 100.0)
}

fn int(n: i64) -> Cell {
    Cell::Number(n as f64)
}

/// A share as a number of percent (42.5), or empty.
fn pct(part: i64, whole: i64) -> Cell {
    crate::domain::reports::share_bp(part, whole).map(|bp| Cell::Number(bp as f64 / 100.0)).unwrap_or(t(""))
}

/// Pipeline health: the figures, the funnel, deal ageing, slipping deals and leads by source. Money
/// in RSD.
pub fn health_sheets(h: &crate::domain::reports::Health, sources: &[crate::domain::PicklistValue], lang: Lang) -> Vec<Sheet> {
    let range = format!("{} – {}", h.from, h.to);
    let figures = vec![
        vec![t(lang.t(M::DealsCreated)), int(h.created), t(&range)],
        vec![t(lang.t(M::WonOfCreated)), int(h.won_of_created), t(&range)],
        vec![t(lang.t(M::WonDeals)), int(h.won_closed), t(&range)],
        vec![t(format!("{} (RSD)", lang.t(M::AvgWonDeal))), h.avg_won_minor.map(money).unwrap_or(t("")), t(&range)],
        vec![t(format!("{} ({})", lang.t(M::SalesCycle), lang.t(M::Days))), h.avg_cycle_days.map(int).unwrap_or(t("")), t(&range)],
    ];
    let first = h.funnel.first().map(|f| f.reached).unwrap_or(0);
    let funnel = h
        .funnel
        .iter()
        .map(|f| {
            vec![t(&f.stage), int(f.reached), pct(f.reached, first), f.avg_days_x10.map(|d| Cell::Number(d as f64 / 10.0)).unwrap_or(t(""))]
        })
        .collect();
    let mut lower = 0;
    let ageing = h
        .ageing
        .iter()
        .map(|a| {
            let label = match a.max_days {
                Some(d) => format!("{lower}–{d}"),
                None => format!("> {}", lower - 1),
            };
            lower = a.max_days.map(|d| d + 1).unwrap_or(lower);
            vec![t(label), int(a.count), money(a.value_minor)]
        })
        .collect();
    let slipping = h
        .slipping
        .iter()
        .map(|s| vec![t(&s.name), t(&s.owner), money(s.amount_minor), t(&s.currency), t(&s.first_close), t(&s.close_date), int(s.pushes)])
        .collect();
    let leads = h
        .sources
        .iter()
        .map(|r| {
            vec![
                t(crate::i18n::labels::source_name(lang, sources, r.source_id)),
                int(r.leads),
                int(r.qualified),
                int(r.opportunities),
                int(r.won_count),
                money(r.won_minor),
            ]
        })
        .collect();
    let rsd = |m: M| format!("{} (RSD)", lang.t(m));
    vec![
        sheet(lang, M::PipelineHealth, &[M::Name, M::Total, M::PeriodLabel], figures),
        Sheet {
            name: lang.t(M::StageConversion).to_string(),
            headers: vec![lang.t(M::Stage).into(), lang.t(M::Opportunities).into(), "%".into(), lang.t(M::AvgDaysInStage).into()],
            rows: funnel,
        },
        Sheet {
            name: lang.t(M::DealAgeing).to_string(),
            headers: vec![lang.t(M::Days).into(), lang.t(M::Opportunities).into(), rsd(M::Amount)],
            rows: ageing,
        },
        sheet(lang, M::SlippingDeals, &[M::Name, M::Owner, M::Amount, M::Currency, M::WasDue, M::CloseDate, M::TimesMoved], slipping),
        Sheet {
            name: lang.t(M::LeadsBySource).to_string(),
            headers: vec![
                lang.t(M::Source).into(),
                lang.t(M::Leads).into(),
                lang.t(M::LeadQualified).into(),
                lang.t(M::Opportunities).into(),
                lang.t(M::WonDeals).into(),
                rsd(M::WonRevenue),
            ],
            rows: leads,
        },
    ]
}

/// Activity and adoption: use per person, activities per person, week and kind, completeness per
/// record kind, owner and team, and the neglected customers.
pub fn adoption_sheets(a: &crate::domain::reports::Adoption, lang: Lang) -> Vec<Sheet> {
    use crate::i18n::labels::{activity_kind_text, completeness_field_label, entity_label};
    let usage = a
        .users
        .iter()
        .map(|u| {
            vec![
                t(&u.name),
                int(u.sign_ins),
                t(u.last_sign_in.clone().unwrap_or_default()),
                int(u.created),
                int(u.updated),
                int(u.completed_total()),
                int(u.overdue),
            ]
        })
        .collect();
    let mut weekly = Vec::new();
    for u in &a.users {
        for (week, kinds) in &u.weekly {
            for (kind, n) in kinds {
                weekly.push(vec![t(&u.name), t(week), t(activity_kind_text(lang, kind)), int(*n)]);
            }
        }
    }
    let mut completeness = Vec::new();
    for c in &a.completeness {
        let entity = lang.t(entity_label(&c.entity));
        let mut push = |who: String, team: bool, records: i64, filled: &[i64]| {
            for (f, n) in c.fields.iter().zip(filled) {
                completeness.push(vec![
                    t(entity),
                    t(lang.t(completeness_field_label(&c.entity, f))),
                    t(if team { lang.t(M::Team) } else { lang.t(M::Owner) }),
                    t(who.clone()),
                    int(records),
                    int(*n),
                    pct(*n, records),
                ]);
            }
        };
        for r in &c.rows {
            push(r.owner.clone(), false, r.records, &r.filled);
        }
        for r in &c.teams {
            push(r.owner.clone(), true, r.records, &r.filled);
        }
        push(lang.t(M::Total).to_string(), true, c.total.records, &c.total.filled);
    }
    let neglected = a
        .neglected
        .iter()
        .map(|n| vec![t(&n.name), t(&n.owner), money(n.won_minor), t(n.last_contact.clone().unwrap_or_default())])
        .collect();
    vec![
        sheet(
            lang,
            M::Adoption,
            &[M::Salesperson, M::SignIns, M::LastSignIn, M::RecordsCreated, M::RecordsChanged, M::MActivitiesDone, M::Overdue],
            usage,
        ),
        sheet(lang, M::ActivitiesPerWeek, &[M::Salesperson, M::WeekOf, M::Kind, M::MActivitiesDone], weekly),
        Sheet {
            name: lang.t(M::DataCompleteness).to_string(),
            headers: vec![
                lang.t(M::Kind).into(),
                lang.t(M::Field).into(),
                String::new(),
                lang.t(M::Name).into(),
                lang.t(M::RecordCount).into(),
                lang.t(M::FilledIn).into(),
                "%".into(),
            ],
            rows: completeness,
        },
        sheet(lang, M::NeglectedCustomers, &[M::Account, M::Owner, M::WonRevenue, M::LastContact], neglected),
    ]
}

/// Goals with their progress: target, actual, in progress, share and the projection.
pub fn goals_sheet(g: &crate::domain::reports::GoalsPage, lang: Lang) -> Vec<Sheet> {
    use crate::i18n::labels::metric_name;
    let rows = g
        .goals
        .iter()
        .map(|p| {
            let v = |x: i64| if p.measure.is_money() { money(x) } else { int(x) };
            vec![
                t(metric_name(lang, &p.metric_name)),
                t(&p.assignee),
                t(&p.period_key),
                v(p.target),
                v(p.actual),
                v(p.in_progress),
                p.percent_bp().map(|bp| Cell::Number(bp as f64 / 100.0)).unwrap_or(t("")),
                v(p.projection),
                t(if p.measure.is_money() { "RSD" } else { "" }),
            ]
        })
        .collect();
    vec![Sheet {
        name: lang.t(M::Goals).to_string(),
        headers: vec![
            lang.t(M::Metric).into(),
            lang.t(M::GoalFor).into(),
            lang.t(M::PeriodLabel).into(),
            lang.t(M::Target).into(),
            lang.t(M::Actual).into(),
            lang.t(M::InProgressLabel).into(),
            "%".into(),
            lang.t(M::AtThisPace).into(),
            lang.t(M::Currency).into(),
        ],
        rows,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        for s in ["=1+1", "+381", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(safe_cell("Delta d.o.o."), "Delta d.o.o.");
        let csv = to_csv(Lang::Sr, &["Naziv".into()], &[vec![t("=HYPERLINK(\"x\")")], vec![Cell::Number(12.5)]]).unwrap();
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("12,5"));
    }

    #[test]
    fn several_tables_export_as_blocks_and_worksheets() {
        let sheets = vec![
            Sheet {
                name: "Funnel: stages".into(),
                headers: vec!["Stage".into(), "Deals".into()],
                rows: vec![vec![t("Offer"), Cell::Number(3.0)]],
            },
            Sheet { name: "Funnel: stages".into(), headers: vec!["Source".into()], rows: vec![vec![t("@web")]] },
        ];
        let csv = String::from_utf8(sheets_to_csv(Lang::En, &sheets).unwrap()[3..].to_vec()).unwrap();
        assert_eq!(csv, "Funnel: stages\nStage,Deals\nOffer,3\n\"\"\nFunnel: stages\nSource\n'@web\n");
        assert_eq!(sheet_name("Funnel: stages", &[]), "Funnel  stages");
        assert_eq!(sheet_name("Funnel: stages", &["funnel  stages".into()]), "Funnel  stages 2");
        let xlsx = sheets_to_xlsx(&sheets).unwrap();
        assert_eq!(&xlsx[..2], b"PK");
    }
}
