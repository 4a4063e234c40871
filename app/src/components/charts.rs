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

/// One slice of a donut chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub label: String,
    pub value: i64,
    /// The value as shown ("42", "1,2 mil. RSD").
    pub text: String,
    pub href: Option<String>,
}

/// Where each slice of a donut starts and how long it is, in hundredths of the circle (the slices
/// with a value, in order; they add up to 100).
pub fn donut_arcs(values: &[i64]) -> Vec<(f64, f64)> {
    let total: i64 = values.iter().map(|v| (*v).max(0)).sum();
    if total <= 0 {
        return Vec::new();
    }
    let mut start = 0.0;
    values
        .iter()
        .map(|v| {
            let len = (*v).max(0) as f64 * 100.0 / total as f64;
            let arc = (start, len);
            start += len;
            arc
        })
        .collect()
}

/// Shares of a whole as a ring, with the total in the middle. The legend beside it names each slice
/// with its value and share, and links to the records behind it; each slice shows the same on hover.
#[component]
pub fn DonutChart(#[prop(into)] title: String, slices: Vec<Slice>, #[prop(into)] total_text: String) -> impl IntoView {
    let values: Vec<i64> = slices.iter().map(|s| s.value).collect();
    let arcs = donut_arcs(&values);
    let total: i64 = values.iter().map(|v| (*v).max(0)).sum();
    let share = move |v: i64| if total > 0 { format!("{:.0} %", v.max(0) as f64 * 100.0 / total as f64) } else { "—".into() };
    let summary = slices.iter().map(|s| format!("{} {} ({})", s.label, s.text, share(s.value))).collect::<Vec<_>>().join(", ");
    // r = 100 / 2π, so the circumference is 100 and a slice's length is its percentage.
    let r = 15.915_494;
    view! {
        <figure class="chart donut-chart">
            <figcaption>{title.clone()}</figcaption>
            <div class="donut-body">
                <svg viewBox="0 0 42 42" role="img" aria-label=format!("{title}: {total_text}. {summary}")>
                    <circle class="donut-track" cx="21" cy="21" r=r fill="none" stroke-width="6"/>
                    {slices
                        .iter()
                        .zip(arcs.iter())
                        .enumerate()
                        .filter(|(_, (s, _))| s.value > 0)
                        .map(|(i, (s, (start, len)))| {
                            view! {
                                <circle
                                    class=format!("donut-slice series-{}", i % 6)
                                    cx="21"
                                    cy="21"
                                    r=r
                                    fill="none"
                                    stroke-width="6"
                                    stroke-dasharray=format!("{len:.3} {:.3}", 100.0 - len)
                                    stroke-dashoffset=format!("{:.3}", 25.0 - start)
                                >
                                    <title>{format!("{} · {} · {}", s.label, s.text, share(s.value))}</title>
                                </circle>
                            }
                        })
                        .collect_view()}
                    <text class="donut-total" x="21" y="22.5" text-anchor="middle">{total_text.clone()}</text>
                </svg>
                <ul class="chart-legend donut-legend">
                    {slices
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let text = format!("{} · {}", s.text, share(s.value));
                            let name = match s.href {
                                Some(h) => view! { <a href=h>{s.label.clone()}</a> }.into_any(),
                                None => view! { <span>{s.label.clone()}</span> }.into_any(),
                            };
                            view! { <li><span class=format!("swatch series-{}", i % 6)></span>{name}" "<span class="muted">{text}</span></li> }
                        })
                        .collect_view()}
                </ul>
            </div>
        </figure>
    }
}

/// The end point of a gauge's arc for a share `bp` (basis points, clamped to 0–100 %), on a half
/// circle of radius 40 centred at (50, 50), from the left (0 %) over the top to the right (100 %).
pub fn gauge_point(bp: i64) -> (f64, f64) {
    let angle = std::f64::consts::PI * (1.0 - bp.clamp(0, 10_000) as f64 / 10_000.0);
    (50.0 + 40.0 * angle.cos(), 50.0 - 40.0 * angle.sin())
}

