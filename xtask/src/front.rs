//! The browser half: the hydrating library compiled to wasm, split at the `#[lazy_route]`
//! points, bound by wasm-bindgen, optimised, minified, hashed and precompressed, with the
//! stylesheet and `public/` beside it in `target/site`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::{npm_bin, run, Steps};
use crate::hashing::{self, SPLIT_LOADER, SPLIT_MANIFEST};
use crate::layout::*;

/// The browsers the stylesheet is lowered for (what browserslist's "defaults" covers today).
const CSS_TARGETS: &str = "chrome109,edge109,firefox115,safari15.6";

/// The measurement worker (SHA-256d in the browser) goes into `public/vendor` first, so that
/// it is copied, hashed by nothing (its name is fixed) and precompressed with the rest.
pub fn worker() -> Result<(), String> {
    run(Command::new("cargo").args([
        "build",
        "-p",
        "sha256-worker",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "worker-release",
    ]))?;
    copy(
        Path::new("target/wasm32-unknown-unknown/worker-release/sha256_worker.wasm"),
        Path::new("public/vendor/sha256-worker.wasm"),
    )
}

/// `cargo build` of the library for the browser, as cargo-leptos does it.
pub fn compile_wasm() -> Result<PathBuf, String> {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "build",
        "--package",
        LIB_PACKAGE,
        "--lib",
        "--target=wasm32-unknown-unknown",
    ])
    .arg(format!("--target-dir={FRONT_TARGET_DIR}"))
    .args(["--no-default-features", "--features=hydrate"])
    .arg(format!("--profile={WASM_PROFILE}"))
    .envs(leptos_env())
    // The splitter needs the linker's relocations. RUSTFLAGS replaces the target's
    // rustflags in .cargo/config.toml, so theirs (`-O0` string merging off) is repeated.
    .env("RUSTFLAGS", "-C link-arg=-O0 -C link-args=--emit-relocs");
    run(&mut cmd)?;
    Ok(Path::new(FRONT_TARGET_DIR)
        .join("wasm32-unknown-unknown")
        .join(WASM_PROFILE)
        .join(format!("{LIB_PACKAGE}.wasm")))
}

/// Cuts the wasm at the lazy routes: the main module (still to be bound) and the chunks and
/// their loader in `pkg`, with the manifest leptos reads to preload a route's chunks.
pub fn split(wasm: &Path, pkg: &Path) -> Result<PathBuf, String> {
    let input = fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let main = wasm.with_file_name(format!("{LIB_PACKAGE}_split.wasm"));
    let main_module = format!("./{OUTPUT_NAME}.js");
    let link_name = format!("./{SPLIT_LOADER}");
    let out = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = pkg;
        opts.main_out_path = &main;
        opts.main_module = &main_module;
        opts.link_name = &link_name;
        opts
    })
    .map_err(|e| format!("wasm split: {e:#}"))?;
    let manifest = serde_json::to_string_pretty(&out.prefetch_map).map_err(|e| e.to_string())?;
    fs::write(pkg.join(SPLIT_MANIFEST), manifest).map_err(|e| e.to_string())?;
    eprintln!("[xtask] {} chunks split off", out.split_modules.len());
    Ok(main)
}

/// wasm-bindgen's JS glue for the main module, as `pkg/rigshift.{js,wasm}`.
pub fn bindgen(main: &Path, pkg: &Path) -> Result<(), String> {
    run(Command::new("wasm-bindgen")
        .args([
            "--target=web",
            "--keep-lld-exports",
            "--no-demangle",
            "--no-typescript",
        ])
        .arg(format!("--out-name={OUTPUT_NAME}"))
        .arg(format!("--out-dir={}", pkg.display()))
        .arg(main))?;
    fs::rename(
        pkg.join(format!("{OUTPUT_NAME}_bg.wasm")),
        pkg.join(format!("{OUTPUT_NAME}.wasm")),
    )
    .map_err(|e| e.to_string())
}

/// `wasm-opt -Oz` on every wasm of `pkg`, one per core at a time.
pub fn optimise(pkg: &Path) -> Result<(), String> {
    let files: Vec<PathBuf> = fs::read_dir(pkg)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    crate::command::on_every_core(files, crate::command::file_size, |f| {
        let mut cmd = npm_bin("wasm-opt");
        cmd.args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .arg(f)
        .arg("-o")
        .arg(f);
        crate::command::Background::start_quiet(cmd)?
            .wait()
            .map(|_| ())
    })
}

/// The JS glue minified and the stylesheet minified and lowered, both by esbuild.
pub fn minify(pkg: &Path) -> Result<(), String> {
    let js = pkg.join(format!("{OUTPUT_NAME}.js"));
    run(npm_bin("esbuild")
        .arg(&js)
        // wasm-bindgen lists the split loader once per import in one object: esbuild warns of
        // the repeated key, which is the same module each time.
        .args([
            "--minify",
            "--format=esm",
            "--log-level=error",
            "--allow-overwrite",
        ])
        .arg(format!("--outfile={}", js.display())))?;
    run(npm_bin("esbuild")
        .arg(STYLE_FILE)
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--target={CSS_TARGETS}"))
        .arg(format!(
            "--outfile={}",
            pkg.join(format!("{OUTPUT_NAME}.css")).display()
        )))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

/// `public/` copied into the site root as it is.
pub fn copy_assets(from: &Path, to: &Path) -> Result<usize, String> {
    let mut count = 0;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            count += copy_assets(&path, &target)?;
        } else {
            copy(&path, &target)?;
            count += 1;
        }
    }
    Ok(count)
}

/// The whole browser half; writes the hash file beside the server binary.
pub fn build(steps: &mut Steps) -> Result<(), String> {
    let site = Path::new(SITE_ROOT);
    let pkg = pkg_dir();
    let wasm = steps.time("cargo build: app → wasm32 (hydrate)", compile_wasm)?;
    // A fresh site: hashed names of an earlier build must not pile up.
    if site.exists() {
        fs::remove_dir_all(site).map_err(|e| format!("{}: {e}", site.display()))?;
    }
    fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    let main = steps.time("split at the lazy routes", || split(&wasm, &pkg))?;
    steps.time("wasm-bindgen", || bindgen(&main, &pkg))?;
    steps.time("wasm-opt -Oz", || optimise(&pkg))?;
    steps.time("esbuild: JS and CSS", || minify(&pkg))?;
    steps.time("copy public/", || copy_assets(Path::new(ASSETS_DIR), site))?;
    let hashes = steps.time("content-hashed names", || {
        hashing::hash_pkg(&pkg, OUTPUT_NAME).map_err(|e| e.to_string())
    })?;
    let hash_file = Path::new("target").join(SERVER_PROFILE).join(HASH_FILE);
    fs::create_dir_all(hash_file.parent().expect("target/<profile>")).map_err(|e| e.to_string())?;
    fs::write(&hash_file, hashes.file_text()).map_err(|e| e.to_string())?;
    steps.time("brotli 11 + gzip 9", || {
        crate::compress::precompress(site).map_err(|e| e.to_string())
    })?;
    Ok(())
}
