//! `dashrisk`: assess domestic incidents, list instruments, generate synthetic data.
//! The command line lives in the `dashrisk_cli` library, so that its readers can be
//! fuzzed and tested in process; this is only the entry point.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    dashrisk_cli::main()
}
