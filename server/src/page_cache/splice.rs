//! A page whose one per-response part is its CSP nonce, kept ready to send: the text between
//! the nonces is deflated once, and each response splices a new nonce in as a stored
//! (uncompressed) deflate block. A response then costs a copy and a CRC, not a compression.
//!
//! Why this is valid gzip: each piece is deflated with a sync flush, which ends it on a byte
//! boundary with no final block; a stored block may follow any byte-aligned block (RFC 1951
//! §3.2.4), and a last empty stored block with BFINAL set ends the stream. The gzip trailer's
//! CRC-32 and size are of the whole text, computed per response (RFC 1952).

use std::io::Write;

/// gzip's header: deflate, no flags, no time, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// An empty stored block with BFINAL set: the end of the deflate stream.
const FINAL_EMPTY_BLOCK: [u8; 5] = [0x01, 0x00, 0x00, 0xff, 0xff];

pub struct Spliced {
    /// The text between nonces (one more piece than nonces).
    pieces: Vec<Vec<u8>>,
    /// Each piece deflated with a sync flush.
    deflated: Vec<Vec<u8>>,
}

impl Spliced {
    /// Cuts `text` at every `marker` (the nonce it was rendered with). `None` when the marker
    /// is empty or longer than a stored block holds.
    pub fn new(text: &[u8], marker: &[u8]) -> Option<Self> {
        if marker.is_empty() || marker.len() > usize::from(u16::MAX) {
            return None;
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(at) = find(rest, marker) {
            pieces.push(rest[..at].to_vec());
            rest = &rest[at + marker.len()..];
        }
        pieces.push(rest.to_vec());
        let deflated = pieces.iter().map(|p| deflate_flushed(p)).collect();
        Some(Spliced { pieces, deflated })
    }

    /// How many times the marker stood in the text.
    pub fn markers(&self) -> usize {
        self.pieces.len() - 1
    }

    /// The text with `nonce` where the marker was.
    pub fn plain(&self, nonce: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len(nonce));
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(nonce);
            }
            out.extend_from_slice(piece);
        }
        out
    }

    fn len(&self, nonce: &[u8]) -> usize {
        self.pieces.iter().map(Vec::len).sum::<usize>() + nonce.len() * self.markers()
    }

    /// The same text gzipped, `nonce` (at most 65,535 bytes) in stored blocks.
    pub fn gzip(&self, nonce: &[u8]) -> Vec<u8> {
        let stored_len = u16::try_from(nonce.len()).expect("a nonce fits a stored block");
        let compressed: usize = self.deflated.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(compressed + (nonce.len() + 5) * self.markers() + 23);
        out.extend_from_slice(&GZIP_HEADER);
        let mut crc = crc32fast::Hasher::new();
        for (i, (piece, deflated)) in self.pieces.iter().zip(&self.deflated).enumerate() {
            if i > 0 {
                // A stored block: BFINAL 0, BTYPE 00 on a byte boundary, LEN and its complement.
                out.push(0x00);
                out.extend_from_slice(&stored_len.to_le_bytes());
                out.extend_from_slice(&(!stored_len).to_le_bytes());
                out.extend_from_slice(nonce);
                crc.update(nonce);
            }
            out.extend_from_slice(deflated);
            crc.update(piece);
        }
        out.extend_from_slice(&FINAL_EMPTY_BLOCK);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE: the length modulo 2^32, as RFC 1952 defines it.
        out.extend_from_slice(&(self.len(nonce) as u32).to_le_bytes());
        out
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Raw deflate of `piece`, ended by a sync flush (byte-aligned, not final).
fn deflate_flushed(piece: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(piece).expect("writing to memory");
    enc.flush().expect("flushing to memory");
    // Dropping the encoder would finish the stream into this buffer: take what it holds now.
    std::mem::take(enc.get_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        // GzDecoder checks the trailer's CRC and size.
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("valid gzip");
        out
    }

    fn page(marker: &str) -> String {
        let mut html = String::from("<!DOCTYPE html><html><head>");
        for i in 0..40 {
            html.push_str(&format!(
                "<script nonce=\"{marker}\">window.x{i} = {i};</script>"
            ));
        }
        html.push_str(&"<tr><td>pecos-ridge</td><td>141.8 TH/s</td></tr>".repeat(300));
        html.push_str(&format!(
            "<script nonce=\"{marker}\">hydrate()</script></body></html>"
        ));
        html
    }

    #[test]
    fn every_response_decodes_to_the_page_with_its_own_nonce() {
        let marker = "0123456789abcdef0123456789abcdef";
        let spliced = Spliced::new(page(marker).as_bytes(), marker.as_bytes()).unwrap();
        assert_eq!(spliced.markers(), 41);
        for nonce in [
            "fedcba9876543210fedcba9876543210",
            "00000000000000000000000000000000",
        ] {
            let expected = page(nonce);
            assert_eq!(spliced.plain(nonce.as_bytes()), expected.as_bytes());
            let gz = spliced.gzip(nonce.as_bytes());
            assert_eq!(gunzip(&gz), expected.as_bytes());
            // Still compressed: the repeated rows deflate once, the nonces cost their bytes.
            assert!(
                gz.len() < expected.len() / 4,
                "{} of {}",
                gz.len(),
                expected.len()
            );
        }
    }

    #[test]
    fn a_page_without_the_marker_is_one_piece_and_still_valid() {
        let spliced = Spliced::new(b"<p>no scripts</p>", b"nonce").unwrap();
        assert_eq!(spliced.markers(), 0);
        assert_eq!(gunzip(&spliced.gzip(b"other")), b"<p>no scripts</p>");
    }

    #[test]
    fn markers_at_the_edges_and_side_by_side() {
        let spliced = Spliced::new(b"NNtextNNNN", b"NN").unwrap();
        assert_eq!(spliced.markers(), 3);
        assert_eq!(spliced.plain(b"[x]"), b"[x]text[x][x]");
        assert_eq!(gunzip(&spliced.gzip(b"[x]")), b"[x]text[x][x]");
        assert!(Spliced::new(b"text", b"").is_none());
    }

    #[test]
    fn an_empty_page_is_a_valid_empty_gzip() {
        let spliced = Spliced::new(b"", b"n").unwrap();
        assert_eq!(gunzip(&spliced.gzip(b"x")), b"");
    }
}
