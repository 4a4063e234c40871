//! Charts of our own, rendered on the server as SVG (so they show without JavaScript and print):
//! horizontal bars whose rows link to the records behind them, won/lost bars for win rates, and
//! line charts for trends. Every chart carries its numbers as text too, for screen readers.

use leptos::prelude::*;

/// One row of a bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The value as shown ("1.250.000 RSD", "42 %").
    pub text: String,
    /// Drill-down to the records behind the bar.
    pub href: Option<String>,
}

fn width_pct(value: i64, max: i64) -> f64 {
    if max <= 0 || value <= 0 {
        0.0
    } else {
        (value as f64 / max as f64 * 100.0).max(0.5)
    }
}

/// Horizontal bars, longest = the largest value.
#[component]
pub fn BarChart(#[prop(into)] title: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let label = title.clone();
    view! {
        <figure class="chart bar-chart" aria-label=label>
            <figcaption>{title}</figcaption>
            <ul class="bars">
                {bars
                    .into_iter()
                    .map(|b| {
                        let w = format!("{:.2}", width_pct(b.value, max));
                        let inner = view! {
                            <span class="bar-label">{b.label.clone()}</span>
                            <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect class="bar-fill" x="0" y="0" height="10" width=w/>
                            </svg>
                            <span class="bar-value">{b.text.clone()}</span>
                        };
                        match b.href {
                            Some(h) => view! { <li><a class="bar-row" href=h>{inner}</a></li> }.into_any(),
                            None => view! { <li><span class="bar-row">{inner}</span></li> }.into_any(),
                        }
                    })
                    .collect_view()}
            </ul>
        </figure>
    }
}

/// One row of a won/lost chart.
#[derive(Clone, Debug, PartialEq)]
pub struct WonLost {
    pub label: String,
    pub won: i64,
    pub lost: i64,
    /// "3 / 5 · 60 %"
    pub text: String,
    pub won_href: Option<String>,
    pub lost_href: Option<String>,
}

/// Won (green) and lost (red) side by side per row, scaled to the row with most closed deals.
#[component]
pub fn WinLossChart(#[prop(into)] title: String, rows: Vec<WonLost>, won_label: &'static str, lost_label: &'static str) -> impl IntoView {
    let max = rows.iter().map(|r| r.won + r.lost).max().unwrap_or(0);
    let label = title.clone();
    view! {
        <figure class="chart bar-chart" aria-label=label>
            <figcaption>
                {title}
                <span class="legend"><span class="swatch won"></span>{won_label}<span class="swatch lost"></span>{lost_label}</span>
            </figcaption>
            <ul class="bars">
                {rows
                    .into_iter()
                    .map(|r| {
                        let ww = width_pct(r.won, max);
                        let lw = width_pct(r.lost, max);
                        let link = |href: Option<String>, n: i64, class: &'static str, label: &'static str| {
                            let text = format!("{n} {label}");
                            match href {
                                Some(h) if n > 0 => view! { <a class=format!("wl-link {class}") href=h>{text}</a> }.into_any(),
                                _ => view! { <span class=format!("wl-link {class}")>{text}</span> }.into_any(),
                            }
                        };
                        view! {
                            <li class="bar-row">
                                <span class="bar-label">{r.label.clone()}</span>
                                <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect class="won" x="0" y="0" height="10" width=format!("{ww:.2}")/>
                                    <rect class="lost" x=format!("{ww:.2}") y="0" height="10" width=format!("{lw:.2}")/>
                                </svg>
                                <span class="bar-value">
                                    {r.text.clone()}
                                    " "
                                    {link(r.won_href.clone(), r.won, "won", won_label)}
                                    " · "
                                    {link(r.lost_href.clone(), r.lost, "lost", lost_label)}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </figure>
    }
}

/// One line of a line chart: points (x label sortable as text, y value, y as shown).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(String, i64, String)>,
}

/// Lines over a shared, text-ordered x axis (dates), y from 0 to the largest value. A horizontal
/// reference line (e.g. our list price) can be drawn across.
#[component]
pub fn LineChart(
    #[prop(into)] title: String,
    series: Vec<Series>,
    #[prop(optional)] reference: Option<(i64, String)>,
    #[prop(default = 600)] width: i64,
    #[prop(default = 220)] height: i64,
) -> impl IntoView {
    let mut xs: Vec<String> = series.iter().flat_map(|s| s.points.iter().map(|p| p.0.clone())).collect();
    xs.sort();
    xs.dedup();
    let max_y = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).chain(reference.iter().map(|r| r.0)).max().unwrap_or(0).max(1);
    let (left, right, top, bottom) = (10.0, 10.0, 12.0, 28.0);
    let plot_w = width as f64 - left - right;
    let plot_h = height as f64 - top - bottom;
    let x_of = {
        let xs = xs.clone();
        move |x: &str| {
            let i = xs.iter().position(|v| v == x).unwrap_or(0) as f64;
            let n = (xs.len().max(2) - 1) as f64;
            if xs.len() <= 1 {
                left + plot_w / 2.0
            } else {
                left + plot_w * i / n
            }
        }
    };
    let y_of = move |y: i64| top + plot_h - plot_h * y as f64 / max_y as f64;
    // The largest value, labelled at the top of the y axis.
    let top_label = series.iter().flat_map(|s| s.points.iter()).max_by_key(|p| p.1).map(|p| p.2.clone()).unwrap_or_default();
    let first = xs.first().cloned().unwrap_or_default();
    let last = xs.last().cloned().unwrap_or_default();
    let summary: String = series
        .iter()
        .map(|s| format!("{}: {}", s.name, s.points.iter().map(|p| format!("{} {}", p.0, p.2)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <figure class="chart line-chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=format!("{title}. {summary}")>
                <line class="axis" x1=left y1=top + plot_h x2=left + plot_w y2=top + plot_h/>
                {reference.map(|(v, label)| {
                    let y = y_of(v);
                    view! {
                        <line class="reference" x1=left y1=y x2=left + plot_w y2=y/>
                        <text class="reference-label" x=left + plot_w y=y - 4.0 text-anchor="end">{label}</text>
                    }
                })}
                {series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let pts: String = s.points.iter().map(|p| format!("{:.1},{:.1}", x_of(&p.0), y_of(p.1))).collect::<Vec<_>>().join(" ");
                        let class = format!("series series-{}", i % 6);
                        view! {
                            <g class=class>
                                <polyline points=pts fill="none"/>
                                {s.points
                                    .iter()
                                    .map(|p| view! { <circle cx=format!("{:.1}", x_of(&p.0)) cy=format!("{:.1}", y_of(p.1)) r="3.5"><title>{format!("{} · {} · {}", s.name, p.0, p.2)}</title></circle> })
                                    .collect_view()}
                            </g>
                        }
                    })
                    .collect_view()}
                <text class="tick" x=left + 4.0 y=top - 2.0>{top_label}</text>
                <line class="grid" x1=left y1=top x2=left + plot_w y2=top/>
                <text class="tick" x=left y=height as f64 - 8.0>{first}</text>
                <text class="tick" x=left + plot_w y=height as f64 - 8.0 text-anchor="end">{last}</text>
            </svg>
            {(series.len() > 1).then(|| view! {
                <ul class="chart-legend">
                    {series.iter().enumerate().map(|(i, s)| view! { <li><span class=format!("swatch series-{}", i % 6)></span>{s.name.clone()}</li> }).collect_view()}
                </ul>
            })}
        </figure>
    }
}

/// One stacked part of a column.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub value: i64,
    /// "Won · 1.250.000 RSD", shown on hover and read by screen readers.
    pub text: String,
    /// The CSS class that colours it ("won", "weighted", "prior", "series-2").
    pub class: &'static str,
    pub href: Option<String>,
}

/// One column of a column chart: its segments bottom-up, and an optional marker (a goal).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub label: String,
    pub segments: Vec<Segment>,
    /// The total as shown above the column.
    pub total_text: String,
    pub marker: Option<(i64, String)>,
}

