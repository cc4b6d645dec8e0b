//! An [`Evaluation`] as JSON ([`json`]), as a plain-text table ([`text`]) and as
//! one self-contained HTML report with inline SVG plots ([`html`]): ROC curves,
//! reliability diagrams with bin counts, decision curves, funnel plots and the
//! workload table. Nothing in the report loads from anywhere.

use crate::evaluate::{Evaluation, Funnel, GroupReport, Proportion, ToolKind, ToolReport};
use crate::render::{esc, CSS, WITHHELD};
use plotters::prelude::*;
use std::fmt::Write as _;

/// Every figure as JSON (schema `dashrisk-evaluation/1`, docs/guide-evaluate.md).
pub fn json(e: &Evaluation) -> serde_json::Value {
    serde_json::to_value(e).expect("the evaluation serialises (no map keys that are not strings)")
}

fn f3(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}

fn f1(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn ci(v: Option<[f64; 2]>) -> String {
    v.map_or_else(String::new, |[a, b]| format!(" [{a:.3}, {b:.3}]"))
}

/// An AUC with its interval, or with "no interval" where there is an AUC but no
/// interval to give (the reason is given beside the table).
fn auc_ci(auc: Option<f64>, interval: Option<[f64; 2]>) -> String {
    match (auc, interval) {
        (Some(_), None) => format!("{} [no interval]", f3(auc)),
        _ => format!("{}{}", f3(auc), ci(interval)),
    }
}

/// What the AUC intervals are, in a sentence.
fn auc_interval_sentence(e: &Evaluation) -> String {
    format!(
        "AUC intervals: {} ({}); the paired comparisons use DeLong's test.",
        dashrisk::metrics::AUC_INTERVAL_METHOD_TEXT,
        e.auc_ci95_method
    )
}

fn pct(p: &Proportion) -> String {
    match (p.share, p.ci95) {
        (Some(s), Some([a, b])) => format!(
            "{} of {} = {:.2}% [{:.2}%, {:.2}%]",
            p.count,
            p.of,
            100.0 * s,
            100.0 * a,
            100.0 * b
        ),
        _ => format!("{} of {}", p.count, p.of),
    }
}

fn kind(k: ToolKind) -> &'static str {
    match k {
        ToolKind::Probability => "probability",
        ToolKind::Ranking => "ranking",
        ToolKind::Decision => "yes/no",
    }
}

