//! Brotli (quality 11) and gzip (level 9) beside every text and wasm file of the site, made
//! once at build time so the server sends them as they are (tower-http's precompressed files).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What is worth compressing: text and wasm. Images and fonts are compressed already.
const EXTENSIONS: &[&str] = &[
    "js", "mjs", "wasm", "css", "json", "svg", "html", "txt", "map",
];

pub fn brotli(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

pub fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    enc.finish()
}

fn files_to_compress(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_to_compress(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `f.br` and `f.gz` beside every such file under `site`, on every core. Returns how
/// many files it compressed.
pub fn precompress(site: &Path) -> io::Result<usize> {
    let mut files = Vec::new();
    files_to_compress(site, &mut files)?;
    let count = files.len();
    crate::command::on_every_core(files, crate::command::file_size, |file| {
        let write = || -> io::Result<()> {
            let bytes = fs::read(file)?;
            fs::write(with_suffix(file, "br"), brotli(&bytes)?)?;
            fs::write(with_suffix(file, "gz"), gzip(&bytes)?)
        };
        write().map_err(|e| format!("{}: {e}", file.display()))
    })
    .map_err(io::Error::other)?;
    Ok(count)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_forms_decode_to_the_file_and_are_smaller() {
        let text = "const x = 'rigshift';\n".repeat(500);
        let br = brotli(text.as_bytes()).unwrap();
        let gz = gzip(text.as_bytes()).unwrap();
        assert!(br.len() < text.len() / 10 && gz.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn text_and_wasm_get_both_forms_images_do_not() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("pkg")).unwrap();
        fs::write(dir.path().join("pkg/app.abc.wasm"), b"\0asm....").unwrap();
        fs::write(dir.path().join("pkg/app.abc.js"), b"export{}").unwrap();
        fs::write(dir.path().join("logo.png"), b"\x89PNG").unwrap();
        assert_eq!(precompress(dir.path()).unwrap(), 2);
        for f in ["pkg/app.abc.wasm", "pkg/app.abc.js"] {
            assert!(dir.path().join(format!("{f}.br")).is_file(), "{f}.br");
            assert!(dir.path().join(format!("{f}.gz")).is_file(), "{f}.gz");
        }
        assert!(!dir.path().join("logo.png.br").exists());
    }
}
