//! Parts shared by the report pages: their tabs, their export links, and the activity-kind and
//! lead-source charts that the dashboard shows too.

use crate::components::charts::{Column, Segment, Slice};
use crate::components::context::t;
use crate::domain::reports::SourceRow;
use crate::domain::text::urlencode;
use crate::domain::PicklistValue;
use crate::i18n::labels::{activity_kind_text, source_name};
use crate::i18n::{format_date, format_int, Lang, M};
use leptos::prelude::*;

const KIND_CLASSES: [&str; 6] = ["series-0", "series-1", "series-2", "series-3", "series-4", "series-5"];

const KIND_CODES: [&str; 6] = ["task", "call", "meeting", "email", "letter", "fax"];

/// The chart class of an activity kind (its colour in every activity chart).
pub fn kind_class(code: &str) -> &'static str {
    KIND_CODES.iter().position(|c| *c == code).map(|i| KIND_CLASSES[i]).unwrap_or("series-5")
}

/// A column per week (Monday, ISO), stacked by activity kind.
pub fn kind_week_columns(lang: Lang, weeks: &[(String, Vec<(String, i64)>)]) -> Vec<Column> {
    weeks
        .iter()
        .map(|(w, kinds)| Column {
            label: format_date(lang, w),
            total_text: format_int(lang, kinds.iter().map(|k| k.1).sum()),
            segments: kinds
                .iter()
                .map(|(k, n)| Segment {
                    value: *n,
                    text: format!("{} · {}: {n}", format_date(lang, w), activity_kind_text(lang, k)),
                    class: kind_class(k),
                    href: None,
                })
                .collect(),
            marker: None,
        })
        .collect()
}

/// The legend of the activity kinds.
pub fn kind_legend(lang: Lang) -> Vec<(&'static str, String)> {
    KIND_CODES.iter().zip(KIND_CLASSES).map(|(k, c)| (c, activity_kind_text(lang, k))).collect()
}

/// Leads by source as donut slices, each opening its leads.
pub fn source_slices(lang: Lang, sources: &[PicklistValue], rows: &[SourceRow]) -> Vec<Slice> {
    rows.iter()
        .map(|r| Slice {
            label: source_name(lang, sources, r.source_id),
            value: r.leads,
            text: format_int(lang, r.leads),
            href: r.source_id.map(|id| format!("/leads?source={id}")),
        })
        .collect()
}

/// The CSV and XLSX downloads of a report (`kind`: forecast, sales, pipeline, adoption, goals) with
/// the page's filters.
#[component]
pub fn ReportExportLinks(kind: &'static str, params: Vec<(&'static str, String)>) -> impl IntoView {
    let query: Vec<String> = params.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(&v))).collect();
    let href = move |ext: &str| format!("/export/report/{kind}.{ext}{}{}", if query.is_empty() { "" } else { "?" }, query.join("&"));
    view! {
        <span class="export-links">
            <a href=href("csv") rel="external" download="" class="btn btn-ghost">{t(M::ExportCsv)}</a>
            <a href=href("xlsx") rel="external" download="" class="btn btn-ghost">{t(M::ExportXlsx)}</a>
        </span>
    }
}

/// Links between the report pages.
#[component]
pub fn ReportTabs(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/", M::Dashboard),
        ("/reports/forecast", M::Forecast),
        ("/reports/sales", M::SalesHistory),
        ("/reports/pipeline", M::PipelineHealth),
        ("/goals", M::Goals),
        ("/reports/adoption", M::Adoption),
        ("/win-loss", M::WinLoss),
    ];
    view! {
        <nav class="tabs report-tabs" aria-label=t(M::Reports)>
            {tabs
                .into_iter()
                .map(|(href, m)| {
                    let cur = (href == current).then_some("page");
                    view! { <a href=href aria-current=cur>{t(m)}</a> }
                })
                .collect_view()}
        </nav>
    }
}