/// The figures as a plain-text table.
pub fn text(e: &Evaluation) -> String {
    let mut o = String::new();
    if let Some(n) = e.synthetic_notice {
        let _ = writeln!(o, "{n}\n");
    }
    let r = &e.records;
    let _ = writeln!(
        o,
        "Evaluation of {} against the label {:?}: {} records read, {} evaluated ({} abuse, {} not abuse; prevalence {}), {} without a label, {} unreadable.\n",
        e.source,
        e.label,
        r.read,
        r.evaluated,
        r.abuse,
        r.not_abuse,
        r.prevalence.map_or_else(|| "–".into(), |p| format!("{:.1}%", 100.0 * p)),
        r.missing_label,
        r.errors
    );
    let _ = writeln!(
        o,
        "{:<22} {:<11} {:>7} {:>19} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7}",
        "tool", "output", "n", "AUC [95% CI]", "AP", "Brier", "log loss", "ECE", "slope", "CITL"
    );
    for t in &e.tools {
        let auc = match (t.auc, t.auc_ci95) {
            (Some(a), Some([l, h])) => format!("{a:.3} [{l:.3},{h:.3}]"),
            (Some(a), None) => format!("{a:.3} [no interval]"),
            _ => "–".into(),
        };
        let _ = writeln!(
            o,
            "{:<22} {:<11} {:>7} {:>19} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7}",
            crate::render::clip(&t.tool, 22),
            kind(t.kind),
            t.n,
            auc,
            f3(t.average_precision),
            f3(t.brier),
            f3(t.log_loss),
            f3(t.ece),
            f3(t.calibration_slope),
            f3(t.calibration_intercept)
        );
    }
    let _ = writeln!(o, "\n{}", auc_interval_sentence(e));
    for t in &e.tools {
        if let Some(n) = &t.auc_ci95_note {
            let _ = writeln!(o, "No AUC interval for {}: {n}.", t.tool);
        }
    }
    let _ = writeln!(o, "Probability figures (Brier to CITL) are given only for probabilities; a ranking score is never scored as one.");
    let _ = writeln!(o, "\nAt each tool's positive call:");
    let _ = writeln!(
        o,
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>10}  rule",
        "tool", "sens", "spec", "PPV", "NPV", "per 1,000"
    );
    for t in &e.tools {
        let Some(at) = &t.at_rule else {
            let _ = writeln!(
                o,
                "{:<22} {}",
                crate::render::clip(&t.tool, 22),
                t.positive_rule
            );
            continue;
        };
        let c = &at.confusion;
        let _ = writeln!(
            o,
            "{:<22} {:>8} {:>8} {:>8} {:>8} {:>10.1}  {}",
            crate::render::clip(&t.tool, 22),
            f3(c.sensitivity),
            f3(c.specificity),
            f3(c.ppv),
            f3(c.npv),
            at.positive_per_1000,
            t.positive_rule
        );
    }
    let work: Vec<&ToolReport> = e
        .tools
        .iter()
        .filter(|t| t.workload_per_1000.is_some())
        .collect();
    if !work.is_empty() {
        let _ = writeln!(o, "\nWorkload per 1,000 incidents:");
        let _ = writeln!(
            o,
            "{:<22} {:>8} {:>8} {:>8} {:>12}  basis",
            "tool", "MARAC", "CSC", "school", "RPC/EH"
        );
        for t in work {
            let w = t.workload_per_1000.expect("filtered");
            let _ = writeln!(
                o,
                "{:<22} {:>8.1} {:>8.1} {:>8.1} {:>12.1}  {}",
                crate::render::clip(&t.tool, 22),
                w.marac,
                w.csc,
                w.school,
                w.rpc_or_early_help,
                basis(w.basis)
            );
        }
    }
    for t in &e.tools {
        if let Some(s) = &t.routing_safety {
            let _ = writeln!(o, "\nRouting safety of {}:", t.tool);
            let _ = writeln!(
                o,
                "  true abuse labelled parental conflict: {}",
                pct(&s.abuse_labelled_conflict)
            );
            let _ = writeln!(
                o,
                "  true non-abuse routed to RPC support: {}",
                pct(&s.non_abuse_to_rpc)
            );
            let _ = writeln!(
                o,
                "  CSC notifications: {} today (every incident with children, or not known), {} with the tool: {} avoided ({:.1} per 1,000)",
                s.csc_today, s.csc_tool, s.csc_avoided, s.csc_avoided_per_1000
            );
            let _ = writeln!(
                o,
                "  abuse cases with children that would lose a notification: {}",
                s.abuse_with_children_losing_notification
            );
        }
    }
    if !e.comparisons.is_empty() {
        let _ = writeln!(o, "\nPaired DeLong comparisons (same records):");
        for c in &e.comparisons {
            let _ = writeln!(
                o,
                "  {} − {}: {:+.3} [{:.3}, {:.3}], p = {} (n = {})",
                c.tool,
                c.reference,
                c.difference,
                c.ci95[0],
                c.ci95[1],
                c.p_value.map_or_else(|| "–".into(), |p| format!("{p:.2e}")),
                c.n
            );
        }
    }
    if let Some(s) = &e.screen {
        let _ = writeln!(o, "\n{} ({}): {}", s.tool, s.name, s.rule);
        for m in &s.missing_items {
            let _ = writeln!(
                o,
                "  missing on {}: item {} ({})",
                m.instrument, m.item, m.text
            );
        }
    }
    for g in &e.groups {
        let _ = writeln!(
            o,
            "\nBy {}: {} groups, {} withheld; reference tool {}.",
            g.column,
            g.groups,
            g.suppressed_groups,
            g.reference.as_deref().unwrap_or("none")
        );
        if g.reference.is_some() {
            let _ = writeln!(
                o,
                "  calibration-in-the-large interval excludes 0: {}",
                list(&g.miscalibrated)
            );
        }
        for f in &g.funnels {
            let _ = writeln!(
                o,
                "  {}: overall {:.1}%; outside 95% limits: {}; outside 99.8%: {}",
                f.label,
                100.0 * f.target,
                list(&f.outside95),
                list(&f.outside998)
            );
        }
    }
    let _ = writeln!(o, "\n{}", e.suppression);
    for n in &e.notes {
        let _ = writeln!(o, "Note: {n}");
    }
    o
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn basis(b: crate::evaluate::WorkloadBasis) -> &'static str {
    match b {
        crate::evaluate::WorkloadBasis::Scorer => "the scorer's decisions",
        crate::evaluate::WorkloadBasis::TodaysPractice => {
            "today's practice: MARAC on the DASH criteria; every incident with children (or not known) notified"
        }
    }
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(44, 95, 138),
    RGBColor(200, 82, 0),
    RGBColor(0, 130, 80),
    RGBColor(150, 50, 150),
    RGBColor(120, 120, 120),
    RGBColor(190, 30, 45),
    RGBColor(0, 150, 190),
    RGBColor(130, 100, 20),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Draws into an SVG string, or returns a paragraph saying why it could not.
