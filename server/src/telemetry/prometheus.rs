//! Prometheus text exposition format (0.0.4), as NVIDIA's DCGM exporter serves it: comments,
//! `# HELP`/`# TYPE`, labels with escaped quotes, `NaN`/`+Inf`/`-Inf`, optional timestamps.
//! Pure: no IO.

use std::borrow::Cow;

/// One sample line, borrowing from the exposition (label values are copied only when they
/// hold escapes): what the poll path reads, with no allocation per label.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRef<'a> {
    pub name: &'a str,
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
}

impl SampleRef<'_> {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_ref())
    }

    pub fn to_owned(&self) -> Sample {
        Sample {
            name: self.name.to_string(),
            labels: self
                .labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            value: self.value,
            timestamp_ms: self.timestamp_ms,
        }
    }
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub reason: &'static str,
}

/// Parses a whole exposition; a malformed line is an error (it names the line).
pub fn parse(text: &str) -> Result<Vec<Sample>, ParseError> {
    Ok(parse_borrowed(text)?
        .iter()
        .map(SampleRef::to_owned)
        .collect())
}

/// Parses a whole exposition into samples that borrow from it.
pub fn parse_borrowed(text: &str) -> Result<Vec<SampleRef<'_>>, ParseError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_line(line).map_err(|reason| ParseError {
            line: n + 1,
            reason,
        })?);
    }
    Ok(out)
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
}

fn parse_line(line: &str) -> Result<SampleRef<'_>, &'static str> {
    let name_end = line
        .char_indices()
        .find(|(i, c)| !is_name_char(*c, *i == 0))
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    if name_end == 0 {
        return Err("missing metric name");
    }
    let name = &line[..name_end];
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let bytes = after.as_bytes();
        let mut i = 0;
        loop {
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b',') {
                i += 1;
            }
            match bytes.get(i) {
                Some(b'}') => {
                    i += 1;
                    break;
                }
                None => return Err("unterminated label set"),
                _ => {}
            }
            let key_start = i;
            while i < bytes.len() && is_name_char(bytes[i] as char, i == key_start) {
                i += 1;
            }
            if i == key_start || bytes.get(i) != Some(&b'=') || bytes.get(i + 1) != Some(&b'"') {
                return Err("malformed label");
            }
            let key = &after[key_start..i];
            i += 2;
            let value_start = i;
            let mut escaped = false;
            loop {
                match bytes.get(i) {
                    None => return Err("unterminated label value"),
                    Some(b'"') => break,
                    Some(b'\\') => {
                        escaped = true;
                        if i + 1 >= bytes.len() {
                            return Err("unterminated escape");
                        }
                        i += 2;
                    }
                    Some(_) => i += 1,
                }
            }
            let raw = &after[value_start..i];
            i += 1;
            let value = if escaped {
                Cow::Owned(unescape(raw))
            } else {
                Cow::Borrowed(raw)
            };
            labels.push((key, value));
        }
        rest = &after[i..];
    }
    let mut fields = rest.split_whitespace();
    let value = match fields.next().ok_or("missing value")? {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse::<f64>().map_err(|_| "bad value")?,
    };
    let timestamp_ms = match fields.next() {
        Some(t) => Some(t.parse::<i64>().map_err(|_| "bad timestamp")?),
        None => None,
    };
    if fields.next().is_some() {
        return Err("trailing data");
    }
    Ok(SampleRef {
        name,
        labels,
        value,
        timestamp_ms,
    })
}

/// A label value's escapes (`\\n`, `\\"`, `\\\\`) resolved.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dcgm_lines_with_labels_escapes_specials_and_timestamps() {
        let text = "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n\
DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-abc\",device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"node-1\"} 97\n\
DCGM_FI_DEV_POWER_USAGE{gpu=\"1\",modelName=\"say \\\"hi\\\"\\n\"} 612.5 1700000000000\n\
weird_metric NaN\nother +Inf\n";
        let s = parse(text).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].name, "DCGM_FI_DEV_GPU_UTIL");
        assert_eq!(s[0].label("modelName"), Some("NVIDIA H100 80GB HBM3"));
        assert_eq!(s[0].value, 97.0);
        assert_eq!(s[1].label("modelName"), Some("say \"hi\"\n"));
        assert_eq!(s[1].timestamp_ms, Some(1_700_000_000_000));
        assert!(s[2].value.is_nan());
        assert!(s[3].value.is_infinite());
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(parse("ok 1\n{gpu=\"0\"} 1\n").unwrap_err().line, 2);
        assert!(parse("m{gpu=\"0} 1").is_err());
        assert!(parse("m{gpu=0} 1").is_err());
        assert!(parse("m 1 2 3").is_err());
        assert!(parse("m one").is_err());
    }
}
