//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs the `dashrisk` binary with `args`, feeding `stdin` from a thread so large
/// inputs cannot deadlock against a full output pipe.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// A path in a folder named for the test file, under Cargo's folder for
/// integration tests' files (`target/tmp`), never the system's temporary folder:
/// the folder is emptied the first time a test process asks for it, so runs
/// leave one folder per test file behind, not one per run.
pub fn tmp(tag: &str, name: &str) -> PathBuf {
    static MADE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dashrisk-{tag}"));
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    if !made.iter().any(|t| t == tag) {
        let _ = std::fs::remove_dir_all(&dir);
        made.push(tag.to_string());
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The JSON lines a run wrote to standard output, parsed.
pub fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs, in order and in `dir` (made fresh), every `dashrisk …` line of the `sh`
/// blocks of the guide `docs/NAME`, asserting each succeeds; returns how many ran.
pub fn run_guide_commands(name: &str, dir: &std::path::Path) -> usize {
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(name),
    )
    .unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let mut in_sh = false;
    let mut ran = 0;
    for line in guide.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        let Some(args) = line.strip_prefix("dashrisk ").filter(|_| in_sh) else {
            continue;
        };
        let out = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
            .args(args.split_whitespace())
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    ran
}

/// Writes `n` synthetic records to `path` with `dashrisk synth` in `format`
/// (`csv` or `jsonl`), with generator `settings` (`officers=5`), and checks it
/// succeeded.
pub fn synth_to(path: &std::path::Path, n: u32, format: &str, settings: &[&str]) {
    let n = n.to_string();
    let mut args = vec![
        "synth",
        "--n",
        &n,
        "--format",
        format,
        "--out",
        path.to_str().unwrap(),
    ];
    for s in settings {
        args.push("--set");
        args.push(s);
    }
    let out = run(&args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
