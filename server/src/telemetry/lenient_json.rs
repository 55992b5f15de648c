//! A forgiving JSON reader for miner firmware, which breaks JSON in small, well-known ways:
//! a trailing NUL, `}{` between objects without a comma, missing commas between members,
//! duplicate keys (several `temp1`), and control characters inside strings.
//!
//! It keeps every member of an object in order (duplicates included) so extraction can decide
//! what a duplicate means. Strings and keys borrow from the answer (only one with an escape is
//! copied): a poll's answer has a few hundred of them, and allocating each was a large share of
//! the poller's own work. Pure: no IO.

use std::borrow::Cow;
use std::fmt;

/// A parsed value borrowing from the text it was read from; objects keep duplicate keys in
/// document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Deepest nesting accepted; real responses are 4–5 levels deep.
const MAX_DEPTH: usize = 32;

impl<'a> Json<'a> {
    /// First member named `key` (objects only).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Every member named `key`, in order.
    pub fn get_all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s Json<'a>> + 's {
        let members: &[(Cow<'a, str>, Json<'a>)] = match self {
            Json::Object(m) => m,
            _ => &[],
        };
        members
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn members(&self) -> &[(Cow<'a, str>, Json<'a>)] {
        match self {
            Json::Object(m) => m,
            _ => &[],
        }
    }

    pub fn as_array(&self) -> &[Json<'a>] {
        match self {
            Json::Array(a) => a,
            _ => &[],
        }
    }

    /// A number, also from a numeric string (`"156.0000"`), as firmware often sends.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(*n),
            Json::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|v| v.is_finite())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The same value owning its strings (to outlive the text it was read from).
    pub fn into_owned(self) -> Json<'static> {
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(b),
            Json::Number(n) => Json::Number(n),
            Json::String(s) => Json::String(Cow::Owned(s.into_owned())),
            Json::Array(items) => Json::Array(items.into_iter().map(Json::into_owned).collect()),
            Json::Object(members) => Json::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }
}

/// Parses `text`; several top-level values (`{..}{..}`) come back as an array.
pub fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
    };
    let mut values = Vec::new();
    loop {
        p.skip_ws();
        if p.i >= p.s.len() {
            break;
        }
        values.push(p.value(0)?);
    }
    match values.len() {
        0 => Err(JsonError {
            offset: 0,
            reason: "empty response",
        }),
        1 => Ok(values.pop().expect("one value")),
        _ => Ok(Json::Array(values)),
    }
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            reason,
        }
    }

    /// Whitespace, NULs and stray commas between values are all skipped.
    fn skip_ws(&mut self) {
        while let Some(&c) = self.s.get(self.i) {
            if c.is_ascii_whitespace() || c == 0 {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek().ok_or_else(|| self.err("unexpected end"))? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => Ok(Json::String(self.string()?)),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err("unexpected character")),
        }
    }

    fn literal(&mut self, word: &str, v: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("bad literal"))
        }
    }

    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        while let Some(&c) = self.s.get(self.i) {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .map(Json::Number)
            .ok_or_else(|| self.err("bad number"))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.i += 1; // opening quote
        let start = self.i;
        // Most strings have no escape: they are a slice of the text. A quote is ASCII, so the
        // slice ends on a character boundary of the (valid UTF-8) text.
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.i - 1]));
                }
                b'\\' => break,
                _ => self.i += 1,
            }
        }
        let mut out = self.s[start..self.i].to_vec();
        loop {
            let c = *self
                .s
                .get(self.i)
                .ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self
                        .s
                        .get(self.i)
                        .ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' | b'f' => {}
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.i..self.i + 4)
                                .ok_or_else(|| self.err("short unicode escape"))?;
                            self.i += 4;
                            let code = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.err("bad unicode escape"))?;
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                // Raw control characters are tolerated inside strings.
                other => out.push(other),
            }
        }
        Ok(Cow::Owned(String::from_utf8_lossy(&out).into_owned()))
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated array")),
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                Some(b',') => self.i += 1,
                Some(_) => items.push(self.value(depth + 1)?),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        self.i += 1;
        let mut members = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated object")),
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                // Missing commas are tolerated, and so are doubled ones.
                Some(b',') => self.i += 1,
                Some(b'"') => {
                    let key = self.string()?;
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                }
                Some(_) => return Err(self.err("expected a key")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_firmware_quirks() {
        // Trailing NUL, duplicate keys, a missing comma between members, `}{` between objects.
        let v = parse("{\"a\":1,\"t\":50 \"t\":61}{\"b\":\"2.5\"}\0").unwrap();
        let parts = v.as_array();
        assert_eq!(parts.len(), 2);
        let temps: Vec<f64> = parts[0].get_all("t").filter_map(Json::as_f64).collect();
        assert_eq!(temps, vec![50.0, 61.0]);
        assert_eq!(parts[1].get("b").and_then(Json::as_f64), Some(2.5));
        assert_eq!(
            parse("[1,,2,]").unwrap(),
            Json::Array(vec![Json::Number(1.0), Json::Number(2.0)])
        );
        assert_eq!(
            parse(r#""a\"b\u00e9""#).unwrap(),
            Json::String("a\"bé".into())
        );
    }

    #[test]
    fn refuses_what_cannot_be_json() {
        assert!(parse("").is_err());
        assert!(parse("\0\0").is_err());
        assert!(parse("{\"a\":}").is_err());
        assert!(parse("{\"a\":1").is_err());
        assert!(parse("<html>").is_err());
        assert!(parse(&"[".repeat(100)).is_err());
        assert_eq!(Json::String("NaN".into()).as_f64(), None);
    }
}
