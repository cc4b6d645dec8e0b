//! `dashrisk evaluate` end to end: the figures against values computed here,
//! independently, from the same records (the library's parse and assess per record,
//! pairwise AUC, a hand-written LAP rule, counts of the scorer's decisions), and the
//! command's handling of real exports: label spellings, missing labels, bad
//! records, bad score cells, misspelt columns, small groups, synthetic marking, and
//! outputs that would overwrite the input.

mod common;

use common::{run, tmp};
use dashrisk::{Answer, Classification, Pathway, Scorer};
use serde_json::Value;
use std::path::Path;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn synth(path: &Path, n: u32, settings: &[&str]) {
    common::synth_to(path, n, "csv", settings);
}

/// `dashrisk evaluate` of `p_abuse` against `label_abuse` on `data`, writing the
/// JSON to `json`, with `extra` arguments.
fn evaluate_p_abuse(data: &Path, json: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "evaluate",
        "--data",
        data.to_str().unwrap(),
        "--label",
        "label_abuse",
        "--tool",
        "p_abuse",
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args, b"")
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tool<'a>(e: &'a Value, name: &str) -> &'a Value {
    e["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tool"] == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

/// The pairwise definition of AUC (ties count a half).
fn auc_pairs(s: &[f64], y: &[bool]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..s.len() {
        if !y[i] {
            continue;
        }
        for j in 0..s.len() {
            if y[j] {
                continue;
            }
            den += 1.0;
            if s[i] > s[j] {
                num += 1.0;
            } else if s[i] == s[j] {
                num += 0.5;
            }
        }
    }
    num / den
}

/// The LAP screen, written out by hand from ../shared/domain.md and the mapping in
/// docs/guide-evaluate.md: any of items 1–3 (q16; q17 or q12), or 4 or more of
/// items 5, 6, 7, 9, 10, 11 (q18, q15, q6, q25, q10, q8).
fn lap_by_hand(a: &dashrisk::Assessment) -> bool {
    let yes = |q: &str| a.answer(q) == Answer::Yes;
    if yes("q16") || yes("q17") || yes("q12") {
        return true;
    }
    ["q18", "q15", "q6", "q25", "q10", "q8"]
        .iter()
        .filter(|q| yes(q))
        .count()
        >= 4
}

struct ByHand {
    labels: Vec<bool>,
    yes_count: Vec<f64>,
    p_abuse: Vec<f64>,
    lap: Vec<f64>,
    marac: u64,
    csc: u64,
    school: u64,
    rpc_or_eh: u64,
    abuse_conflict: u64,
    csc_today: u64,
}

fn by_hand(path: &Path) -> ByHand {
    let scorer = Scorer::default();
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let names: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut h = ByHand {
        labels: vec![],
        yes_count: vec![],
        p_abuse: vec![],
        lap: vec![],
        marac: 0,
        csc: 0,
        school: 0,
        rpc_or_eh: 0,
        abuse_conflict: 0,
        csc_today: 0,
    };
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let row: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(rec.iter()).collect();
        let (a, _) = scorer.parse_flat(&row).unwrap();
        let r = scorer.assess(&a).unwrap();
        let y = row.iter().find(|(k, _)| *k == "label_abuse").unwrap().1 == "1";
        h.labels.push(y);
        h.yes_count.push(f64::from(r.yes_count));
        h.p_abuse.push(r.p_abuse.unwrap());
        h.lap.push(if lap_by_hand(&a) { 1.0 } else { 0.0 });
        h.marac += u64::from(r.marac_referral);
        h.csc += u64::from(r.csc_notification);
        h.school += u64::from(r.school_notification);
        h.rpc_or_eh += u64::from(
            r.pathways.contains(Pathway::RpcSupport) || r.pathways.contains(Pathway::EarlyHelp),
        );
        h.abuse_conflict += u64::from(y && r.classification == Classification::ParentalConflict);
        h.csc_today += u64::from(r.children.linked != Some(false));
    }
    h
}

