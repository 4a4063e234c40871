//! Export of the record lists to CSV and XLSX: the list's own columns, filters and sort (the same list
//! query the page uses, page after page), in the user's language. Every text cell is neutralized so a
//! spreadsheet never runs it as a formula.

use super::{accounts, contacts, leads, opportunities, Actor};
use crate::components::{lead_status_label, rating_label, rel_label};
use crate::db::Db;
use crate::domain::ListQuery;
use crate::error::AppError;
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

/// The header and rows of a list as the page shows it.
pub async fn table(db: &Db, actor: &Actor, list: ExportList, q: &ListQuery, lang: Lang) -> Result<(Vec<String>, Vec<Vec<Cell>>), AppError> {
    let mut q = q.clone();
    q.cursor.clear();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let headers: Vec<M> = match list {
        ExportList::Accounts => vec![M::Name, M::RelationshipTypes, M::Category, M::Region, M::City, M::Owner],
        ExportList::Contacts => vec![M::Name, M::Account, M::JobTitle, M::Email, M::Phone, M::Owner],
        ExportList::Leads => {
            vec![M::Name, M::Email, M::Phone, M::Rating, M::Status, M::EstimatedValue, M::Currency, M::Owner, M::CreatedOn]
        }
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
                        ]
                    }));
                    page.next_cursor
                }
                ExportList::Contacts => {
                    let page = contacts::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        vec![t(&r.name), opt(&r.account_name), opt(&r.job_title), opt(&r.email), opt(&r.phone), t(&r.owner_name)]
                    }));
                    page.next_cursor
                }
                ExportList::Leads => {
                    let page = leads::list(db, actor, &q).await?;
                    rows.extend(page.rows.iter().map(|r| {
                        vec![
                            t(&r.name),
                            opt(&r.email),
                            opt(&r.phone),
                            t(lang.t(rating_label(r.rating))),
                            t(lang.t(lead_status_label(r.status))),
                            Cell::Number(r.estimated_minor as f64 / 100.0),
                            t(r.currency.code()),
                            t(&r.owner_name),
                            t(r.created_at.get(..10).unwrap_or(&r.created_at)),
                        ]
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
            let cells: Vec<String> = r
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => safe_cell(s),
                    Cell::Number(n) => {
                        let s = format!("{n}");
                        if lang == Lang::Sr {
                            s.replace('.', ",")
                        } else {
                            s
                        }
                    }
                })
                .collect();
            w.write_record(&cells).map_err(|_| AppError::Internal)?;
        }
        w.flush().map_err(|_| AppError::Internal)?;
    }
    Ok(out)
}

/// XLSX with a bold header row, numbers as numbers and text always as text (never a formula).
pub fn to_xlsx(sheet_name: &str, headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let _ = sheet.set_name(sheet_name);
    let bold = Format::new().set_bold();
    let err = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::Internal
    };
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, safe_cell(h), &bold).map_err(err)?;
        sheet.set_column_width(c as u16, 18).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => sheet.write_string(r as u32 + 1, c as u16, safe_cell(s)).map_err(err)?,
                Cell::Number(n) => sheet.write_number(r as u32 + 1, c as u16, *n).map_err(err)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// A report as a table: one line per row and period (for pivot tables), the totals last. Money in
/// RSD as numbers, so the sheet sums them.
pub fn report_table(report: &crate::domain::reports::Report, forecast: bool, lang: Lang) -> (Vec<String>, Vec<Vec<Cell>>) {
    use crate::components::report_row_label;
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
}
