//! The summary as JSON ([`json`]), as a plain-text table ([`text`]) and as one
//! self-contained HTML page with inline SVG charts ([`html`]). Every output shows
//! the same suppressed values, says what was withheld and why, and says when the
//! input is synthetic.

use crate::summary::{Denominator, Row, Section, Summary, Value};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use serde_json::{json, Map};
use std::fmt::Write as _;

/// The schema of the JSON summary (docs/guide-partnerships.md).
pub const SCHEMA: &str = "dashrisk-summary/1";

/// How a withheld count is shown in the table and the page.
pub const WITHHELD: &str = "[c]";

/// What a synthetic input means for the figures.
pub const SYNTHETIC_NOTICE: &str = "SYNTHETIC DATA: these figures come from generated records (dashrisk synth), not from real call-outs. They show how the summary works and say nothing about any real area.";

/// The suppression rule, in words.
pub fn suppression_rule(min_cell: u64) -> String {
    if min_cell <= 1 {
        return "No suppression (--min-cell 1): every count is shown. Do not publish these figures.".into();
    }
    format!(
        "Counts from 1 to {} are withheld, so that a small count cannot identify a family; zeros are shown. \
         Further counts are withheld wherever a withheld count could otherwise be worked back from totals \
         (including the implied counts, such as call-outs not referred), and a rate is withheld when its count \
         or its base is. Withheld cells are marked {WITHHELD}; which were small and which were withheld to \
         protect them is not said, since that would tell which are small.",
        min_cell - 1
    )
}

fn value_json(v: &Value) -> serde_json::Value {
    json!({
        "count": v.count,
        "rate_per_1000": v.rate_per_1000.map(|r| (r * 100.0).round() / 100.0),
        "suppressed": v.suppressed,
    })
}

fn row_json(s: &Summary, r: &Row) -> serde_json::Value {
    let mut figures = Map::new();
    for (f, v) in s.figures.iter().zip(&r.values) {
        figures.insert(f.key.clone(), value_json(v));
    }
    let mut out = Map::new();
    if let Some(k) = &r.key {
        let group: Map<String, serde_json::Value> = s
            .options
            .group_by
            .iter()
            .cloned()
            .zip(k.group.iter().map(|g| json!(g)))
            .collect();
        out.insert("group".into(), group.into());
        out.insert("period".into(), json!(k.period));
    }
    out.insert("figures".into(), figures.into());
    out.into()
}

/// The summary as JSON: every figure of every row, with what was withheld and why.
pub fn json(s: &Summary) -> serde_json::Value {
    json!({
        "schema": SCHEMA,
        "synthetic": s.synthetic,
        "notice": if s.synthetic { Some(SYNTHETIC_NOTICE) } else { None },
        "source": s.options.source,
        "scorer_version": s.options.scorer_version,
        "calibration_version": s.options.calibration_version,
        "group_by": s.options.group_by,
        "period": s.options.period.as_ref().map(|(p, _)| p),
        "date_column": s.options.period.as_ref().map(|(_, c)| c),
        "records_with_errors": s.records_with_errors,
        "suppression": {
            "min_cell": s.options.min_cell,
            "rule": suppression_rule(s.options.min_cell),
            "small_cells": s.suppressed_small,
            "secondary_cells": s.suppressed_secondary,
        },
        "figures": s.figures,
        "overall": row_json(s, &s.overall),
        "breakdown": s.rows.iter().map(|r| row_json(s, r)).collect::<Vec<_>>(),
    })
}

fn count_text(v: &Value) -> String {
    match v.count {
        Some(c) => c.to_string(),
        None => WITHHELD.into(),
    }
}

fn rate_text(v: &Value) -> String {
    match v.rate_per_1000 {
        Some(r) => format!("{r:.1}"),
        None if v.suppressed => WITHHELD.into(),
        None => "-".into(),
    }
}

/// The label of a breakdown row: group values and period.
pub fn row_label(r: &Row) -> String {
    let Some(k) = &r.key else {
        return "All call-outs".into();
    };
    let mut parts: Vec<String> = k
        .group
        .iter()
        .map(|g| {
            if g.is_empty() {
                "(blank)".to_string()
            } else {
                g.clone()
            }
        })
        .collect();
    if let Some(p) = &k.period {
        parts.push(p.clone());
    }
    parts.join(" / ")
}

const SECTIONS: [(Section, &str); 10] = [
    (Section::CallOuts, "Call-outs"),
    (Section::Classification, "Classification"),
    (Section::RecordingCategory, "Recording category"),
    (Section::RiskLevel, "Risk level"),
    (Section::Pathways, "Pathways"),
    (Section::Marac, "MARAC"),
    (Section::Notifications, "Notifications"),
    (Section::Children, "Children"),
    (
        Section::Transitions,
        "Recent transitions among parental-conflict cases",
    ),
    (
        Section::Unanswered,
        "Questions left unanswered in unclear cases (what officers most often did not ask)",
    ),
];

