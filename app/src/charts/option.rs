//! A built chart as ECharts reads it: the option as JSON text.
//!
//! Components draw a `ChartOption`, not a `charming::Chart`, so the code that builds charts
//! lives only where a chart is built: on the server for the overview (its first load carries no
//! chart builder) and in a page's own wasm chunk elsewhere. On the wire it is raw JSON, not a
//! string holding JSON, so it is not escaped twice inside the server-rendered page.

use charming::Chart;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChartOption(Box<RawValue>);

impl ChartOption {
    /// The option's JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The option as a JSON value (for the CSV export).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.json()).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for ChartOption {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl From<&Chart> for ChartOption {
    fn from(chart: &Chart) -> Self {
        // Serialising charming's option types cannot fail (no maps with non-string keys).
        let text = serde_json::to_string(chart).unwrap_or_else(|_| "{}".into());
        ChartOption(RawValue::from_string(text).expect("serde_json wrote valid JSON"))
    }
}

impl From<Chart> for ChartOption {
    fn from(chart: Chart) -> Self {
        ChartOption::from(&chart)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charming::component::Title;

    #[test]
    fn the_option_travels_as_raw_json_and_comes_back_equal() {
        let option = ChartOption::from(Chart::new().title(Title::new().text("a \"b\"")));
        assert_eq!(option.value()["title"][0]["text"], "a \"b\"");
        let wire = serde_json::to_string(&option).unwrap();
        // Raw: the option is an object inside the payload, not a string of escaped JSON.
        assert!(wire.starts_with('{'), "{wire}");
        let back: ChartOption = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, option);
    }
}