/// A half-circle gauge of a share (win rate, goal attainment): the arc filled to the value, an
/// optional target tick, the value in the middle. `bp` above 100 % fills the arc.
#[component]
pub fn GaugeChart(
    #[prop(into)] title: String,
    bp: Option<i64>,
    #[prop(into)] value_text: String,
    #[prop(into, optional)] detail: String,
    #[prop(optional)] target_bp: Option<i64>,
    #[prop(optional)] href: Option<String>,
) -> impl IntoView {
    let (x, y) = gauge_point(bp.unwrap_or(0));
    let filled = bp.unwrap_or(0) > 0;
    let class = match bp {
        Some(v) if v >= 10_000 => "gauge-fill good",
        Some(v) if target_bp.is_some_and(|t| v >= t) => "gauge-fill good",
        Some(v) if v < 5_000 => "gauge-fill low",
        _ => "gauge-fill",
    };
    let target = target_bp.map(|t| {
        let angle = std::f64::consts::PI * (1.0 - t.clamp(0, 10_000) as f64 / 10_000.0);
        let (c, s) = (angle.cos(), angle.sin());
        view! { <line class="gauge-target" x1=format!("{:.2}", 50.0 + 33.0 * c) y1=format!("{:.2}", 50.0 - 33.0 * s) x2=format!("{:.2}", 50.0 + 47.0 * c) y2=format!("{:.2}", 50.0 - 47.0 * s)/> }
    });
    let label = format!("{title}: {value_text}{}", if detail.is_empty() { String::new() } else { format!(" ({detail})") });
    let body = view! {
        <svg viewBox="0 0 100 58" role="img" aria-label=label>
            <path class="gauge-track" d="M 10 50 A 40 40 0 0 1 90 50" fill="none"/>
            {filled.then(|| view! { <path class=class d=format!("M 10 50 A 40 40 0 0 1 {x:.2} {y:.2}") fill="none"/> })}
            {target}
            <text class="gauge-value" x="50" y="47" text-anchor="middle">{value_text.clone()}</text>
        </svg>
    };
    view! {
        <figure class="chart gauge-chart">
            <figcaption>{title.clone()}</figcaption>
            {match href {
                Some(h) => view! { <a href=h class="gauge-link">{body}</a> }.into_any(),
                None => body.into_any(),
            }}
            {(!detail.is_empty()).then(|| view! { <p class="muted gauge-detail">{detail.clone()}</p> })}
        </figure>
    }
}

/// One step of a funnel.
#[derive(Clone, Debug, PartialEq)]
pub struct FunnelStep {
    pub label: String,
    pub value: i64,
    /// "42 · 60 % · 4,5 days in stage"
    pub text: String,
    pub href: Option<String>,
}

/// A funnel: each step a centred band as wide as its share of the first step, narrowing down.
#[component]
pub fn FunnelChart(#[prop(into)] title: String, steps: Vec<FunnelStep>) -> impl IntoView {
    let first = steps.first().map(|s| s.value).unwrap_or(0).max(1);
    let label = title.clone();
    view! {
        <figure class="chart funnel-chart" aria-label=label>
            <figcaption>{title}</figcaption>
            <ol class="funnel">
                {steps
                    .into_iter()
                    .map(|s| {
                        let w = if s.value <= 0 { 0.0 } else { (s.value as f64 * 100.0 / first as f64).clamp(1.0, 100.0) };
                        let inner = view! {
                            <span class="funnel-label">{s.label.clone()}</span>
                            <svg class="funnel-band" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect x=format!("{:.2}", (100.0 - w) / 2.0) y="0" width=format!("{w:.2}") height="10"/>
                            </svg>
                            <span class="funnel-value">{s.text.clone()}</span>
                        };
                        match s.href {
                            Some(h) => view! { <li><a class="funnel-step" href=h>{inner}</a></li> }.into_any(),
                            None => view! { <li><span class="funnel-step">{inner}</span></li> }.into_any(),
                        }
                    })
                    .collect_view()}
            </ol>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_slices_cover_the_circle_in_order() {
        let arcs = donut_arcs(&[1, 3, 0, 4]);
        assert_eq!(arcs.len(), 4);
        assert_eq!(arcs[0], (0.0, 12.5));
        assert_eq!(arcs[1], (12.5, 37.5));
        assert_eq!(arcs[2], (50.0, 0.0));
        assert_eq!(arcs[3], (50.0, 50.0));
        assert!(donut_arcs(&[0, 0]).is_empty());
        assert!(donut_arcs(&[]).is_empty());
    }

    #[test]
    fn gauge_goes_from_left_over_the_top_to_right() {
        let (x0, y0) = gauge_point(0);
        assert!((x0 - 10.0).abs() < 1e-9 && (y0 - 50.0).abs() < 1e-9);
        let (xm, ym) = gauge_point(5_000);
        assert!((xm - 50.0).abs() < 1e-9 && (ym - 10.0).abs() < 1e-9);
        let (x1, y1) = gauge_point(10_000);
        assert!((x1 - 90.0).abs() < 1e-9 && (y1 - 50.0).abs() < 1e-9);
        assert_eq!(gauge_point(25_000), gauge_point(10_000), "over 100 % fills the arc");
    }
}