/// The figures of the breakdown table, by key.
const BREAKDOWN_KEYS: [(&str, &str); 8] = [
    ("call_outs", "call-outs"),
    ("classification.parental_conflict", "PC"),
    ("classification.unclear", "unclear"),
    ("classification.domestic_abuse", "DA"),
    ("marac_referral", "MARAC"),
    ("csc_notification", "CSC"),
    ("school_notification", "school"),
    ("children_in_household.yes", "children"),
];

/// The summary as a plain-text table, for the terminal.
pub fn text(s: &Summary) -> String {
    let mut o = String::new();
    if s.synthetic {
        let _ = writeln!(o, "{SYNTHETIC_NOTICE}\n");
    }
    let _ = writeln!(
        o,
        "Call-out summary of {} ({}, {})",
        s.options.source, s.options.scorer_version, s.options.calibration_version
    );
    for (section, title) in SECTIONS {
        let idx = section_figures(s, section);
        if idx.is_empty() {
            continue;
        }
        let base = s.figures[idx[0]].denominator;
        let _ = writeln!(o, "\n{title}");
        let _ = writeln!(o, "  {:<58} {:>9} {:>10}", "", "count", per_head(base));
        for i in ordered(s, idx) {
            let v = &s.overall.values[i];
            let _ = writeln!(
                o,
                "  {:<58} {:>9} {:>10}",
                clip(&s.figures[i].label, 58),
                count_text(v),
                rate_text(v)
            );
        }
    }
    if !s.rows.is_empty() {
        let _ = writeln!(o, "\nBreakdown (counts)");
        let cols: Vec<Option<usize>> = BREAKDOWN_KEYS.iter().map(|(k, _)| s.figure(k)).collect();
        let _ = write!(o, "  {:<36}", "group / period");
        for (_, h) in BREAKDOWN_KEYS {
            let _ = write!(o, " {h:>9}");
        }
        let _ = writeln!(o);
        for r in &s.rows {
            let _ = write!(o, "  {:<36}", clip(&row_label(r), 36));
            for c in &cols {
                let t = c.map(|i| count_text(&r.values[i])).unwrap_or_default();
                let _ = write!(o, " {t:>9}");
            }
            let _ = writeln!(o);
        }
    }
    if let Some(e) = s.records_with_errors.filter(|e| *e > 0) {
        let _ = writeln!(
            o,
            "\n{e} records could not be assessed and are in no figure (each is reported on standard error)."
        );
    } else if s.records_with_errors.is_none() {
        let _ = writeln!(
            o,
            "\nSome records ({WITHHELD}) could not be assessed and are in no figure (each is reported on standard error)."
        );
    }
    let _ = writeln!(
        o,
        "\n{}\n{} cells withheld as small, {} more to protect them.",
        suppression_rule(s.options.min_cell),
        s.suppressed_small,
        s.suppressed_secondary
    );
    o
}

fn per_head(d: Denominator) -> &'static str {
    match d {
        Denominator::CallOuts => "per 1,000",
        Denominator::ParentalConflict => "per 1,000 PC",
        Denominator::Unclear => "per 1,000 uncl.",
    }
}

/// The indexes of the figures of `section`, in definition order.
fn section_figures(s: &Summary, section: Section) -> Vec<usize> {
    (0..s.figures.len())
        .filter(|&i| s.figures[i].section == section)
        .collect()
}

/// Figures in display order: unanswered questions most frequent first (by their
/// overall count; withheld counts last), everything else as defined.
fn ordered(s: &Summary, mut idx: Vec<usize>) -> Vec<usize> {
    if idx
        .first()
        .is_some_and(|&i| s.figures[i].section == Section::Unanswered)
    {
        idx.sort_by_key(|&i| {
            (
                std::cmp::Reverse(s.overall.values[i].count.unwrap_or(0)),
                s.figures[i].key.clone(),
            )
        });
    }
    idx
}

pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Bars of a chart: a label and a value, `None` when withheld.
pub type Bars = Vec<(String, Option<f64>)>;

/// A horizontal bar chart as an SVG string: one bar per label, withheld values
/// marked and left without a bar.
pub fn bar_chart(title: &str, bars: &[(String, Option<f64>)], unit: &str) -> String {
    let mut buf = String::new();
    let drawn = draw_bars(&mut buf, title, bars, unit);
    match drawn {
        Ok(()) => buf,
        Err(e) => format!(
            "<p class=\"chart-error\">The chart \u{201c}{}\u{201d} could not be drawn: {}</p>",
            esc(title),
            esc(&e)
        ),
    }
}

