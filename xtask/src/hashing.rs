//! Content-hashed names for `/pkg`, served for a year as immutable.
//!
//! Every name must change when its file's final bytes change, or a browser keeps an old file
//! that no longer fits the rest. The split loader and the main JS import each other, so one of
//! the two cannot carry its own hash: the loader keeps its generated name (the server
//! revalidates it on each load, and it is a few KB), and everything it names is hashed first.
//! That order is the whole point of this module:
//!   1. the wasm files (main and chunks) and the CSS, by their bytes (the chunks name the loader
//!      by its fixed name, so their bytes are final);
//!   2. the split manifest, after its chunk names are rewritten;
//!   3. the main JS (it names the loader by its fixed name and the wasm not at all);
//!   4. the loader, rewritten to the hashed names of the main JS and the chunks.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The split loader's generated name (wasm_split writes its link module under it; leptos
/// preloads it under this name when the hash file has no `split:` line).
pub const SPLIT_LOADER: &str = "__wasm_split.______________________.js";
pub const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// The hashes the server reads from the hash file (leptos' `HydrationScripts` and our
/// stylesheet link).
#[derive(Debug, PartialEq, Eq)]
pub struct Hashes {
    pub js: String,
    pub wasm: String,
    pub css: String,
    pub manifest: Option<String>,
}

impl Hashes {
    /// The hash file's text, in the `kind: hash` lines leptos reads.
    pub fn file_text(&self) -> String {
        let mut text = format!("js: {}\nwasm: {}\ncss: {}\n", self.js, self.wasm, self.css);
        if let Some(m) = &self.manifest {
            text.push_str(&format!("manifest: {m}\n"));
        }
        text
    }
}

/// 22 URL-safe characters of the SHA-256 of `bytes` (the length leptos' placeholder has).
pub fn content_hash(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(bytes);
    // 22 characters of 6 bits: the first 132 bits of the digest.
    (0..22)
        .map(|i| {
            let bit = i * 6;
            let word = u16::from_be_bytes([digest[bit / 8], digest[bit / 8 + 1]]);
            ALPHABET[usize::from((word >> (10 - bit % 8)) & 0x3f)] as char
        })
        .collect()
}

/// `stem.ext` → `stem.hash.ext`.
fn hashed_name(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

/// Renames `dir/name` to its hashed name; returns the hash.
fn rename_hashed(dir: &Path, name: &str) -> io::Result<(String, String)> {
    let hash = content_hash(&fs::read(dir.join(name))?);
    let new = hashed_name(name, &hash);
    fs::rename(dir.join(name), dir.join(&new))?;
    Ok((hash, new))
}

/// Replaces each `old` name by its `new` one in `text`, and says how many it replaced.
fn rewrite(text: &str, names: &BTreeMap<String, String>) -> (String, usize) {
    let mut out = text.to_string();
    let mut count = 0;
    for (old, new) in names {
        count += out.matches(old.as_str()).count();
        out = out.replace(old.as_str(), new);
    }
    (out, count)
}

/// Hashes the names of `pkg`'s files as the module's comment orders it. `output` is the
/// bundle's name (`rigshift`: `rigshift.js`, `rigshift.wasm`, `rigshift.css`).
pub fn hash_pkg(pkg: &Path, output: &str) -> io::Result<Hashes> {
    let main_js = format!("{output}.js");
    let main_wasm = format!("{output}.wasm");
    let css = format!("{output}.css");
    let mut names: Vec<String> = fs::read_dir(pkg)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    names.sort();
    let chunks: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".wasm") && **n != main_wasm)
        .collect();

    let (wasm, _) = rename_hashed(pkg, &main_wasm)?;
    let (css_hash, _) = rename_hashed(pkg, &css)?;
    // Chunk names whole (`split_x.wasm`): the loader writes them so, and no name is the end
    // of another with its extension on.
    let mut chunk_names = BTreeMap::new();
    for chunk in &chunks {
        let (_, new) = rename_hashed(pkg, chunk)?;
        chunk_names.insert(chunk.to_string(), new);
    }

    let manifest = if names.iter().any(|n| n == SPLIT_MANIFEST) {
        let path = pkg.join(SPLIT_MANIFEST);
        let (text, _) = rewrite(&fs::read_to_string(&path)?, &quoted(&chunk_names));
        fs::write(&path, text)?;
        Some(rename_hashed(pkg, SPLIT_MANIFEST)?.0)
    } else {
        None
    };

    let (js, new_js) = rename_hashed(pkg, &main_js)?;
    if names.iter().any(|n| n == SPLIT_LOADER) {
        let path = pkg.join(SPLIT_LOADER);
        let mut loader_names = chunk_names.clone();
        loader_names.insert(format!("./{main_js}"), format!("./{new_js}"));
        let (text, count) = rewrite(&fs::read_to_string(&path)?, &loader_names);
        if count < 1 + chunk_names.len().min(1) {
            return Err(io::Error::other(format!(
                "{SPLIT_LOADER} names neither ./{main_js} nor the chunks: the splitter's output changed"
            )));
        }
        fs::write(&path, text)?;
    }
    Ok(Hashes {
        js,
        wasm,
        css: css_hash,
        manifest,
    })
}

