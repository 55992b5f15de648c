//! A chart's data as CSV, read from the very option the chart draws — so the export and the
//! picture cannot disagree. Category charts give one row per category and one column per
//! series; `null` points (gaps, the split between history and projection) stay empty cells.

use charming::Chart;
use serde_json::Value;

/// Quotes a field when CSV needs it (comma, quote, line break) and defuses spreadsheet
/// formulas: text whose first character is `=`, `+`, `-`, `@`, TAB or CR (OWASP's list), also
/// after leading spaces, gets a leading `'` so spreadsheets show it as text. A number (`-12.5`)
/// stays a number.
pub fn field(s: &str) -> String {
    let s = if is_formula(s) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn is_formula(s: &str) -> bool {
    let start = s.trim_start_matches(' ');
    match start.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => s.trim().parse::<f64>().is_err(),
        _ => false,
    }
}

/// One CSV line from fields, with the trailing newline.
pub fn line<I: IntoIterator<Item = String>>(fields: I) -> String {
    let mut l = fields
        .into_iter()
        .map(|f| field(&f))
        .collect::<Vec<_>>()
        .join(",");
    l.push('\n');
    l
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s == "-" => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("value").map(cell).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// The data of a category chart (`xAxis.data` + each series' `data`) as CSV with the header
/// `first_column,<series names…>`.
pub fn category_csv(chart: &Chart, first_column: &str) -> String {
    option_csv(
        &serde_json::to_value(chart).unwrap_or(Value::Null),
        first_column,
    )
}

/// [`category_csv`] of an option already in JSON form.
pub fn option_csv(option: &Value, first_column: &str) -> String {
    let x_axis = match &option["xAxis"] {
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let categories: Vec<String> = x_axis["data"]
        .as_array()
        .map(|a| a.iter().map(cell).collect())
        .unwrap_or_default();
    let series: Vec<&Value> = option["series"]
        .as_array()
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    let mut out = line(
        std::iter::once(first_column.to_string()).chain(
            series
                .iter()
                .map(|s| s["name"].as_str().unwrap_or("").to_string()),
        ),
    );
    for (i, category) in categories.iter().enumerate() {
        out.push_str(&line(
            std::iter::once(category.clone()).chain(
                series
                    .iter()
                    .map(|s| s["data"].get(i).map(cell).unwrap_or_default()),
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::Palette;
    use crate::model::company::revenue::DailyTotal;
    use chrono::NaiveDate;

    #[test]
    fn revenue_mix_csv_holds_exactly_the_charted_points() {
        let days: Vec<DailyTotal> = (0..3)
            .map(|i| DailyTotal {
                date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i),
                mining_usd: 1000.0 * (i + 1) as f64,
                ai_lease_usd: 500.0,
                power_cost_usd: 0.0,
                btc_mined: 0.0,
                projected: i == 2,
                hashrate_ths: 0.0,
                measured: false,
                pool_paid_btc: None,
                pool_paid_usd: None,
                forward: false,
            })
            .collect();
        let chart = crate::charts::revenue_mix::revenue_mix(
            &days,
            false,
            &[],
            &Palette::DARK,
            crate::i18n::Lang::En,
        );
        assert_eq!(
            category_csv(&chart, "date"),
            "date,Mining revenue,Mining (projected),AI lease revenue,AI lease (projected)\n\
             2026-01-01,1.0,,0.5,\n\
             2026-01-02,2.0,2.0,0.5,0.5\n\
             2026-01-03,,3.0,,0.5\n"
        );
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-12.5"), "-12.5");
        assert_eq!(field("-cmd"), "'-cmd");
        assert_eq!(field("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(field("@cmd"), "'@cmd");
        assert_eq!(field("\tTAB"), "'\tTAB");
        assert_eq!(field("\rCR"), "\"'\rCR\"");
        assert_eq!(field("  =1+1"), "'  =1+1");
        assert_eq!(field("a=b"), "a=b");
    }
}