fn draw_bars(
    buf: &mut String,
    title: &str,
    bars: &[(String, Option<f64>)],
    unit: &str,
) -> Result<(), String> {
    let n = bars.len().max(1);
    let height = 70 + 24 * n as u32;
    let width = 820u32;
    let max = bars
        .iter()
        .filter_map(|b| b.1)
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.15;
    let labels: Vec<String> = bars
        .iter()
        .map(|(l, v)| {
            let l = clip(l, 44);
            if v.is_none() {
                format!("{l} {WITHHELD}")
            } else {
                l
            }
        })
        .collect();
    {
        let root = SVGBackend::with_string(buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(300)
            .build_cartesian_2d(0.0..max, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                // The first bar at the top.
                SegmentValue::CenterOf(i) if *i < n => {
                    labels.get(n - 1 - *i).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_label_formatter(&|x| format_value(*x))
            .light_line_style(RGBColor(238, 238, 238))
            .x_desc(unit)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let colour = RGBColor(44, 95, 138);
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, (_, v))| {
                v.map(|v| {
                    let at = n - 1 - i;
                    let mut r = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(at)),
                            (v, SegmentValue::Exact(at + 1)),
                        ],
                        colour.filled(),
                    );
                    r.set_margin(3, 3, 0, 0);
                    r
                })
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, (_, v))| {
                v.map(|v| {
                    Text::new(
                        format_value(v),
                        (v + max * 0.01, SegmentValue::CenterOf(n - 1 - i)),
                        ("sans-serif", 12).into_font(),
                    )
                })
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The bars of the figures of `section` in `row`: counts or rates.
fn section_bars(
    s: &Summary,
    section: Section,
    rates: bool,
    limit: usize,
) -> Vec<(String, Option<f64>)> {
    let idx = section_figures(s, section);
    ordered(s, idx)
        .into_iter()
        .take(limit)
        .map(|i| {
            let v = &s.overall.values[i];
            let x = if rates {
                v.rate_per_1000
            } else {
                v.count.map(|c| c as f64)
            };
            (s.figures[i].label.clone(), x)
        })
        .collect()
}

/// Rows shown in a breakdown chart (all rows are in the table).
const CHART_ROWS: usize = 40;

/// The summary as one self-contained HTML page: no script, no style sheet, font or
/// image from elsewhere; the charts are inline SVG.
pub fn html(s: &Summary) -> String {
    let mut o = String::new();
    let title = "Domestic call-outs: parental conflict and domestic abuse";
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    );
    if s.synthetic {
        let _ = writeln!(
            o,
            "<p class=\"synthetic\" role=\"alert\">{}</p>",
            esc(SYNTHETIC_NOTICE)
        );
    }
    let n = s.overall.values[0].count;
    let _ = writeln!(
        o,
        "<p class=\"meta\">Source: <b>{}</b>. Call-outs assessed: <b>{}</b>. Assessed by {} with calibration {}. \
         Decision support only: every result supports, and never replaces, professional judgement.</p>",
        esc(&s.options.source),
        n.map(|n| n.to_string()).unwrap_or_else(|| WITHHELD.into()),
        esc(&s.options.scorer_version),
        esc(&s.options.calibration_version)
    );
    let _ = writeln!(
        o,
        "<section class=\"note\"><h2>What is withheld, and why</h2><p>{}</p><p>{} cells withheld as small, {} more withheld to protect them.</p></section>",
        esc(&suppression_rule(s.options.min_cell)),
        s.suppressed_small,
        s.suppressed_secondary
    );
    let _ = writeln!(o, "<h2>Charts</h2>");
    let charts: Vec<(String, Bars, &str)> = vec![
        (
            "Call-outs by classification".into(),
            section_bars(s, Section::Classification, false, 99),
            "call-outs",
        ),
        (
            "Pathways".into(),
            section_bars(s, Section::Pathways, true, 99),
            "per 1,000 call-outs",
        ),
        (
            "MARAC referrals and criteria".into(),
            section_bars(s, Section::Marac, true, 99),
            "per 1,000 call-outs",
        ),
        (
            "Recent transitions among parental-conflict cases".into(),
            section_bars(s, Section::Transitions, true, 99),
            "per 1,000 parental-conflict cases",
        ),
        (
            "Questions most often left unanswered in unclear cases".into(),
            section_bars(s, Section::Unanswered, true, 12),
            "per 1,000 unclear cases",
        ),
    ];
    for (t, bars, unit) in charts {
        if bars.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "<figure class=\"chart\">{}</figure>",
            bar_chart(&t, &bars, unit)
        );
    }
    if !s.rows.is_empty() {
        for (key, what) in [
            ("classification.parental_conflict", "Parental conflict"),
            ("classification.unclear", "Unclear"),
            ("csc_notification", "Children's social care notifications"),
        ] {
            let Some(i) = s.figure(key) else { continue };
            let bars: Vec<(String, Option<f64>)> = s
                .rows
                .iter()
                .take(CHART_ROWS)
                .map(|r| (row_label(r), r.values[i].rate_per_1000))
                .collect();
            let more = if s.rows.len() > CHART_ROWS {
                format!(
                    " (first {CHART_ROWS} of {} rows; all are in the table)",
                    s.rows.len()
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "<figure class=\"chart\">{}</figure>",
                bar_chart(
                    &format!("{what} per 1,000 call-outs, by row{more}"),
                    &bars,
                    "per 1,000 call-outs"
                )
            );
        }
    }
    let _ = writeln!(o, "<h2>All figures</h2>");
    for (section, heading) in SECTIONS {
        let idx = section_figures(s, section);
        if idx.is_empty() {
            continue;
        }
        let base = s.figures[idx[0]].denominator;
        let _ = writeln!(
            o,
            "<table><caption>{}</caption><thead><tr><th scope=\"col\">Figure</th><th scope=\"col\">Count</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(heading),
            esc(base.per_1000())
        );
        for i in ordered(s, idx) {
            let v = &s.overall.values[i];
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"rate\">{}</td></tr>",
                esc(&s.figures[i].label),
                esc(&count_text(v)),
                esc(&rate_text(v))
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    if !s.rows.is_empty() {
        let mut head = String::new();
        for g in &s.options.group_by {
            let _ = write!(head, "<th scope=\"col\">{}</th>", esc(g));
        }
        if s.options.period.is_some() {
            head.push_str("<th scope=\"col\">period</th>");
        }
        let cols: Vec<Option<usize>> = BREAKDOWN_KEYS.iter().map(|(k, _)| s.figure(k)).collect();
        for (_, h) in BREAKDOWN_KEYS {
            let _ = write!(head, "<th scope=\"col\">{}</th>", esc(h));
        }
        let _ = writeln!(
            o,
            "<table class=\"breakdown\"><caption>Breakdown (counts; PC parental conflict, DA domestic abuse, CSC children's social care). Every figure of every row is in the JSON output.</caption><thead><tr>{head}</tr></thead><tbody>"
        );
        for r in &s.rows {
            let mut tr = String::new();
            if let Some(k) = &r.key {
                for g in &k.group {
                    let _ = write!(
                        tr,
                        "<th scope=\"row\">{}</th>",
                        esc(if g.is_empty() { "(blank)" } else { g })
                    );
                }
                if let Some(p) = &k.period {
                    let _ = write!(tr, "<td class=\"period\">{}</td>", esc(p));
                }
            }
            for c in &cols {
                let t = c.map(|i| count_text(&r.values[i])).unwrap_or_default();
                let _ = write!(tr, "<td class=\"n\">{}</td>", esc(&t));
            }
            let _ = writeln!(o, "<tr>{tr}</tr>");
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    match s.records_with_errors {
        Some(0) => {}
        Some(e) => {
            let _ = writeln!(o, "<p>{e} records could not be assessed and are in no figure; each was reported with its line and field.</p>");
        }
        None => {
            let _ = writeln!(o, "<p>Some records ({WITHHELD}) could not be assessed and are in no figure; each was reported with its line and field.</p>");
        }
    }
    let _ = writeln!(
        o,
        "<footer><p>Made by <code>dashrisk summarise</code> ({SCHEMA}). Rates are per 1,000 of the base each table names. \
         Classification follows the scorer's safety rules: parental conflict only when abuse was asked about and screened out.</p></footer>\n</main>\n</body>\n</html>"
    );
    o
}

pub(crate) const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}\
main{max-width:980px;margin:0 auto;padding:1rem 1.5rem}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}\
.synthetic{background:#fff3cd;border:2px solid #b58100;padding:.75rem;font-weight:bold}\
.note{background:#f3f6f9;padding:.5rem 1rem;border-left:4px solid #2c5f8a}\
figure.chart{margin:1rem 0}figure.chart svg{max-width:100%;height:auto}\
table{border-collapse:collapse;margin:1rem 0;width:100%}caption{text-align:left;font-weight:bold;padding:.25rem 0}\
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:right}th[scope=row]{text-align:left;font-weight:normal}\
thead th{text-align:right}thead th:first-child{text-align:left}footer{margin-top:2rem;color:#555;font-size:.9rem}";