#[test]
fn figures_match_counts_and_aucs_made_by_hand() {
    let data = tmp("evaluate", "figures.csv");
    synth(&data, 1500, &["officers=12", "areas=3"]);
    let json = tmp("evaluate", "figures.json");
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--group-by",
            "officer",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    let h = by_hand(&data);
    let n = h.labels.len() as f64;
    assert_eq!(e["schema"], "dashrisk-evaluation/1");
    assert_eq!(e["records"]["evaluated"], h.labels.len() as u64);
    assert_eq!(
        e["records"]["abuse"],
        h.labels.iter().filter(|&&y| y).count() as u64
    );
    assert_eq!(e["synthetic"], true, "synth ids are recognised");

    // Discrimination, against the pairwise definition.
    for (name, scores) in [
        ("dash_count", &h.yes_count),
        ("p_abuse", &h.p_abuse),
        ("lap_screen", &h.lap),
    ] {
        let t = tool(&e, name);
        let want = auc_pairs(scores, &h.labels);
        let got = t["auc"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-12, "{name}: {got} vs {want}");
        let ci = t["auc_ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() < got && got < ci[1].as_f64().unwrap());
    }
    // Probability figures only for probabilities, with the reason otherwise.
    for name in ["dash_count", "dash_grade", "classification", "lap_screen"] {
        let t = tool(&e, name);
        for k in [
            "brier",
            "log_loss",
            "ece",
            "calibration_slope",
            "calibration_intercept",
            "reliability",
        ] {
            assert!(t[k].is_null(), "{name}.{k} must be null");
        }
        assert!(t["probability_note"].is_string(), "{name} says why");
    }
    let p = tool(&e, "p_abuse");
    let brier: f64 = h
        .p_abuse
        .iter()
        .zip(&h.labels)
        .map(|(&p, &y)| (p - f64::from(u8::from(y))).powi(2))
        .sum::<f64>()
        / n;
    assert!((p["brier"].as_f64().unwrap() - brier).abs() < 1e-12);
    let bins = p["reliability"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    assert_eq!(
        bins.iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum::<u64>(),
        h.labels.len() as u64
    );
    let m = tool(&e, "model");
    assert!(m["auc"].as_f64().unwrap() > 0.5 && m["brier"].is_number());
    assert_eq!(
        m["n"],
        h.labels.len() as u64,
        "every record predicted out of fold"
    );

    // Workload and routing safety, against the scorer's decisions counted here.
    let c = tool(&e, "classification");
    let w = &c["workload_per_1000"];
    for (k, v) in [
        ("marac", h.marac),
        ("csc", h.csc),
        ("school", h.school),
        ("rpc_or_early_help", h.rpc_or_eh),
    ] {
        let want = v as f64 * 1000.0 / n;
        assert!((w[k].as_f64().unwrap() - want).abs() < 1e-9, "{k}");
    }
    let r = &c["routing_safety"];
    assert_eq!(r["abuse_labelled_conflict"]["count"], h.abuse_conflict);
    assert_eq!(r["csc_today"], h.csc_today);
    assert_eq!(r["csc_tool"], h.csc);
    assert_eq!(
        r["csc_avoided"].as_i64().unwrap(),
        h.csc_today as i64 - h.csc as i64
    );
    let ci = r["abuse_labelled_conflict"]["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap());
    assert!(tool(&e, "dash_count")["routing_safety"].is_null());
    assert!(tool(&e, "lap_screen")["workload_per_1000"].is_null());

    // The LAP items the form cannot ask are listed.
    let missing: Vec<u64> = e["screen"]["missing_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["item"].as_u64().unwrap())
        .collect();
    assert_eq!(missing, vec![3, 4, 8]);

    // Comparisons with p_abuse on the same records.
    assert_eq!(e["comparisons"].as_array().unwrap().len(), 5);

    // Groups: 12 officers, sizes adding to the total; no shown count from 1 to 9.
    let g = &e["groups"][0];
    assert_eq!(g["column"], "officer");
    assert_eq!(g["groups"], 12);
    let rows = g["rows"].as_array().unwrap();
    let shown: u64 = rows.iter().filter_map(|r| r["n"].as_u64()).sum();
    assert!(shown <= h.labels.len() as u64);
    for r in rows {
        for k in ["marac", "csc", "conflict", "medium_or_high"] {
            if let Some(c) = r[k]["count"].as_u64() {
                assert!(
                    c == 0 || c >= 10,
                    "{}: {k} shows a small count {c}",
                    r["group"]
                );
            }
        }
    }
    assert_eq!(g["funnels"].as_array().unwrap().len(), 4);
}

#[test]
fn small_groups_are_withheld_and_their_counts_protected() {
    let data = tmp("evaluate", "small.csv");
    synth(&data, 300, &["officers=60"]);
    let json = tmp("evaluate", "small.json");
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--tool",
            "p_abuse",
            "--tool",
            "classification",
            "--group-by",
            "officer",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    let rows = e["groups"][0]["rows"].as_array().unwrap();
    // About 5 records per officer: groups under 10 are withheld.
    assert!(e["groups"][0]["suppressed_groups"].as_u64().unwrap() > 0);
    for r in rows {
        match r["n"].as_u64() {
            None => {
                assert_eq!(r["suppressed"], true);
                assert!(r["auc"].is_null() && r["marac"]["rate"].is_null());
            }
            Some(n) => assert!(n >= 10, "a group of {n} is shown"),
        }
    }
    let html_text = std::fs::read_to_string(&json).unwrap();
    assert!(!html_text.contains("\"n\": 5,"));
}

#[test]
fn labels_in_every_spelling_missing_labels_bad_records_and_bad_scores() {
    let csv = "id,q1,q2,q17,conflict_screen.fear,outcome,force_score,officer\n\
               a1,yes,yes,yes,yes,Yes,0.9,o1\n\
               a2,no,no,no,no,no,0.1,o1\n\
               a3,yes,no,no,no,TRUE,0.7,o2\n\
               a4,no,no,no,no,false,0.2,o2\n\
               a5,yes,yes,no,yes,1,0.8,o1\n\
               a6,no,no,no,no,0,0.3,o2\n\
               a7,no,no,no,no,,0.3,o2\n\
               a8,maybe,no,no,no,1,0.3,o2\n\
               a9,no,no,no,no,1,high,o2\n\
               a10,no,no,no,no,perhaps,0.3,o2\n";
    let data = tmp("evaluate", "labels.csv");
    std::fs::write(&data, csv).unwrap();
    let json = tmp("evaluate", "labels.json");
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "outcome",
            "--tool",
            "dash_count",
            "--score-column",
            "force_score",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "bad records give exit 1: {err}");
    // Each bad record named, with its field and value.
    assert!(
        err.contains("a8") && err.contains("q1") && err.contains("maybe"),
        "{err}"
    );
    assert!(
        err.contains("a9") && err.contains("force_score") && err.contains("high"),
        "{err}"
    );
    assert!(
        err.contains("a10") && err.contains("outcome") && err.contains("perhaps"),
        "{err}"
    );
    assert!(
        err.contains("1 record(s) have no \"outcome\" label"),
        "{err}"
    );
    let e = json_of(&json);
    assert_eq!(e["records"]["read"], 10);
    assert_eq!(e["records"]["evaluated"], 6);
    assert_eq!(e["records"]["missing_label"], 1);
    assert_eq!(e["records"]["errors"], 3);
    assert_eq!(e["records"]["abuse"], 3);
    assert_eq!(e["synthetic"], false);
    let f = tool(&e, "force_score");
    assert_eq!(f["kind"], "probability");
    assert_eq!(f["auc"], 1.0);
    assert!(f["brier"].is_number());
}

/// CSV rows are read by an allocation-free path unless the comparison model is
/// evaluated (its features come from the usual record). The two paths give the
/// same figures for every tool they share, the same counts of bad and unlabelled
/// records, and the same error lines, on synthetic records with bad rows added.
#[test]
fn the_fast_csv_path_gives_the_usual_paths_figures() {
    let data = tmp("evaluate", "paths.csv");
    synth(&data, 1500, &["officers=12", "areas=3"]);
    // A score column: blank, null, numbers; and one cell that is not a number.
    let text_in = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<String> = text_in.lines().map(str::to_string).collect();
    for (i, line) in lines.iter_mut().enumerate() {
        let cell = match i {
            0 => "force_score".to_string(),
            i if i % 7 == 0 => String::new(),
            i if i % 11 == 0 => "null".to_string(),
            i => format!("{:.3}", (i % 100) as f64 / 100.0),
        };
        line.push(',');
        line.push_str(&cell);
    }
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let row = |edits: &[(&str, &str)], id: &str| -> String {
        header
            .iter()
            .map(|h| {
                if let Some((_, v)) = edits.iter().find(|(k, _)| k == h) {
                    return v.to_string();
                }
                match h.as_str() {
                    "id" => id,
                    "instrument" => "dash-2009",
                    "label_abuse" | "label_serious_harm" => "1",
                    "area" => "area-1",
                    "officer" => "officer-001",
                    "force_score" => "0.5",
                    _ => "",
                }
                .to_string()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut added = Vec::new();
    for (edits, id) in [
        (vec![("q1", "perhaps")], "bad-answer"),
        (vec![("force_score", "high")], "bad-score"),
        (vec![("q1", "yes"), ("label_abuse", "")], "unlabelled"),
        (vec![("q2", "yes"), ("fear", "not_known")], "kept"),
        (vec![("label_abuse", "yes")], "spelt"),
        (vec![("label_abuse", "maybe")], "not-a-label"),
    ] {
        added.push(row(&edits, id));
    }
    lines.extend(added);
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    let figures = |tools: &[&str], name: &str| -> (Value, String) {
        let json = tmp("evaluate", name);
        let mut args = vec![
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--group-by",
            "officer",
            "--group-by",
            "area",
            "--score-column",
            "force_score",
            "--json",
            json.to_str().unwrap(),
        ];
        for t in tools {
            args.push("--tool");
            args.push(t);
        }
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let errors: Vec<String> = text(&out.stderr)
            .lines()
            .filter(|l| l.contains("line "))
            .map(str::to_string)
            .collect();
        (json_of(&json), errors.join("\n"))
    };
    let rules = [
        "dash_count",
        "dash_grade",
        "p_abuse",
        "classification",
        "lap_screen",
    ];
    // A tool named twice is evaluated once.
    let mut twice = rules.to_vec();
    twice.push("p_abuse");
    let (fast, fast_err) = figures(&twice, "fast.json");
    assert_eq!(fast["tools"].as_array().unwrap().len(), rules.len() + 1);
    let mut with_model = rules.to_vec();
    with_model.push("model");
    let (usual, usual_err) = figures(&with_model, "usual.json");
    for (id, value) in [
        ("bad-answer", "perhaps"),
        ("bad-score", "high"),
        ("not-a-label", "maybe"),
    ] {
        assert!(
            fast_err.contains(id) && fast_err.contains(value),
            "{fast_err}"
        );
    }
    assert_eq!(fast_err, usual_err);
    assert_eq!(fast["records"], usual["records"]);
    assert_eq!(fast["records"]["errors"], 3);
    assert_eq!(fast["records"]["missing_label"], 1);
    for t in rules.iter().chain(&["force_score"]) {
        assert_eq!(tool(&fast, t), tool(&usual, t), "tool {t}");
    }
    assert!(tool(&fast, "force_score")["n"].as_u64().unwrap() > 1000);
    // The comparisons of the tools both runs have, and the breakdowns, of the same
    // reference on the same records.
    let shared = |e: &Value| -> Vec<Value> {
        e["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["tool"] != "model")
            .cloned()
            .collect()
    };
    assert!(!shared(&fast).is_empty());
    assert_eq!(shared(&fast), shared(&usual));
    assert_eq!(fast["groups"], usual["groups"]);
    assert!(fast["groups"][0]["rows"].as_array().unwrap().len() >= 12);
}

#[test]
fn a_score_column_outside_zero_one_is_a_ranking_and_never_scored_as_a_probability() {
    let csv = "id,q1,risk_points,y\nb1,yes,12,1\nb2,no,3,0\nb3,yes,7,1\nb4,no,9,0\nb5,no,,1\n";
    let data = tmp("evaluate", "ranking.csv");
    std::fs::write(&data, csv).unwrap();
    let json = tmp("evaluate", "ranking.json");
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "y",
            "--tool",
            "dash_count",
            "--score-column",
            "risk_points",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    let t = tool(&e, "risk_points");
    assert_eq!(t["kind"], "ranking");
    assert!(t["brier"].is_null() && t["log_loss"].is_null() && t["ece"].is_null());
    assert!(t["probability_note"]
        .as_str()
        .unwrap()
        .contains("outside [0, 1]"));
    assert_eq!(t["n"], 4);
    assert_eq!(t["missing_scores"], 1);
    assert!((t["auc"].as_f64().unwrap() - 0.75).abs() < 1e-12);
    assert!(t["at_rule"].is_null());
}

/// The review's finding 6: a constant score column was reported as
/// `0.500 [0.500, 0.500]`, and a column that orders every pair rightly as
/// `1.000 [1.000, 1.000]`. Now the first has no interval, with the reason, and the
/// second an interval below 1 (Newcombe's score interval, named in the JSON, the
/// table and the report).
#[test]
fn a_constant_score_has_no_auc_interval_and_a_perfect_one_an_interval_below_one() {
    let mut csv = String::from("id,q1,const,sep,y\n");
    for i in 0..12 {
        let abuse = i % 2 == 0;
        let sep = if abuse { 0.9 } else { 0.1 };
        csv.push_str(&format!("c{i},no,0.5,{sep},{}\n", u8::from(abuse)));
    }
    let data = tmp("evaluate", "interval.csv");
    std::fs::write(&data, csv).unwrap();
    let (json, report) = (
        tmp("evaluate", "interval.json"),
        tmp("evaluate", "interval.html"),
    );
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "y",
            "--tool",
            "dash_count",
            "--score-column",
            "const",
            "--score-column",
            "sep",
            "--json",
            json.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    assert_eq!(e["auc_ci95_method"], dashrisk::metrics::AUC_INTERVAL_METHOD);
    let c = tool(&e, "const");
    assert_eq!(c["auc"], 0.5);
    assert!(c["auc_ci95"].is_null(), "{}", c["auc_ci95"]);
    assert!(c["auc_ci95_note"]
        .as_str()
        .unwrap()
        .contains("every record has the same score"));
    let s = tool(&e, "sep");
    assert_eq!(
        (s["auc"].as_f64(), s["auc_se"].as_f64()),
        (Some(1.0), Some(0.0))
    );
    let ci = s["auc_ci95"].as_array().unwrap();
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert_eq!(
        Some((low, high)),
        dashrisk::metrics::auc_score_interval(1.0, 6, 6)
    );
    assert!(low < 0.9 && high == 1.0, "[{low}, {high}]");
    assert!(s["auc_ci95_note"].is_null());
    let table = text(&out.stdout);
    assert!(table.contains("0.500 [no interval]"), "{table}");
    assert!(table.contains("Newcombe") && !table.contains("[1.000,1.000]"));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("0.500 [no interval]") && html.contains("Newcombe"));
    // The AUC cells (the paired comparison's DeLong interval is another matter).
    assert!(!html.contains("<td class=\"ci\">0.500 [0.500, 0.500]"));
    assert!(!html.contains("<td class=\"ci\">1.000 [1.000, 1.000]"));
    assert!(html.contains(&format!("<td class=\"ci\">1.000 [{low:.3}, 1.000]")));
}

#[test]
fn misspelt_columns_and_clashing_names_are_refused_with_the_columns_listed() {
    let data = tmp("evaluate", "misspelt.csv");
    synth(&data, 50, &[]);
    for (flag, col) in [
        ("--label", "label_abuze"),
        ("--score-column", "forse_score"),
        ("--group-by", "oficer"),
    ] {
        let mut args = vec![
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--tool",
            "dash_count",
        ];
        if flag != "--label" {
            args.extend(["--label", "label_abuse"]);
        }
        args.extend([flag, col]);
        let out = run(&args, b"");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(&format!("no column \"{col}\"")), "{err}");
        assert!(err.contains("label_abuse"), "the columns are listed: {err}");
    }
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--score-column",
            "p_abuse",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already evaluated"));
}

#[test]
fn outputs_never_overwrite_the_input_and_json_lines_read_meta() {
    let data = tmp("evaluate", "input.csv");
    synth(&data, 40, &[]);
    let before = std::fs::read(&data).unwrap();
    let out = run(
        &[
            "evaluate",
            "--data",
            data.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--report",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "the input is untouched"
    );

    let lines = "{\"id\":\"j1\",\"answers\":{\"q1\":\"yes\",\"q17\":\"yes\"},\"meta\":{\"y\":1,\"area\":\"north\"}}\n\
                 {\"id\":\"j2\",\"answers\":{\"q1\":\"no\"},\"meta\":{\"y\":0,\"area\":\"north\"}}\n\
                 {\"id\":\"j3\",\"answers\":{\"q1\":\"yes\"},\"meta\":{\"y\":true,\"area\":\"south\"}}\n\
                 {\"id\":\"j4\",\"answers\":{},\"meta\":{\"area\":\"south\"}}\n";
    let jl = tmp("evaluate", "records.jsonl");
    std::fs::write(&jl, lines).unwrap();
    let json = tmp("evaluate", "records.json");
    let out = run(
        &[
            "evaluate",
            "--data",
            jl.to_str().unwrap(),
            "--label",
            "y",
            "--tool",
            "dash_count",
            "--group-by",
            "area",
            "--min-cell",
            "1",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    assert_eq!(e["records"]["evaluated"], 3);
    assert_eq!(e["records"]["missing_label"], 1);
    let names: Vec<&str> = e["groups"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["north", "south"]);
}

/// The commands of docs/guide-evaluate.md's `sh` blocks run, in order, in a fresh
/// folder, and the figures the guide quotes are the ones they produce.
#[test]
fn guide_commands_run() {
    let dir = tmp("evaluate", "guide");
    let ran = common::run_guide_commands("guide-evaluate.md", &dir);
    assert_eq!(ran, 2, "the worked example's two commands");
    let page = std::fs::read_to_string(dir.join("evaluation.html")).unwrap();
    assert!(page.contains("SYNTHETIC DATA"));
    let e = json_of(&dir.join("evaluation.json"));
    // The figures the guide quotes.
    assert_eq!(e["records"]["evaluated"], 20000);
    assert_eq!(e["records"]["abuse"], 11974);
    let auc = |t: &str| format!("{:.3}", tool(&e, t)["auc"].as_f64().unwrap());
    assert_eq!(auc("p_abuse"), "0.990");
    assert_eq!(auc("dash_count"), "0.949");
    assert_eq!(auc("dash_grade"), "0.633");
    assert_eq!(auc("lap_screen"), "0.707");
    let d = e["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tool"] == "dash_count")
        .unwrap();
    assert_eq!(
        format!("{:.3}", d["difference"].as_f64().unwrap()),
        "-0.041"
    );
    let r = &tool(&e, "classification")["routing_safety"]["abuse_labelled_conflict"];
    assert_eq!(
        (r["count"].as_u64(), r["of"].as_u64()),
        (Some(4), Some(11974))
    );
    let ci: Vec<String> = r["ci95"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{:.2}", 100.0 * v.as_f64().unwrap()))
        .collect();
    assert_eq!(ci, vec!["0.01", "0.09"]);
    let officers = &e["groups"][0];
    let funnel = officers["funnels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == "medium_or_high")
        .unwrap();
    let outside: Vec<&str> = funnel["outside998"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(outside, vec!["officer-019", "officer-010"]);
    // Both are officers the generator made under-record (its ground truth).
    let params = dashrisk::synth::SynthParams::with_settings(&["officers=40", "areas=5"]).unwrap();
    let records = dashrisk::synth::generate(20000, 2025, &params);
    for o in outside {
        let c = records
            .iter()
            .filter_map(|r| r.call_out.as_ref())
            .find(|c| c.officer == o)
            .unwrap();
        assert!(c.under_records, "{o} is not an under-recording officer");
    }
}

/// "Synthetic" is decided from the ids (every one a `dashrisk synth` id) or said
/// with `--synthetic` / `--not-synthetic`, never from the label column's name: a
/// force whose column is called `label_abuse` gets its figures as real ones, with a
/// warning (the review's finding 3).
#[test]
fn synthetic_is_decided_from_the_ids_or_the_flags_not_the_label_name() {
    let syn = tmp("evaluate", "synthetic-ids.csv");
    synth(&syn, 300, &[]);
    let force = tmp("evaluate", "force-ids.csv");
    let text_in = std::fs::read_to_string(&syn).unwrap();
    let renamed: String = text_in
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!("{}\n", l.replacen("syn-", "INC-", 1))
            }
        })
        .collect();
    std::fs::write(&force, renamed).unwrap();
    let json = tmp("evaluate", "synthetic-flag.json");
    let eval = |data: &Path, extra: &[&str]| {
        let out = evaluate_p_abuse(data, &json, extra);
        (
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr),
            json_of(&json),
        )
    };
    let (code, stdout, stderr, e) = eval(&force, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        e["synthetic"], false,
        "a force's ids, whatever the label's name"
    );
    assert!(!stdout.contains("SYNTHETIC DATA"), "{stdout}");
    assert!(
        stderr.contains("named like") && stderr.contains("--synthetic"),
        "a warning when the name matches but the ids do not: {stderr}"
    );
    let (_, _, _, e) = eval(&force, &["--synthetic"]);
    assert_eq!(e["synthetic"], true, "said with --synthetic");
    let (_, _, stderr, e) = eval(&syn, &[]);
    assert_eq!(e["synthetic"], true, "synth ids are recognised");
    assert!(!stderr.contains("named like"), "{stderr}");
    let (code, stdout, _, e) = eval(&syn, &["--not-synthetic"]);
    assert_eq!(code, Some(0));
    assert_eq!(e["synthetic"], false, "said with --not-synthetic");
    assert!(!stdout.contains("SYNTHETIC DATA"));
    let out = run(
        &[
            "evaluate",
            "--data",
            syn.to_str().unwrap(),
            "--label",
            "label_abuse",
            "--synthetic",
            "--not-synthetic",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "the two flags together are refused"
    );
}

/// `--json F --report ./F` is one file by two spellings: refused before anything is
/// written, and an existing F is left as it was (the review's finding 9). The same
/// for `summarise`.
#[test]
fn one_file_named_twice_by_two_spellings_is_refused() {
    let data = tmp("evaluate", "twice-in.csv");
    synth(&data, 200, &[]);
    let dir = data.parent().unwrap();
    let out = dir.join("twice-out.json");
    std::fs::write(&out, "before").unwrap();
    let dotted = format!("{}/./twice-out.json", dir.display());
    let d = data.to_str().unwrap();
    let o = out.to_str().unwrap();
    for args in [
        vec![
            "evaluate",
            "--data",
            d,
            "--label",
            "label_abuse",
            "--tool",
            "p_abuse",
            "--json",
            o,
            "--report",
            &dotted,
        ],
        vec!["summarise", d, "--json", o, "--report", &dotted],
    ] {
        let r = run(&args, b"");
        assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
        assert!(
            text(&r.stderr).contains("name the same file"),
            "{}",
            text(&r.stderr)
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "before");
    }
    let fresh = dir.join("twice-fresh.json");
    let _ = std::fs::remove_file(&fresh);
    let dotted = format!("{}/./twice-fresh.json", dir.display());
    let r = run(
        &[
            "summarise",
            d,
            "--json",
            fresh.to_str().unwrap(),
            "--report",
            &dotted,
        ],
        b"",
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(!fresh.exists(), "nothing written");
    let leftovers = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("twice-")
        })
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0, "no temporary file left behind");
}

/// A score or group column that no record gives a value (a misspelt JSON Lines
/// `meta` key is not checked against any header) stops the run naming it; before,
/// it gave a tool scored on no record, or one blank group, with exit 0.
#[test]
fn a_score_or_group_key_no_record_has_stops_the_run() {
    let data = tmp("evaluate", "meta-keys.jsonl");
    common::synth_to(&data, 300, "jsonl", &["officers=5"]);
    let d = data.to_str().unwrap();
    let base = [
        "evaluate",
        "--data",
        d,
        "--label",
        "label_abuse",
        "--tool",
        "p_abuse",
    ];
    for (extra, named) in [
        (["--group-by", "oficer"], "--group-by oficer"),
        (["--score-column", "risk"], "--score-column risk"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra).collect();
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{named}");
        let err = text(&out.stderr);
        assert!(
            err.contains(named) && err.contains("no record gives a value"),
            "{err}"
        );
    }
    let args: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--group-by", "officer"])
        .collect();
    assert!(run(&args, b"").status.success());
}

/// A file with a record given twice (the same id) is refused unless allowed: the
/// copy narrows every interval and can meet itself across the model's folds (a
/// doubled file moved the model's AUC from 0.988 to 0.992, exit 0).
#[test]
fn records_that_repeat_an_id_are_refused_unless_allowed() {
    let once = tmp("evaluate", "dup-once.csv");
    synth(&once, 300, &[]);
    let text_in = std::fs::read_to_string(&once).unwrap();
    let twice = tmp("evaluate", "dup-twice.csv");
    let body: String = text_in
        .lines()
        .skip(1)
        .take(5)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&twice, format!("{text_in}{body}")).unwrap();
    let json = tmp("evaluate", "dup.json");
    let eval = |data: &Path, extra: &[&str]| evaluate_p_abuse(data, &json, extra);
    assert!(eval(&once, &[]).status.success());
    let out = eval(&twice, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("5 record(s) repeat the id") && err.contains("syn-0000001"),
        "{err}"
    );
    let out = eval(&twice, &["--allow-duplicate-ids"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e = json_of(&json);
    assert_eq!(e["records"]["evaluated"], 305);
    assert!(e["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("repeat the id")));
}
