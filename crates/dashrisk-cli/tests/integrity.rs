//! Artefact integrity and record limits on the command line: sealing instruments and
//! policies, refusing tampered, truncated and version-mismatched files with an error
//! that names the file and the problem, `--require-sealed`, and `--max-record-bytes`
//! / `--max-depth`.

mod common;

use common::run;
use std::path::PathBuf;
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    common::tmp("integrity", name)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `dashrisk assess` with one instrument file (and extra arguments); returns the run.
fn assess_with(file: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "assess",
        "--format",
        "jsonl",
        "--instrument-file",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args, br#"{"instrument":"force-y","answers":{"q2":"yes"}}"#)
}

/// A force's copy of the police form under its own id, as `instrument show --json`
/// prints it and a force then edits.
fn force_copy() -> String {
    let out = run(&["instrument", "show", "dash-2009", "--json"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["checksum"].as_str().map(str::len),
        Some(64),
        "show --json is sealed"
    );
    text.replacen("\"id\": \"dash-2009\"", "\"id\": \"force-y\"", 1)
}

#[test]
fn an_edited_instrument_is_refused_until_it_is_sealed_again() {
    let p = tmp("force-y.json");
    std::fs::write(&p, force_copy()).unwrap();
    // Edited after sealing: refused, naming the file, the problem and the fix.
    let out = assess_with(&p, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("force-y.json"), "{err}");
    assert!(err.contains("checksum does not match"), "{err}");
    assert!(err.contains("dashrisk instrument seal"), "{err}");
    // Sealing checks the rules and writes the checksum; then it is accepted, even
    // where only sealed files are.
    let out = run(&["instrument", "seal", p.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("sealed instrument \"force-y\""));
    let out = assess_with(&p, &["--require-sealed"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Sealing to another file leaves the original alone.
    let copy = tmp("force-y-copy.json");
    let out = run(
        &[
            "instrument",
            "seal",
            p.to_str().unwrap(),
            "--out",
            copy.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&copy).unwrap());
    // An instrument that breaks a rule is not sealed.
    let weak = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"power_imbalance\"", "\"violence\"");
    std::fs::write(&p, weak).unwrap();
    let out = run(&["instrument", "seal", p.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("power_imbalance"), "{}", stderr(&out));
}

#[test]
fn hand_written_instruments_load_unless_sealed_files_are_required() {
    let p = tmp("hand.json");
    let mut v: serde_json::Value = serde_json::from_str(&force_copy()).unwrap();
    v.as_object_mut().unwrap().remove("checksum");
    std::fs::write(&p, v.to_string()).unwrap();
    assert_eq!(assess_with(&p, &[]).status.code(), Some(0));
    let out = assess_with(&p, &["--require-sealed"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("hand.json") && err.contains("checksum: is missing"),
        "{err}"
    );
}

#[test]
fn truncated_and_version_mismatched_files_are_refused_naming_the_file() {
    let p = tmp("trunc.json");
    let text = force_copy();
    std::fs::write(&p, &text[..text.len() / 2]).unwrap();
    let out = assess_with(&p, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("trunc.json: instrument: cannot be read: EOF"),
        "{err}"
    );

    let v2 = tmp("v2.json");
    std::fs::write(
        &v2,
        text.replacen("\"format_version\": 1", "\"format_version\": 2", 1),
    )
    .unwrap();
    let err = stderr(&assess_with(&v2, &[]));
    assert!(
        err.contains("v2.json: instrument: format version 2 is not supported"),
        "{err}"
    );

    let out = run(&["policy"], b"");
    let policy = tmp("policy-v9.json");
    let text = String::from_utf8(out.stdout).unwrap();
    std::fs::write(
        &policy,
        text.replacen("\"format_version\": 2", "\"format_version\": 9", 1),
    )
    .unwrap();
    let out = run(&["assess", "--policy", policy.to_str().unwrap()], b"{}");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("policy-v9.json: policy: format version 9"),
        "{}",
        stderr(&out)
    );

    let cal = tmp("cal-trunc.json");
    let shipped = include_str!("../../dashrisk/assets/calibration.json");
    std::fs::write(&cal, &shipped[..shipped.len() - 10]).unwrap();
    let out = run(&["assess", "--calibration", cal.to_str().unwrap()], b"{}");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cal-trunc.json: calibration: cannot be read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn policy_seal_writes_a_checksum_and_require_sealed_checks_policies() {
    let p = tmp("hand-policy.json");
    let out = run(&["policy"], b"");
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_object_mut().unwrap().remove("checksum");
    v["grading"]["medium_from"] = 9.into();
    std::fs::write(&p, v.to_string()).unwrap();
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--require-sealed",
        ],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("dashrisk policy seal"),
        "{}",
        stderr(&out)
    );
    let out = run(&["policy", "seal", p.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        &[
            "assess",
            "--policy",
            p.to_str().unwrap(),
            "--require-sealed",
        ],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn record_limits_are_flags_and_errors_name_them() {
    let deep = format!("{{\"meta\":{}{}}}\n{{}}\n", "[".repeat(6), "]".repeat(6));
    let out = run(
        &["assess", "--format", "jsonl", "--max-depth", "5"],
        deep.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = common::lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["code"], "too_large");
    assert_eq!(lines[0]["error"]["field"], "meta[0][0][0][0]");
    assert!(lines[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_depth limit (5 levels)"));
    assert!(lines[1].get("classification").is_some());
    // The default depth (32) lets that record through.
    let out = run(&["assess", "--format", "jsonl"], deep.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A CSV row over the byte limit is one error record; the next row is assessed.
    let csv = format!("id,q1,note\na,yes,{}\nb,no,short\n", "x".repeat(300));
    let out = run(
        &[
            "assess",
            "--format",
            "csv",
            "--output-format",
            "jsonl",
            "--max-record-bytes",
            "200",
        ],
        csv.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = common::lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["code"], "too_large");
    assert!(lines[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_record_bytes limit (200 bytes)"));
    assert_eq!(lines[1]["id"], "b");

    for bad in [
        ["--max-depth", "2"],
        ["--max-depth", "500"],
        ["--max-record-bytes", "0"],
    ] {
        let out = run(&["assess", bad[0], bad[1]], b"{}");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&out).contains(bad[0]), "{}", stderr(&out));
    }
}

#[test]
fn a_byte_order_mark_before_json_lines_is_dropped() {
    let out = run(
        &["assess"],
        b"\xef\xbb\xbf{\"answers\":{\"q18\":\"yes\"},\"id\":\"bom\"}\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "bom");
}

/// Found while reviewing the CSV reader for the fuzz campaign: the header's
/// duplicate-column check compared every column with every earlier one, so a header
/// of 120,000 columns (under the 1 MiB limit) took minutes. It is now linear.
#[test]
fn a_very_wide_header_is_read_in_linear_time() {
    let n = 120_000;
    // One contract column, so that the header is a contract header.
    let header: Vec<String> = (0..n)
        .map(|i| if i == 0 { "q1".into() } else { format!("c{i}") })
        .collect();
    let mut csv = header.join(",");
    csv.push('\n');
    csv.push_str(&",".repeat(n - 1));
    csv.push('\n');
    let start = std::time::Instant::now();
    let out = run(
        &["assess", "--format", "csv", "--output-format", "jsonl"],
        csv.as_bytes(),
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passthrough"].as_object().unwrap().len(), n - 1);
}

/// `--out` naming an input file is refused before anything is written, for every
/// command that reads a file and writes one; the input is left as it was.
#[test]
fn an_output_that_is_the_input_is_refused() {
    let data = tmp("same-in.csv");
    let out = run(
        &[
            "synth",
            "--n",
            "50",
            "--seed",
            "3",
            "--out",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success());
    let before = std::fs::read(&data).unwrap();
    let d = data.to_str().unwrap();
    for args in [
        vec!["assess", d, "--out", d],
        vec!["train", "--data", d, "--label", "label_abuse", "--out", d],
        vec![
            "calibrate",
            "--data",
            d,
            "--label",
            "label_abuse",
            "--out",
            d,
        ],
    ] {
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("refusing to overwrite"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read(&data).unwrap(),
            before,
            "{args:?} changed the input"
        );
    }
    // A normal run writes the output whole, with no temporary file left beside it.
    let res = tmp("same-out.csv");
    let out = run(&["assess", d, "--out", res.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&res).unwrap().lines().count(), 51);
    let dir = res.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("same-out.csv.dashrisk-")
        })
        .collect();
    assert!(leftovers.is_empty());
}

/// The delimiter is detected from the header: a semicolon, tab or pipe file gives
/// the same results as its comma version. Forced to the wrong one, a file has no
/// contract column: an error with a hint, not a file of silent "unclear" results.
#[test]
fn delimiters_are_detected_and_a_wrong_one_is_an_error_with_a_hint() {
    let comma = run(
        &["assess", "--format", "csv"],
        b"id,q2,fear\nr1,yes,no\nr2,no,no\n",
    );
    assert!(comma.status.success());
    for d in [";", "\t", "|"] {
        let input = "id,q2,fear\nr1,yes,no\nr2,no,no\n".replace(',', d);
        let out = run(&["assess", "--format", "csv"], input.as_bytes());
        assert!(out.status.success(), "{d:?}: {}", stderr(&out));
        assert_eq!(out.stdout, comma.stdout, "delimiter {d:?}");
    }
    let out = run(
        &["assess", "--format", "csv", "--delimiter", ","],
        b"id;q2;fear\nr1;yes;no\nr2;no;no\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("header: no column of the input contract"),
        "{err}"
    );
    assert!(err.contains("is the delimiter ';'?"), "{err}");
    assert!(!err.contains("line 0"), "{err}");
    // A file with no extension is sniffed as CSV from a semicolon too.
    let path = tmp("semicolon-export");
    std::fs::write(&path, "id;q2;fear\nr1;yes;no\n").unwrap();
    let out = run(
        &["assess", path.to_str().unwrap(), "--output-format", "csv"],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Windows exports: Windows-1252 read with --encoding, UTF-16 detected from its
/// byte-order mark; both give the results of the UTF-8 file. Not asked, a
/// Windows-1252 byte is an error naming the cell, with the option to use.
#[test]
fn windows_1252_and_utf16_exports_read_as_their_utf8_originals() {
    let text = "id,q2,fear,notes\nJosé,yes,no,café\nr2,no,no,\n";
    let utf8 = run(&["assess", "--format", "csv"], text.as_bytes());
    assert!(utf8.status.success());
    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| if c == 'é' { 0xe9 } else { c as u8 })
        .collect();
    let out = run(
        &["assess", "--format", "csv", "--encoding", "windows-1252"],
        &cp1252,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, utf8.stdout);
    let out = run(&["assess", "--format", "csv"], &cp1252);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--encoding windows-1252"),
        "{}",
        stderr(&out)
    );
    for (bom, le) in [([0xff, 0xfe], true), ([0xfe, 0xff], false)] {
        let mut utf16 = bom.to_vec();
        for u in text.encode_utf16() {
            utf16.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let path = tmp(if le { "utf16le.csv" } else { "utf16be.csv" });
        std::fs::write(&path, &utf16).unwrap();
        let out = run(&["assess", path.to_str().unwrap()], b"");
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            out.stdout,
            utf8.stdout,
            "UTF-16 {}",
            if le { "LE" } else { "BE" }
        );
    }
}

/// CSV output carries reason codes; `--reasons text` adds the sentences.
#[test]
fn csv_reasons_are_codes_unless_text_is_asked_for() {
    let input = b"id,q2,fear\nr1,yes,no\n";
    let codes = run(&["assess", "--format", "csv"], input);
    let text = run(&["assess", "--format", "csv", "--reasons", "text"], input);
    let header = |o: &Output| {
        String::from_utf8(o.stdout.clone())
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(header(&codes).contains(",reason_codes,") && !header(&codes).contains(",reasons,"));
    assert!(header(&text).contains(",reason_codes,reasons,"));
    assert!(
        text.stdout.len() > codes.stdout.len() + 200,
        "the sentences are long"
    );
}

/// A progress bar on standard error when it is a terminal (here a pseudo-terminal
/// made by util-linux `script`), and none when it is not.
#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let data = tmp("progress.csv");
    let mut csv = String::from("id,q2,fear\n");
    for i in 0..20_000 {
        csv.push_str(&format!("r{i},no,no\n"));
    }
    std::fs::write(&data, csv).unwrap();
    let out_file = tmp("progress-out.csv");
    let cmd = format!(
        "{} assess {} --out {}",
        env!("CARGO_BIN_EXE_dashrisk"),
        data.display(),
        out_file.display()
    );
    let tty = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("util-linux script");
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(tty.status.success(), "{shown}");
    assert!(
        shown.contains("progress.csv [") && shown.contains("MiB"),
        "{shown}"
    );
    let piped = run(
        &[
            "assess",
            data.to_str().unwrap(),
            "--out",
            out_file.to_str().unwrap(),
        ],
        b"",
    );
    assert!(piped.status.success());
    assert!(piped.stderr.is_empty(), "{}", stderr(&piped));
}

/// `-o` naming any file the command reads, not only the data, is refused before
/// anything is written: the policy, the calibration, an instrument file, the
/// services directory; in `summarise` and `evaluate` too. Each file is left as it
/// was.
#[test]
fn an_output_that_is_any_input_file_is_refused() {
    let data = tmp("side-data.csv");
    let out = run(
        &[
            "synth",
            "--n",
            "30",
            "--seed",
            "4",
            "--out",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success());
    let policy = tmp("side-policy.json");
    std::fs::write(&policy, run(&["policy"], b"").stdout).unwrap();
    let calibration = tmp("side-calibration.json");
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dashrisk/assets");
    std::fs::copy(assets.join("calibration.json"), &calibration).unwrap();
    let services = tmp("side-services.json");
    std::fs::copy(assets.join("services-example.json"), &services).unwrap();
    let instrument = tmp("side-instrument.json");
    std::fs::write(&instrument, force_copy()).unwrap();
    let sealed = run(&["instrument", "seal", instrument.to_str().unwrap()], b"");
    assert!(sealed.status.success(), "{}", stderr(&sealed));
    let d = data.to_str().unwrap();
    let (p, c, s, i) = (
        policy.to_str().unwrap(),
        calibration.to_str().unwrap(),
        services.to_str().unwrap(),
        instrument.to_str().unwrap(),
    );
    // Each runs fine with another output: only the clash is refused.
    let ok = tmp("side-ok.jsonl");
    let o = ok.to_str().unwrap();
    let out = run(
        &[
            "assess",
            d,
            "--output-format",
            "jsonl",
            "--policy",
            p,
            "--calibration",
            c,
            "--instrument-file",
            i,
            "--services",
            s,
            "-o",
            o,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cases: Vec<(Vec<&str>, &PathBuf)> = vec![
        (vec!["assess", d, "--policy", p, "-o", p], &policy),
        (vec!["assess", d, "--calibration", c, "-o", c], &calibration),
        (
            vec!["assess", d, "--instrument-file", i, "-o", i],
            &instrument,
        ),
        (
            vec![
                "assess",
                d,
                "--output-format",
                "jsonl",
                "--services",
                s,
                "-o",
                s,
            ],
            &services,
        ),
        (vec!["summarise", d, "--policy", p, "--report", p], &policy),
        (
            vec!["summarise", d, "--calibration", c, "--json", c],
            &calibration,
        ),
        (
            vec![
                "evaluate",
                "--data",
                d,
                "--label",
                "label_abuse",
                "--tool",
                "dash_count",
                "--policy",
                p,
                "--json",
                p,
            ],
            &policy,
        ),
        (
            vec![
                "calibrate",
                "--data",
                d,
                "--label",
                "label_abuse",
                "--policy",
                p,
                "--out",
                p,
            ],
            &policy,
        ),
    ];
    for (args, file) in cases {
        let before = std::fs::read(file).unwrap();
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("refusing to overwrite"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read(file).unwrap(),
            before,
            "{args:?} changed {file:?}"
        );
    }
}

/// Data read from standard input redirected from a file: that file is refused as
/// the output (`dashrisk assess --format csv - -o in.csv < in.csv`), and left as
/// it was; another output is written.
#[cfg(unix)]
#[test]
fn an_output_that_is_the_file_behind_standard_input_is_refused() {
    use std::process::{Command, Stdio};
    let data = tmp("stdin-in.csv");
    let out = run(
        &[
            "synth",
            "--n",
            "20",
            "--seed",
            "5",
            "--out",
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success());
    let before = std::fs::read(&data).unwrap();
    let with_stdin = |target: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_dashrisk"))
            .args([
                "assess",
                "--format",
                "csv",
                "-",
                "-o",
                target.to_str().unwrap(),
            ])
            .stdin(Stdio::from(std::fs::File::open(&data).unwrap()))
            .output()
            .unwrap()
    };
    let out = with_stdin(&data);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&data).unwrap(), before);
    let other = tmp("stdin-out.csv");
    let out = with_stdin(&other);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&other).unwrap().lines().count(), 21);
}
