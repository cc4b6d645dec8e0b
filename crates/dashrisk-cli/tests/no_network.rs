//! No network access and no logging framework anywhere in what ships offline: the
//! core, the command line, the comparison model, the reports and the Python binding
//! (docs/security.md). The dependency tree is checked with `cargo tree`, and the
//! sources for socket use. `dashrisk-serve`, the web app, is the one networked crate
//! and is deliberately not in [`SHIPPED`]; its own tests hold it to loopback.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Crates that open sockets, speak network protocols or log: none may be a normal
/// dependency of a shipped crate.
const DENIED: [&str; 24] = [
    "async-std",
    "attohttpc",
    "curl",
    "curl-sys",
    "h2",
    "hickory-resolver",
    "http",
    "hyper",
    "isahc",
    "log",
    "mio",
    "native-tls",
    "openssl",
    "quinn",
    "reqwest",
    "rustls",
    "smol",
    "socket2",
    "surf",
    "tokio",
    "tracing",
    "trust-dns-resolver",
    "tungstenite",
    "ureq",
];

const SHIPPED: [&str; 5] = [
    "dashrisk",
    "dashrisk-cli",
    "dashrisk-learn",
    "dashrisk-py",
    "dashrisk-report",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn no_networking_or_logging_crate_is_a_dependency() {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(workspace()).args([
        "tree",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--locked",
        "--offline",
    ]);
    for p in SHIPPED {
        cmd.args(["-p", p]);
    }
    let out = cmd.output().expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(
        names.contains(&"serde_json"),
        "cargo tree listed the dependencies"
    );
    let found: Vec<&&str> = DENIED.iter().filter(|d| names.contains(d)).collect();
    assert!(
        found.is_empty(),
        "networking or logging crates in the tree: {found:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_opens_a_socket() {
    let mut files = Vec::new();
    for p in SHIPPED {
        rust_files(&workspace().join("crates").join(p).join("src"), &mut files);
    }
    assert!(files.len() > 10);
    let needles = [
        "std::net",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for n in needles {
            assert!(!text.contains(n), "{} uses {n}", f.display());
        }
    }
}