fn svg(
    title: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
) -> String {
    let mut buf = String::new();
    let res = {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    match res {
        Ok(()) => format!(
            "<figure class=\"chart\" data-chart=\"{}\">{buf}</figure>",
            esc(title)
        ),
        Err(e) => format!(
            "<p class=\"chart-error\">The plot \u{201c}{}\u{201d} could not be drawn: {}</p>",
            esc(title),
            esc(&e)
        ),
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// ROC curves of every tool on one plot.
pub fn roc_plot(e: &Evaluation) -> String {
    svg("ROC curves", (640, 560), |root| {
        let mut c = ChartBuilder::on(root)
            .caption("ROC curves", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("False positive rate (1 − specificity)")
            .y_desc("True positive rate (sensitivity)")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            RGBColor(180, 180, 180),
        ))
        .map_err(err)?;
        for (i, t) in e.tools.iter().enumerate() {
            if t.roc.is_empty() {
                continue;
            }
            let col = colour(i);
            c.draw_series(LineSeries::new(
                t.roc.iter().map(|p| (p[0], p[1])),
                col.stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("{} (AUC {})", t.tool, f3(t.auc)))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], col.stroke_width(2)));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

/// A reliability diagram of one probability tool, with each bin's count.
pub fn reliability_plot(t: &ToolReport) -> String {
    let title = format!("Reliability: {}", t.tool);
    let bins = t.reliability.clone().unwrap_or_default();
    svg(&title, (560, 520), |root| {
        let mut c = ChartBuilder::on(root)
            .caption(&title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("Mean predicted probability in the bin")
            .y_desc("Observed share that is abuse")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        c.draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            RGBColor(180, 180, 180),
        ))
        .map_err(err)?;
        let pts: Vec<(f64, f64, u64)> = bins
            .iter()
            .filter_map(|b| Some((b.mean_predicted?, b.observed?, b.count)))
            .collect();
        let col = colour(0);
        c.draw_series(LineSeries::new(
            pts.iter().map(|p| (p.0, p.1)),
            col.stroke_width(2),
        ))
        .map_err(err)?;
        c.draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 4, col.filled())))
            .map_err(err)?;
        c.draw_series(pts.iter().map(|p| {
            Text::new(
                format!("n={}", p.2),
                (
                    if p.0 > 0.8 { p.0 - 0.13 } else { p.0 + 0.012 },
                    (p.1 - 0.035).max(0.01),
                ),
                ("sans-serif", 11).into_font(),
            )
        }))
        .map_err(err)?;
        Ok(())
    })
}

