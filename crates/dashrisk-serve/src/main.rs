//! The `dashrisk-serve` binary: parses the command line and runs the server.
#![forbid(unsafe_code)]

use clap::Parser;
use dashrisk::services::Services;
use dashrisk::{Calibration, Policy, Scorer};
use dashrisk_serve::{app, scenarios, serve, Access, AppState, Timeouts, DEFAULT_BODY_LIMIT};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A local web app for officers and trainers: the officer page with "ask next",
/// scenario training, the local services directory and a JSON API. It binds
/// loopback unless told otherwise, stores nothing and logs no answer.
#[derive(Parser)]
#[command(name = "dashrisk-serve", version)]
struct Args {
    /// Address and port to listen on. A non-loopback address also needs
    /// --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Allow a non-loopback --bind (the pages then reach the network: put them
    /// behind the force's own access control and TLS).
    #[arg(long = "allow-remote")]
    allow_remote: bool,
    /// The local services directory (JSON, dashrisk-services/1).
    #[arg(long, value_name = "FILE")]
    services: Option<PathBuf>,
    /// A folder of scenario files replacing the shipped ones.
    #[arg(long, value_name = "DIR")]
    scenarios: Option<PathBuf>,
    /// Policy file (JSON) replacing the default thresholds.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Calibration file (JSON) replacing the shipped one.
    #[arg(long, value_name = "FILE")]
    calibration: Option<PathBuf>,
    /// The largest request body, in bytes.
    #[arg(long = "body-limit", value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn state(args: &Args) -> Result<AppState, String> {
    let policy = match &args.policy {
        Some(p) => Policy::from_json(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?,
        None => Policy::default(),
    };
    let calibration = match &args.calibration {
        Some(p) => {
            Calibration::from_json(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => Scorer::default().calibration().clone(),
    };
    let scorer = Scorer::new(policy, calibration).map_err(|e| e.to_string())?;
    if let Some(why) = scorer.conflict_guarantee_problem() {
        eprintln!("dashrisk-serve: note: {why}");
    }
    let services = match &args.services {
        Some(p) => {
            Some(Services::from_json(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    let exercises = match &args.scenarios {
        Some(d) => scenarios::from_dir(d, &scorer)?,
        None => scenarios::shipped(&scorer)?,
    };
    Ok(AppState {
        scorer,
        services,
        exercises,
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.bind.ip().is_loopback() && !args.allow_remote {
        eprintln!(
            "dashrisk-serve: --bind {} is not a loopback address; add --allow-remote to serve other machines",
            args.bind
        );
        return ExitCode::from(2);
    }
    let state = match state(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dashrisk-serve: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.bind.ip().is_loopback() {
        eprintln!(
            "dashrisk-serve: WARNING: serving {} to other machines. The pages carry answers about victims: use the force's access control and TLS in front of this server.",
            args.bind
        );
    }
    for e in &state.exercises {
        if !e.mismatches.is_empty() {
            eprintln!(
                "dashrisk-serve: WARNING: scenario {}: under the loaded policy and calibration the tool's result differs from the file's expect ({}); its feedback page says so",
                e.scenario.file,
                e.mismatches.join("; ")
            );
        }
    }
    if state.services.as_ref().is_some_and(|s| s.placeholder) {
        eprintln!("dashrisk-serve: the services directory is the example file: its entries are placeholders");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dashrisk-serve: {e}");
            return ExitCode::from(1);
        }
    };
    let body_limit = args.body_limit;
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind).await?;
        // The address actually bound (port 0 picks a free one): tests read this line.
        println!(
            "dashrisk-serve: listening on http://{}",
            listener.local_addr()?
        );
        let access = Access {
            bound: listener.local_addr()?,
            allow_remote: args.allow_remote,
        };
        let timeouts = Timeouts::default();
        serve(
            listener,
            app(state, body_limit, access, timeouts),
            timeouts,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await;
        Ok::<(), std::io::Error>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dashrisk-serve: {e}");
            ExitCode::from(1)
        }
    }
}