/// Stacked columns over a time axis, scaled to the tallest column or marker. Each segment is an SVG
/// bar inside a link to the records behind it (so the chart works without JavaScript and prints); a
/// marker is drawn as a dashed line across its column (a goal).
#[component]
pub fn ColumnChart(#[prop(into)] title: String, columns: Vec<Column>, legend: Vec<(&'static str, String)>) -> impl IntoView {
    let max = columns
        .iter()
        .map(|c| c.segments.iter().map(|s| s.value.max(0)).sum::<i64>().max(c.marker.as_ref().map(|m| m.0).unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1);
    let pct = move |v: i64| v.max(0) as f64 * 100.0 / max as f64;
    let label = title.clone();
    view! {
        <figure class="chart column-chart" aria-label=label>
            <figcaption>
                {title}
                <span class="legend">
                    {legend.into_iter().map(|(class, name)| view! { <span class=format!("swatch {class}")></span>{name}" " }).collect_view()}
                </span>
            </figcaption>
            <ol class="columns">
                {columns
                    .into_iter()
                    .map(|c| {
                        let marker = c.marker.clone().map(|(v, text)| {
                            let title = text.clone();
                            view! { <span class="col-marker" style=format!("bottom:{:.2}%", pct(v)) title=title><span class="sr-only">{text}</span></span> }
                        });
                        view! {
                            <li class="col">
                                <span class="col-total">{c.total_text.clone()}</span>
                                <div class="col-plot">
                                    {c.segments
                                        .into_iter()
                                        .filter(|s| s.value > 0)
                                        .map(|s| {
                                            let style = format!("height:{:.2}%", pct(s.value));
                                            let class = format!("col-seg {}", s.class);
                                            let bar = view! {
                                                <svg viewBox="0 0 10 10" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" width="10" height="10"/></svg>
                                                <span class="sr-only">{s.text.clone()}</span>
                                            };
                                            match s.href {
                                                Some(h) => view! { <a class=class href=h style=style title=s.text.clone()>{bar}</a> }.into_any(),
                                                None => view! { <span class=class style=style title=s.text.clone()>{bar}</span> }.into_any(),
                                            }
                                        })
                                        .collect_view()}
                                    {marker}
                                </div>
                                <span class="col-label">{c.label.clone()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </figure>
    }
}

/// A progress bar for a goal: actual against target, with in-progress work beyond it.
#[component]
pub fn ProgressBar(actual: i64, extra: i64, target: i64, #[prop(into)] label: String) -> impl IntoView {
    let scale = target.max(actual + extra).max(1) as f64;
    let a = actual.max(0) as f64 * 100.0 / scale;
    let e = extra.max(0) as f64 * 100.0 / scale;
    let t = target.max(0) as f64 * 100.0 / scale;
    view! {
        <svg class="progress" viewBox="0 0 100 12" preserveAspectRatio="none" role="img" aria-label=label>
            <rect class="progress-track" x="0" y="2" width="100" height="8"/>
            <rect class="progress-actual" x="0" y="2" width=format!("{a:.2}") height="8"/>
            <rect class="progress-extra" x=format!("{a:.2}") y="2" width=format!("{e:.2}") height="8"/>
            <line class="progress-target" x1=format!("{t:.2}") y1="0" x2=format!("{t:.2}") y2="12"/>
        </svg>
    }
}