/// Decision curves: net benefit of every tool, treat all and treat none.
pub fn decision_plot(e: &Evaluation) -> String {
    let prevalence = e.records.prevalence.unwrap_or(0.0);
    let top = (prevalence * 1.1).max(0.05);
    svg("Decision curves", (700, 520), |root| {
        let mut c = ChartBuilder::on(root)
            .caption("Decision curves (net benefit)", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, (-top * 0.25)..top)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("Threshold probability")
            .y_desc("Net benefit")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        let clamp = |v: f64| v.max(-top * 0.25);
        if let Some(t) = e.tools.iter().find(|t| !t.decision_curve.is_empty()) {
            let grey = RGBColor(150, 150, 150);
            c.draw_series(LineSeries::new(
                t.decision_curve
                    .iter()
                    .map(|d| (d.threshold, clamp(d.net_benefit_all))),
                grey.stroke_width(1),
            ))
            .map_err(err)?
            .label("treat all")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey));
            c.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 0.0)], BLACK))
                .map_err(err)?
                .label("treat none")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK));
        }
        for (i, t) in e.tools.iter().enumerate() {
            if t.decision_curve.is_empty() {
                continue;
            }
            let col = colour(i);
            let name = if t.decision_curve_of == "probability" {
                t.tool.clone()
            } else {
                format!("{} (positive call)", t.tool)
            };
            c.draw_series(LineSeries::new(
                t.decision_curve
                    .iter()
                    .map(|d| (d.threshold, clamp(d.net_benefit))),
                col.stroke_width(2),
            ))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], col.stroke_width(2)));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

/// A funnel plot: each shown group's rate against its size, with the 95% and
/// 99.8% exact binomial limits around the overall rate.
pub fn funnel_plot(g: &GroupReport, f: &Funnel) -> String {
    let title = format!("{} by {}", f.label, g.column);
    let pts: Vec<(f64, f64, bool, String)> = g
        .rows
        .iter()
        .filter_map(|r| {
            let rate = match f.figure {
                "conflict" => r.conflict,
                "marac" => r.marac,
                "csc" => r.csc,
                _ => r.medium_or_high,
            };
            Some((
                r.n? as f64,
                rate.rate?,
                f.outside998.contains(&r.group),
                r.group.clone(),
            ))
        })
        .collect();
    let x_max = f.limits.iter().map(|l| l.n).max().unwrap_or(10) as f64;
    let y_max = f
        .limits
        .iter()
        .map(|l| l.upper998)
        .chain(pts.iter().map(|p| p.1))
        .fold(f.target, f64::max)
        .min(1.0)
        * 1.08
        + 0.01;
    svg(&title, (700, 480), |root| {
        let mut c = ChartBuilder::on(root)
            .caption(&title, ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc(format!("Incidents recorded (per {})", g.column))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc("Share")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        let blue = RGBColor(44, 95, 138);
        c.draw_series(LineSeries::new([(0.0, f.target), (x_max, f.target)], BLACK))
            .map_err(err)?
            .label(format!("overall {:.1}%", 100.0 * f.target))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK));
        let line = |sel: fn(&crate::evaluate::FunnelLimit) -> f64| -> Vec<(f64, f64)> {
            f.limits.iter().map(|l| (l.n as f64, sel(l))).collect()
        };
        let dashed95 = RGBColor(90, 140, 190);
        let red = RGBColor(190, 30, 45);
        c.draw_series(LineSeries::new(line(|l| l.upper95), dashed95))
            .map_err(err)?
            .label("95% limits")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], dashed95));
        c.draw_series(LineSeries::new(line(|l| l.lower95), dashed95))
            .map_err(err)?;
        c.draw_series(LineSeries::new(line(|l| l.upper998), red))
            .map_err(err)?
            .label("99.8% limits")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], red));
        c.draw_series(LineSeries::new(line(|l| l.lower998), red))
            .map_err(err)?;
        c.draw_series(pts.iter().map(|p| {
            Circle::new(
                (p.0, p.1),
                4,
                if p.2 { red.filled() } else { blue.filled() },
            )
        }))
        .map_err(err)?;
        c.draw_series(pts.iter().filter(|p| p.2).map(|p| {
            Text::new(
                crate::render::clip(&p.3, 18),
                (p.0, p.1),
                ("sans-serif", 11).into_font(),
            )
        }))
        .map_err(err)?;
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

