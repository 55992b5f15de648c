//! Fixed-bucket histograms keyed by label values, as Prometheus histograms are exposed
//! (cumulative `_bucket{le}` counts, `_sum`, `_count`). Recording is a map lookup and a few
//! additions under a short lock; the hot paths (an HTTP request, a device poll) pay nothing more.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::exposition::{bound_label, Exposition, Kind};

#[derive(Debug, Clone, PartialEq)]
struct Series {
    /// Per-bucket (not cumulative) counts; the last slot is the `+Inf` overflow.
    counts: Vec<u64>,
    sum: f64,
}

/// A histogram family: name, label names, bucket upper bounds (seconds, ascending).
#[derive(Debug)]
pub struct HistogramFamily {
    name: &'static str,
    help: &'static str,
    label_names: &'static [&'static str],
    bounds: &'static [f64],
    series: Mutex<BTreeMap<Vec<String>, Series>>,
}

impl HistogramFamily {
    pub const fn new(
        name: &'static str,
        help: &'static str,
        label_names: &'static [&'static str],
        bounds: &'static [f64],
    ) -> Self {
        Self {
            name,
            help,
            label_names,
            bounds,
            series: Mutex::new(BTreeMap::new()),
        }
    }

    /// Records one observation under `label_values` (in the order of the label names).
    pub fn observe(&self, label_values: &[&str], value: f64) {
        debug_assert_eq!(label_values.len(), self.label_names.len());
        let slot = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let key: Vec<String> = label_values.iter().map(|v| v.to_string()).collect();
        let s = series.entry(key).or_insert_with(|| Series {
            counts: vec![0; self.bounds.len() + 1],
            sum: 0.0,
        });
        s.counts[slot] += 1;
        s.sum += value;
    }

    /// Observations recorded under `label_values` so far.
    pub fn count(&self, label_values: &[&str]) -> u64 {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let key: Vec<String> = label_values.iter().map(|v| v.to_string()).collect();
        series.get(&key).map(|s| s.counts.iter().sum()).unwrap_or(0)
    }

    pub fn write(&self, out: &mut Exposition) {
        let series = self
            .series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        out.family(self.name, self.help, Kind::Histogram);
        let bucket = format!("{}_bucket", self.name);
        let sum = format!("{}_sum", self.name);
        let count = format!("{}_count", self.name);
        for (values, s) in &series {
            let mut labels: Vec<(&str, &str)> = self
                .label_names
                .iter()
                .copied()
                .zip(values.iter().map(String::as_str))
                .collect();
            let mut cumulative = 0;
            let bounds: Vec<String> = self
                .bounds
                .iter()
                .map(|b| bound_label(*b))
                .chain(std::iter::once(bound_label(f64::INFINITY)))
                .collect();
            for (n, le) in s.counts.iter().zip(&bounds) {
                cumulative += n;
                labels.push(("le", le));
                out.sample(&bucket, &labels, cumulative as f64);
                labels.pop();
            }
            out.sample(&sum, &labels, s.sum);
            out.sample(&count, &labels, cumulative as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::prometheus::parse;

    static BOUNDS: [f64; 3] = [0.01, 0.1, 1.0];

    #[test]
    fn buckets_are_cumulative_and_the_overflow_lands_in_inf() {
        let h = HistogramFamily::new("t_seconds", "test", &["route"], &BOUNDS);
        for v in [0.005, 0.01, 0.05, 0.5, 3.0] {
            h.observe(&["/a"], v);
        }
        h.observe(&["/b"], 0.2);
        let mut e = Exposition::default();
        h.write(&mut e);
        let samples = parse(&e.finish()).unwrap();
        let bucket = |route: &str, le: &str| {
            samples
                .iter()
                .find(|s| {
                    s.name == "t_seconds_bucket"
                        && s.label("route") == Some(route)
                        && s.label("le") == Some(le)
                })
                .map(|s| s.value)
        };
        // 0.01 is inclusive (le = "less than or equal").
        assert_eq!(bucket("/a", "0.01"), Some(2.0));
        assert_eq!(bucket("/a", "0.1"), Some(3.0));
        assert_eq!(bucket("/a", "1"), Some(4.0));
        assert_eq!(bucket("/a", "+Inf"), Some(5.0));
        assert_eq!(bucket("/b", "0.1"), Some(0.0));
        assert_eq!(bucket("/b", "1"), Some(1.0));
        let sum = samples
            .iter()
            .find(|s| s.name == "t_seconds_sum" && s.label("route") == Some("/a"))
            .unwrap();
        assert!((sum.value - 3.565).abs() < 1e-9);
        assert_eq!(h.count(&["/a"]), 5);
        assert_eq!(h.count(&["/c"]), 0);
    }
}
