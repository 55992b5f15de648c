//! `cargo xtask build`: the release site and server without cargo-leptos.
//!
//! cargo-leptos takes 17 minutes to install on a fresh 2-core machine; what this project uses
//! it for is a handful of steps over cargo, wasm-bindgen, wasm-opt and esbuild, done here (see
//! `front`). The server compiles beside the wasm in its own target folder, so the two halves
//! share the machine's cores instead of waiting on each other. `cargo leptos watch --split`
//! still works for development: the metadata in Cargo.toml says the same (`layout`).
//!
//!   cargo xtask build [--front-only | --server-only]

mod command;
mod compress;
mod front;
mod hashing;
mod layout;

use std::process::{Command, ExitCode};
use std::time::Instant;

use command::{Background, Steps};
use layout::*;

fn server_build() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--package", BIN_PACKAGE, "--bin", BIN_TARGET])
        .args(["--no-default-features", "--features=ssr"])
        .arg(format!("--profile={SERVER_PROFILE}"))
        .envs(leptos_env());
    cmd
}

fn build(front: bool, server: bool) -> Result<(), String> {
    let start = Instant::now();
    let mut steps = Steps::default();
    if front {
        // The worker compiles into target/, where the server builds next: first, alone.
        steps.time("SHA-256d worker (wasm)", front::worker)?;
    }
    let server = server
        .then(|| Background::start(server_build()))
        .transpose()?;
    let front_result = if front {
        front::build(&mut steps)
    } else {
        Ok(())
    };
    if let Some(server) = server {
        let seconds = server.wait()?;
        steps.record("cargo build: server (beside the wasm)", seconds);
    }
    front_result?;
    steps.report(start.elapsed().as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    std::env::set_current_dir(workspace_root()).expect("the workspace root");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let result = match args.first().map(String::as_str) {
        Some("build") => build(!flag("--server-only"), !flag("--front-only")),
        _ => Err("usage: cargo xtask build [--front-only | --server-only]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\x1b[1;31m[xtask] {e}\x1b[0m");
            ExitCode::FAILURE
        }
    }
}