fn td(v: &str) -> String {
    format!("<td>{}</td>", esc(v))
}

/// A cell holding a figure and its interval, kept on one line.
fn td_ci(v: &str) -> String {
    format!("<td class=\"ci\">{}</td>", esc(v))
}

/// The evaluation as one self-contained HTML report: no script, no style sheet,
/// font or image from elsewhere; the plots are inline SVG.
pub fn html(e: &Evaluation) -> String {
    let mut o = String::new();
    let title = "Evaluation of risk tools on labelled incidents";
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title}</title>\n<style>{CSS}td.ci{{white-space:nowrap}}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    );
    if let Some(n) = e.synthetic_notice {
        let _ = writeln!(o, "<p class=\"synthetic\" role=\"alert\">{}</p>", esc(n));
    }
    let r = &e.records;
    let _ = writeln!(
        o,
        "<p class=\"note\">Input <code>{}</code>, label <code>{}</code>: {} records read, <strong>{} evaluated</strong> ({} abuse, {} not abuse; prevalence {}); {} without a label and {} unreadable were left out. Scorer {}, calibration {}.</p>",
        esc(&e.source),
        esc(&e.label),
        r.read,
        r.evaluated,
        r.abuse,
        r.not_abuse,
        r.prevalence.map_or_else(|| "–".into(), |p| format!("{:.1}%", 100.0 * p)),
        r.missing_label,
        r.errors,
        esc(&e.scorer_version),
        esc(&e.calibration_version)
    );
    // Discrimination and calibration.
    o.push_str("<h2>Discrimination and calibration</h2>\n<table><caption>Every tool on the same records</caption><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">Output</th><th scope=\"col\">n</th><th scope=\"col\">AUC [95% CI]</th><th scope=\"col\">Average precision</th><th scope=\"col\">Brier</th><th scope=\"col\">Log loss</th><th scope=\"col\">ECE</th><th scope=\"col\">Slope</th><th scope=\"col\">Calibration-in-the-large</th></tr></thead><tbody>\n");
    for t in &e.tools {
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\" title=\"{}\">{}</th>{}{}{}{}{}{}{}{}{}</tr>",
            esc(&t.description),
            esc(&t.tool),
            td(kind(t.kind)),
            td(&t.n.to_string()),
            td_ci(&auc_ci(t.auc, t.auc_ci95)),
            td(&f3(t.average_precision)),
            td(&f3(t.brier)),
            td(&f3(t.log_loss)),
            td(&f3(t.ece)),
            td(&f3(t.calibration_slope)),
            td(&f3(t.calibration_intercept)),
        );
    }
    o.push_str("</tbody></table>\n<ul class=\"why\">\n");
    for t in &e.tools {
        let _ = writeln!(
            o,
            "<li><strong>{}</strong>: {}",
            esc(&t.tool),
            esc(&t.description)
        );
        if let Some(n) = &t.probability_note {
            let _ = write!(o, " <em>No probability figures: {}</em>", esc(n));
        }
        if let Some(n) = &t.auc_ci95_note {
            let _ = write!(o, " <em>No AUC interval: {}</em>", esc(n));
        }
        o.push_str("</li>\n");
    }
    let _ = writeln!(
        o,
        "</ul>\n<p class=\"note\">{}</p>",
        esc(&auc_interval_sentence(e))
    );
    o.push_str(&roc_plot(e));
    for t in e.tools.iter().filter(|t| t.reliability.is_some()) {
        o.push_str(&reliability_plot(t));
    }
    if !e.comparisons.is_empty() {
        o.push_str("<table><caption>Paired DeLong comparisons on the same records</caption><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">Reference</th><th scope=\"col\">n</th><th scope=\"col\">AUC difference [95% CI]</th><th scope=\"col\">p</th></tr></thead><tbody>\n");
        for c in &e.comparisons {
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}</th>{}{}{}{}</tr>",
                esc(&c.tool),
                td(&c.reference),
                td(&c.n.to_string()),
                td(&format!(
                    "{:+.3} [{:.3}, {:.3}]",
                    c.difference, c.ci95[0], c.ci95[1]
                )),
                td(&c.p_value.map_or_else(|| "–".into(), |p| format!("{p:.2e}"))),
            );
        }
        o.push_str("</tbody></table>\n");
    }
    // Decisions.
    o.push_str("<h2>Decisions and workload</h2>\n<table><caption>At each tool's positive call</caption><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">Rule</th><th scope=\"col\">Sensitivity</th><th scope=\"col\">Specificity</th><th scope=\"col\">PPV</th><th scope=\"col\">NPV</th><th scope=\"col\">Positive per 1,000</th></tr></thead><tbody>\n");
    for t in &e.tools {
        let Some(at) = &t.at_rule else {
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}</th><td colspan=\"6\">{}</td></tr>",
                esc(&t.tool),
                esc(&t.positive_rule)
            );
            continue;
        };
        let c = &at.confusion;
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th>{}{}{}{}{}{}</tr>",
            esc(&t.tool),
            td(&t.positive_rule),
            td(&f3(c.sensitivity)),
            td(&f3(c.specificity)),
            td(&f3(c.ppv)),
            td(&f3(c.npv)),
            td(&f1(Some(at.positive_per_1000))),
        );
    }
    o.push_str("</tbody></table>\n");
    o.push_str("<table id=\"workload\"><caption>Workload per 1,000 incidents</caption><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">MARAC</th><th scope=\"col\">CSC</th><th scope=\"col\">School (Operation Encompass)</th><th scope=\"col\">RPC or Early Help</th><th scope=\"col\">Basis</th></tr></thead><tbody>\n");
    for t in &e.tools {
        match t.workload_per_1000 {
            Some(w) => {
                let _ = writeln!(
                    o,
                    "<tr><th scope=\"row\">{}</th>{}{}{}{}{}</tr>",
                    esc(&t.tool),
                    td(&f1(Some(w.marac))),
                    td(&f1(Some(w.csc))),
                    td(&f1(Some(w.school))),
                    td(&f1(Some(w.rpc_or_early_help))),
                    td(basis(w.basis)),
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "<tr><th scope=\"row\">{}</th><td colspan=\"5\">Makes no referral or notification decision; see its positive calls above.</td></tr>",
                    esc(&t.tool)
                );
            }
        }
    }
    o.push_str("</tbody></table>\n");
    for t in &e.tools {
        if let Some(s) = &t.routing_safety {
            let _ = writeln!(
                o,
                "<h3>Routing safety: {}</h3>\n<ul>\n<li>True abuse labelled parental conflict: {}</li>\n<li>True non-abuse routed to RPC support: {}</li>\n<li>CSC notifications: {} today (every incident with children, or not known), {} with the tool: <strong>{} avoided</strong> ({:.1} per 1,000)</li>\n<li>Abuse cases with children that would lose a notification: <strong>{}</strong></li>\n</ul>",
                esc(&t.tool),
                esc(&pct(&s.abuse_labelled_conflict)),
                esc(&pct(&s.non_abuse_to_rpc)),
                s.csc_today,
                s.csc_tool,
                s.csc_avoided,
                s.csc_avoided_per_1000,
                s.abuse_with_children_losing_notification
            );
        }
    }
    o.push_str(&decision_plot(e));
    if let Some(s) = &e.screen {
        let _ = writeln!(
            o,
            "<h2>{}</h2>\n<p>Tool <code>{}</code>: {}</p>",
            esc(&s.name),
            esc(&s.tool),
            esc(&s.rule)
        );
        if !s.missing_items.is_empty() {
            o.push_str("<table><caption>Items the forms cannot ask (they never screen a record in)</caption><thead><tr><th scope=\"col\">Form</th><th scope=\"col\">Item</th><th scope=\"col\">Why</th></tr></thead><tbody>\n");
            for m in &s.missing_items {
                let _ = writeln!(
                    o,
                    "<tr><th scope=\"row\">{}</th>{}{}</tr>",
                    esc(&m.instrument),
                    td(&format!("{}. {}", m.item, m.text)),
                    td(&m.note)
                );
            }
            o.push_str("</tbody></table>\n");
        }
    }
    for g in &e.groups {
        group_html(&mut o, g);
    }
    let _ = writeln!(
        o,
        "<h2>Notes</h2>\n<p class=\"note\">{}</p>\n<ul>",
        esc(&e.suppression)
    );
    for n in &e.notes {
        let _ = writeln!(o, "<li>{}</li>", esc(n));
    }
    let _ = write!(
        o,
        "</ul>\n<footer><p>Made by <code>dashrisk evaluate</code> ({}). Labels are themselves records of decisions; read the analyst's guide before drawing conclusions.</p></footer>\n</main>\n</body>\n</html>",
        crate::evaluate::SCHEMA
    );
    o
}