/// The manifest lists stems as JSON strings: match them whole, quotes included, so that one
/// stem that begins another is not rewritten inside it.
fn quoted(names: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let stem = |n: &String| n.trim_end_matches(".wasm").to_string();
    names
        .iter()
        .map(|(k, v)| (format!("\"{}\"", stem(k)), format!("\"{}\"", stem(v))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_hash_is_22_url_safe_characters_of_the_sha256() {
        let h = content_hash(b"abc");
        assert_eq!(h.len(), 22);
        // SHA-256("abc") = ba7816bf 8f01cfea ...; its first 132 bits in base64url.
        assert_eq!(h, "ungWv48Bz-pBQUDeXa4iI7");
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(content_hash(b"abd"), h);
    }

    const LOADER: &str = r#"import { initSync } from "./rigshift.js";
const chunks = { a: "./split_fleet.wasm", b: "./split_fleet_extra.wasm" };"#;

    fn split_site() -> tempfile::TempDir {
        pkg(&[
            (
                "rigshift.js",
                r#"import * as s from "./__wasm_split.______________________.js";"#,
            ),
            ("rigshift.wasm", "main"),
            ("rigshift.css", "body{}"),
            ("split_fleet.wasm", "fleet chunk"),
            ("split_fleet_extra.wasm", "extra chunk"),
            (
                SPLIT_MANIFEST,
                r#"{"__fleet_route_view":["split_fleet","split_fleet_extra"]}"#,
            ),
            (SPLIT_LOADER, LOADER),
        ])
    }

    #[test]
    fn every_name_but_the_loader_carries_its_content_hash() {
        let dir = split_site();
        let hashes = hash_pkg(dir.path(), "rigshift").unwrap();
        let names = listing(dir.path());
        let fleet = format!("split_fleet.{}.wasm", content_hash(b"fleet chunk"));
        let extra = format!("split_fleet_extra.{}.wasm", content_hash(b"extra chunk"));
        assert!(names.contains(&format!("rigshift.{}.wasm", content_hash(b"main"))));
        assert!(names.contains(&format!("rigshift.{}.css", content_hash(b"body{}"))));
        assert!(
            names.contains(&fleet) && names.contains(&extra),
            "{names:?}"
        );
        assert!(names.contains(&SPLIT_LOADER.to_string()));
        assert_eq!(hashes.wasm, content_hash(b"main"));

        // The manifest lists the hashed stems, whole: "split_fleet" inside "split_fleet_extra"
        // is not rewritten twice.
        let manifest_name = format!(
            "__wasm_split_manifest.{}.json",
            hashes.manifest.clone().unwrap()
        );
        let manifest = fs::read_to_string(dir.path().join(&manifest_name)).unwrap();
        assert_eq!(
            manifest,
            format!(
                r#"{{"__fleet_route_view":["{}","{}"]}}"#,
                fleet.trim_end_matches(".wasm"),
                extra.trim_end_matches(".wasm")
            )
        );
        assert_eq!(hashes.manifest.unwrap(), content_hash(manifest.as_bytes()));

        // The loader imports the hashed main JS and fetches the hashed chunks.
        let loader = fs::read_to_string(dir.path().join(SPLIT_LOADER)).unwrap();
        assert!(
            loader.contains(&format!("\"./rigshift.{}.js\"", hashes.js)),
            "{loader}"
        );
        assert!(
            loader.contains(&format!("\"./{fleet}\""))
                && loader.contains(&format!("\"./{extra}\"")),
            "{loader}"
        );
        assert!(!loader.contains("\"./rigshift.js\""));
    }

    #[test]
    fn a_changed_chunk_changes_its_name_and_the_loader_but_not_the_main_files() {
        let first = split_site();
        let a = hash_pkg(first.path(), "rigshift").unwrap();
        let second = split_site();
        fs::write(
            second.path().join("split_fleet.wasm"),
            "fleet chunk, edited",
        )
        .unwrap();
        let b = hash_pkg(second.path(), "rigshift").unwrap();
        assert_eq!(
            (a.js.as_str(), a.wasm.as_str()),
            (b.js.as_str(), b.wasm.as_str())
        );
        assert_ne!(a.manifest, b.manifest);
        let loader =
            |d: &tempfile::TempDir| fs::read_to_string(d.path().join(SPLIT_LOADER)).unwrap();
        assert_ne!(loader(&first), loader(&second));
    }

    #[test]
    fn a_site_without_split_hashes_its_three_files_and_writes_no_manifest_line() {
        let dir = pkg(&[
            ("rigshift.js", "js"),
            ("rigshift.wasm", "wasm"),
            ("rigshift.css", "css"),
        ]);
        let hashes = hash_pkg(dir.path(), "rigshift").unwrap();
        assert_eq!(hashes.manifest, None);
        assert_eq!(
            hashes.file_text(),
            format!(
                "js: {}\nwasm: {}\ncss: {}\n",
                content_hash(b"js"),
                content_hash(b"wasm"),
                content_hash(b"css")
            )
        );
    }

    #[test]
    fn a_loader_that_names_nothing_is_an_error_not_a_broken_site() {
        let dir = pkg(&[
            ("rigshift.js", "js"),
            ("rigshift.wasm", "wasm"),
            ("rigshift.css", "css"),
            (SPLIT_LOADER, "export const nothing = 1;"),
        ]);
        let err = hash_pkg(dir.path(), "rigshift").unwrap_err();
        assert!(
            err.to_string().contains("splitter's output changed"),
            "{err}"
        );
    }
}
