//! Writing the Prometheus text exposition format (0.0.4): one `# HELP`/`# TYPE` header per
//! family, then its samples. Label values come from operators (site names, device ids), so they
//! are escaped as the format requires; a value that broke a line would break the whole scrape.
//! Pure: builds a string.

use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// An exposition being written.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts a family. Every sample written until the next family must carry its name.
    pub fn family(&mut self, name: &str, help: &str, kind: Kind) -> &mut Self {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {}", kind.as_str());
        self
    }

    /// One sample line: `name{k="v",…} value`.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                self.text.push_str(k);
                self.text.push_str("=\"");
                escape_label_value(&mut self.text, v);
                self.text.push('"');
            }
            self.text.push('}');
        }
        self.text.push(' ');
        push_value(&mut self.text, value);
        self.text.push('\n');
        self
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn escape_label_value(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn push_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v == f64::INFINITY {
        out.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        out.push_str("-Inf");
    } else {
        let _ = write!(out, "{v}");
    }
}

/// `le` label text for a bucket bound, as Prometheus writes it.
pub fn bound_label(bound: f64) -> String {
    let mut s = String::new();
    push_value(&mut s, bound);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::prometheus::parse;

    #[test]
    fn hostile_label_values_survive_a_round_trip_through_a_parser() {
        let hostile = "Site \"North\"\\ \n} x=\"1\" 99";
        let mut e = Exposition::default();
        e.family("rigshift_test", "A test\nfamily", Kind::Gauge)
            .sample("rigshift_test", &[("site", hostile), ("kind", "asic")], 2.5)
            .sample("rigshift_test", &[], f64::NAN)
            .sample("rigshift_test", &[("le", &bound_label(f64::INFINITY))], 7.0);
        let text = e.finish();
        // The newline inside the value must not start a new line of the exposition.
        assert_eq!(text.lines().count(), 5, "{text}");
        let samples = parse(&text).unwrap();
        assert_eq!(samples.len(), 3);
        assert_eq!(samples[0].label("site"), Some(hostile));
        assert_eq!(samples[0].label("kind"), Some("asic"));
        assert_eq!(samples[0].value, 2.5);
        assert!(samples[1].value.is_nan());
        assert_eq!(samples[2].label("le"), Some("+Inf"));
    }

    #[test]
    fn whole_numbers_print_without_a_fraction() {
        let mut e = Exposition::default();
        e.sample("a", &[], 3.0).sample("b", &[], 0.25);
        assert_eq!(e.finish(), "a 3\nb 0.25\n");
    }
}