fn group_html(o: &mut String, g: &GroupReport) {
    let _ = writeln!(
        o,
        "<h2>By {}</h2>\n<p>{} groups; {} withheld ({WITHHELD}). AUC (with Newcombe's score interval) and calibration-in-the-large are of <code>{}</code>; the rates are the scorer's decisions and the DASH grade, with exact 95% intervals.</p>",
        esc(&g.column),
        g.groups,
        g.suppressed_groups,
        esc(g.reference.as_deref().unwrap_or("none"))
    );
    if g.reference.is_some() {
        let _ = writeln!(
            o,
            "<p class=\"note\">Calibration-in-the-large excludes 0 (probabilities too low above 0, too high below) for: <strong>{}</strong>. Records made differently (officer effect) show here first: the labels say abuse more often than the answers recorded suggest.</p>",
            esc(&list(&g.miscalibrated))
        );
    }
    for f in &g.funnels {
        o.push_str(&funnel_plot(g, f));
        let _ = writeln!(
            o,
            "<p>Outside the 99.8% limits: {}. Outside the 95% limits: {}.</p>",
            esc(&list(&f.outside998)),
            esc(&list(&f.outside95))
        );
    }
    let _ = writeln!(
        o,
        "<table class=\"groups\"><caption>Figures by {}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">n</th><th scope=\"col\">Abuse</th><th scope=\"col\">AUC [95% CI]</th><th scope=\"col\">CITL [95% CI]</th><th scope=\"col\">MARAC</th><th scope=\"col\">CSC</th><th scope=\"col\">Conflict</th><th scope=\"col\">Medium or high</th></tr></thead><tbody>",
        esc(&g.column),
        esc(&g.column)
    );
    let rate = |r: &crate::evaluate::GroupRate| match (r.rate, r.ci95) {
        (Some(v), Some([a, b])) => {
            format!("{:.1}% [{:.1}, {:.1}]", 100.0 * v, 100.0 * a, 100.0 * b)
        }
        _ => WITHHELD.into(),
    };
    for r in &g.rows {
        if r.suppressed {
            let _ = writeln!(
                o,
                "<tr class=\"suppressed\"><th scope=\"row\">{}</th><td colspan=\"8\">{WITHHELD} withheld</td></tr>",
                esc(&r.group)
            );
            continue;
        }
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th>{}{}{}{}{}{}{}{}</tr>",
            esc(&r.group),
            td(&r.n.map_or_else(|| WITHHELD.into(), |v| v.to_string())),
            td(&r.abuse.map_or_else(|| WITHHELD.into(), |v| v.to_string())),
            td(&auc_ci(r.auc, r.auc_ci95)),
            td(&format!(
                "{}{}",
                f3(r.calibration_intercept),
                ci(r.calibration_intercept_ci95)
            )),
            td(&rate(&r.marac)),
            td(&rate(&r.csc)),
            td(&rate(&r.conflict)),
            td(&rate(&r.medium_or_high)),
        );
    }
    o.push_str("</tbody></table>\n");
    let tied: Vec<&str> = g
        .rows
        .iter()
        .filter(|r| r.auc_ci95_note.is_some())
        .map(|r| r.group.as_str())
        .collect();
    if let Some(note) = g.rows.iter().find_map(|r| r.auc_ci95_note.as_deref()) {
        let _ = writeln!(
            o,
            "<p class=\"note\">No AUC interval for {}: {}.</p>",
            esc(&tied.join(", ")),
            esc(note)
        );
    }
}
