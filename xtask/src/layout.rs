//! Where the build reads and writes, and the settings the Leptos crates are compiled with.
//!
//! The same values stand in Cargo.toml's `[[workspace.metadata.leptos]]`, which `cargo leptos
//! watch` reads; `metadata_in_cargo_toml_agrees` keeps the two in step.

use std::path::{Path, PathBuf};

pub const OUTPUT_NAME: &str = "rigshift";
pub const SITE_ROOT: &str = "target/site";
pub const PKG_DIR: &str = "pkg";
pub const STYLE_FILE: &str = "style/main.css";
pub const ASSETS_DIR: &str = "public";
pub const SITE_ADDR: &str = "127.0.0.1:3000";
pub const RELOAD_PORT: &str = "3001";
pub const LIB_PACKAGE: &str = "app";
pub const BIN_PACKAGE: &str = "server";
pub const BIN_TARGET: &str = "rigshift";
pub const WASM_PROFILE: &str = "wasm-release";
/// The server's profile; the hash file is written into its output folder, beside the binary.
pub const SERVER_PROFILE: &str = "release";
/// The wasm builds in its own target folder: it links with other flags (`--emit-relocs`), and
/// the server builds at the same time without waiting for a lock on `target/`.
pub const FRONT_TARGET_DIR: &str = "target/front";
pub const HASH_FILE: &str = "hash.txt";

/// The workspace root: the build runs from there whatever the caller's folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

pub fn pkg_dir() -> PathBuf {
    Path::new(SITE_ROOT).join(PKG_DIR)
}

/// The compile-time settings cargo-leptos gives both halves (leptos' `option_env!` reads
/// them). The same names and values, so switching between `cargo leptos` and this build does
/// not recompile the Leptos crates.
pub fn leptos_env() -> [(&'static str, &'static str); 10] {
    [
        ("LEPTOS_OUTPUT_NAME", OUTPUT_NAME),
        ("LEPTOS_SITE_ROOT", SITE_ROOT),
        ("LEPTOS_SITE_PKG_DIR", PKG_DIR),
        ("LEPTOS_SITE_ADDR", SITE_ADDR),
        ("LEPTOS_RELOAD_PORT", RELOAD_PORT),
        ("LEPTOS_LIB_DIR", LIB_PACKAGE),
        ("LEPTOS_BIN_DIR", BIN_PACKAGE),
        ("LEPTOS_JS_MINIFY", "true"),
        ("LEPTOS_HASH_FILES", "true"),
        ("LEPTOS_HASH_FILE_NAME", HASH_FILE),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `key = "value"` in the workspace's Leptos metadata.
    fn metadata(key: &str) -> String {
        let text = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        let section = text
            .split("[[workspace.metadata.leptos]]")
            .nth(1)
            .expect("Cargo.toml has [[workspace.metadata.leptos]]");
        section
            .lines()
            .take_while(|l| !l.starts_with('['))
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().trim_matches('"').to_string())
            .unwrap_or_else(|| panic!("no {key} in the Leptos metadata"))
    }

    #[test]
    fn metadata_in_cargo_toml_agrees() {
        assert_eq!(metadata("output-name"), OUTPUT_NAME);
        assert_eq!(metadata("site-root"), SITE_ROOT);
        assert_eq!(metadata("site-pkg-dir"), PKG_DIR);
        assert_eq!(metadata("style-file"), STYLE_FILE);
        assert_eq!(metadata("assets-dir"), ASSETS_DIR);
        assert_eq!(metadata("site-addr"), SITE_ADDR);
        assert_eq!(metadata("reload-port"), RELOAD_PORT);
        assert_eq!(metadata("lib-package"), LIB_PACKAGE);
        assert_eq!(metadata("bin-package"), BIN_PACKAGE);
        assert_eq!(metadata("bin-target"), BIN_TARGET);
        assert_eq!(metadata("lib-profile-release"), WASM_PROFILE);
        assert_eq!(metadata("hash-files"), "true");
    }
}
