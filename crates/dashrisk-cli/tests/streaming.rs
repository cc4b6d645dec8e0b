//! `dashrisk assess` streams a 1,000,000-row CSV with flat memory: the peak resident
//! set after 1,000,000 rows is within a few MiB of the peak after the first
//! 100,000, so memory does not grow with the input. Linux only (reads
//! /proc/PID/status while the process is still waiting for input).

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;

const ROWS: usize = 1_000_000;
const EARLY: usize = 100_000;
/// Where the late peak is read: the process must still be running, and the last
/// rows may sit in its output buffer until standard input closes.
const LATE: usize = ROWS - 10_000;
/// Allowed growth of the peak resident set between row 100,000 and row 1,000,000.
/// A per-row leak of 16 bytes would already exceed it.
const MAX_GROWTH_KIB: u64 = 12 * 1024;

fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("VmHWM in /proc status")
}

#[test]
fn a_million_csv_rows_stream_with_flat_memory() {
    // A varied set of rows, good and bad, cycled. Generated here rather than read
    // from disk so the test needs no fixture of 100 MB.
    let synth = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
        .args(["synth", "--n", "997", "--seed", "5"])
        .output()
        .unwrap();
    let text = String::from_utf8(synth.stdout).unwrap();
    let mut lines = text.lines();
    let header = format!("{},note\n", lines.next().unwrap());
    let mut rows: Vec<String> = lines
        .map(|l| format!("{l},free text {}\n", l.len()))
        .collect();
    rows.push("syn-bad,dash-2009,maybe\n".to_string()); // a bad row: row_length
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashrisk"))
        .args(["assess", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdin = child.stdin.take().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let mut w = BufWriter::with_capacity(1 << 20, stdin);
        w.write_all(header.as_bytes()).unwrap();
        for i in 0..ROWS {
            w.write_all(rows[i % rows.len()].as_bytes()).unwrap();
        }
        w.flush().unwrap();
        // Keep standard input open (the process alive) until the peak is read.
        release_rx.recv().unwrap();
        drop(w);
    });
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());
    let mut line = String::new();
    let mut seen = 0usize;
    let mut early = 0;
    let mut errors = 0usize;
    out.read_line(&mut line).unwrap(); // header
    let mut late = 0;
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen += 1;
        if line.contains(",row_length,") {
            errors += 1;
        }
        if seen == EARLY {
            early = peak_kib(pid);
        }
        if seen == LATE {
            late = peak_kib(pid);
            release_tx.send(()).unwrap();
        }
    }
    writer.join().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(seen, ROWS, "one output row per input row");
    assert_eq!(
        errors,
        ROWS / 998 + usize::from(ROWS % 998 == 997),
        "bad rows reported, good rows assessed"
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        late <= early + MAX_GROWTH_KIB,
        "peak memory grew from {early} KiB at row {EARLY} to {late} KiB at row {LATE}"
    );
    eprintln!("peak RSS: {early} KiB at row {EARLY}, {late} KiB at row {LATE}");
}
