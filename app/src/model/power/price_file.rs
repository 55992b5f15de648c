//! A settlement point price file read whole: ERCOT's posted CSV (its reports' and its MIS
//! extracts' layouts), its public API's JSON page (`power_json`), or the plain CSV. Pure: callers
//! pass the text in.

use chrono::{DateTime, Utc};

use crate::model::power::contract::{
    check_point, column, ercot_date, ercot_start, fail, field, point_type, price, table,
    ErcotColumns, ImportError, IntervalPrice, INTERVAL_MINUTES,
};

/// Reads a price file in any of three formats, told apart by their shape:
/// - ERCOT's settlement point prices as its reports post them (`Delivery Date, Delivery Hour,
///   Delivery Interval, Settlement Point Name, Settlement Point Type, Settlement Point
///   Price[, DSTFlag]`; a CSV);
/// - ERCOT's public API page of the same report (JSON: `fields` naming the columns, `data` rows
///   in that order);
/// - the plain `settlement_point,interval_start_utc,usd_per_mwh[,settlement_point_type]`.
///
/// A point is keyed with its type, so a load zone's `LZ` and `LZEW` prices are two series. Any
/// bad line refuses the whole file; a series' interval given twice is a bad line.
pub fn parse_prices(text: &str) -> Result<Vec<IntervalPrice>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        let rows = crate::model::power::json::parse_page(text)?;
        refuse_duplicates(&rows, |i| ImportError {
            line: 0,
            message: format!("data[{i}]"),
        })?;
        return Ok(rows);
    }
    // ERCOT names its columns `Delivery Date` in its reports and `DeliveryDate` in its MIS
    // extracts: compared without case, spaces or underscores.
    let (columns, lines) = table(text)?;
    let rows: Vec<IntervalPrice> = if columns.iter().any(|c| c == "deliverydate") {
        let layout = csv_layout(&columns)?;
        lines
            .iter()
            .map(|(n, f)| csv_row(&layout, *n, f))
            .collect::<Result<_, _>>()?
    } else {
        let layout = PlainColumns::find(&columns)?;
        lines
            .iter()
            .map(|(n, f)| layout.row(*n, f))
            .collect::<Result<_, _>>()?
    };
    refuse_duplicates(&rows, |i| ImportError {
        line: lines[i].0,
        message: String::new(),
    })?;
    Ok(rows)
}

/// The first repeated (point, type, interval) refuses the file, named by where its second row
/// is (`at`: the row's index → its place).
fn refuse_duplicates(
    rows: &[IntervalPrice],
    at: impl Fn(usize) -> ImportError,
) -> Result<(), ImportError> {
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if !seen.insert((r.point.as_str(), r.point_type.as_str(), r.interval_start)) {
            let place = at(i);
            let kind = if r.point_type.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.point_type)
            };
            let what = format!(
                "{}{kind} at {} is given twice",
                r.point,
                r.interval_start.to_rfc3339()
            );
            return fail(
                place.line,
                if place.message.is_empty() {
                    what
                } else {
                    format!("{}: {what}", place.message)
                },
            );
        }
    }
    Ok(())
}

struct PlainColumns {
    point: usize,
    point_type: Option<usize>,
    start: usize,
    price: usize,
}

impl PlainColumns {
    fn find(columns: &[String]) -> Result<Self, ImportError> {
        Ok(Self {
            point: column(columns, "settlement_point")?,
            point_type: column(columns, "settlement_point_type").ok(),
            start: column(columns, "interval_start_utc")?,
            price: column(columns, "usd_per_mwh")?,
        })
    }

    fn row(&self, line: usize, f: &[String]) -> Result<IntervalPrice, ImportError> {
        let point = field(line, f, self.point, "settlement_point")?;
        check_point(point).or_else(|e| fail(line, e))?;
        let point_type = point_type(line, self.point_type.and_then(|i| f.get(i)))?;
        let start_text = field(line, f, self.start, "interval_start_utc")?;
        let start = DateTime::parse_from_rfc3339(start_text)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                fail(
                    line,
                    format!("interval_start_utc {start_text:?} is not an RFC 3339 time"),
                )
            })?;
        if start.timestamp() % (INTERVAL_MINUTES * 60) != 0 {
            return fail(
                line,
                format!("{start_text} does not start a 15-minute interval"),
            );
        }
        Ok(IntervalPrice {
            point: point.to_string(),
            point_type,
            interval_start: start,
            usd_per_mwh: price(line, field(line, f, self.price, "usd_per_mwh")?)?,
        })
    }
}

/// The posted CSV's columns, by their header names.
fn csv_layout(columns: &[String]) -> Result<ErcotColumns, ImportError> {
    Ok(ErcotColumns {
        date: column(columns, "Delivery Date")?,
        hour: column(columns, "Delivery Hour")?,
        interval: column(columns, "Delivery Interval")?,
        point: column(columns, "Settlement Point Name")
            .or_else(|_| column(columns, "Settlement Point"))?,
        point_type: column(columns, "Settlement Point Type").ok(),
        price: column(columns, "Settlement Point Price")?,
        dst: columns
            .iter()
            .position(|c| c == "dstflag" || c == "repeatedhourflag"),
    })
}

/// One posted CSV line.
fn csv_row(layout: &ErcotColumns, line: usize, f: &[String]) -> Result<IntervalPrice, ImportError> {
    let date_text = field(line, f, layout.date, "Delivery Date")?;
    let date = ercot_date(date_text).map_or_else(
        || {
            fail(
                line,
                format!("Delivery Date {date_text:?} is not MM/DD/YYYY"),
            )
        },
        Ok,
    )?;
    let number = |i: usize, name: &str| -> Result<i64, ImportError> {
        let t = field(line, f, i, name)?;
        t.parse()
            .or_else(|_| fail(line, format!("{name} {t:?} is not a whole number")))
    };
    let hour = number(layout.hour, "Delivery Hour")?;
    let interval = number(layout.interval, "Delivery Interval")?;
    let point = field(line, f, layout.point, "Settlement Point Name")?;
    check_point(point).or_else(|e| fail(line, e))?;
    let point_type = point_type(line, layout.point_type.and_then(|i| f.get(i)))?;
    let repeated = layout
        .dst
        .is_some_and(|i| f.get(i).is_some_and(|v| v.trim().eq_ignore_ascii_case("y")));
    let start = ercot_start(date, hour, interval, repeated).or_else(|e| fail(line, e))?;
    Ok(IntervalPrice {
        point: point.to_string(),
        point_type,
        interval_start: start,
        usd_per_mwh: price(
            line,
            field(line, f, layout.price, "Settlement Point Price")?,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    const ERCOT_HEADER: &str =
        "Delivery Date,Delivery Hour,Delivery Interval,Settlement Point Name,Settlement Point Type,Settlement Point Price,DSTFlag";

    #[test]
    fn a_dst_day_has_its_repeated_hour_as_four_distinct_intervals() {
        let mut text = format!("{ERCOT_HEADER}\n");
        for (hour, flag) in [(1, "N"), (2, "N"), (2, "Y"), (3, "N")] {
            for i in 1..=4 {
                text.push_str(&format!(
                    "11/03/2024,{hour},{i},HB_NORTH,HU,{}.5,{flag}\n",
                    20 + i
                ));
            }
        }
        let rows = parse_prices(&text).unwrap();
        assert_eq!(rows.len(), 16);
        let starts: std::collections::BTreeSet<_> = rows.iter().map(|r| r.interval_start).collect();
        assert_eq!(starts.len(), 16, "every interval once, in order of time");
        assert_eq!(*starts.iter().next().unwrap(), utc("2024-11-03T05:00:00Z"));
        assert_eq!(*starts.iter().last().unwrap(), utc("2024-11-03T08:45:00Z"));
    }

    #[test]
    fn a_bad_file_is_refused_whole_with_its_line() {
        let good = format!("{ERCOT_HEADER}\n01/15/2024,1,1,HB_NORTH,HU,25.00,N\n");
        // ERCOT's yearly report names the flag `Repeated Hour Flag`: the repeated hour is an hour later.
        let report = "Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,Settlement Point Type,Settlement Point Price\n11/03/2024,2,1,N,HB_WEST,HU,20\n11/03/2024,2,1,Y,HB_WEST,HU,21\n";
        let rows = parse_prices(report).unwrap();
        assert_eq!(
            rows[1].interval_start - rows[0].interval_start,
            Duration::hours(1)
        );
        assert_eq!(parse_prices(&good).unwrap().len(), 1);
        let missing = "Delivery Date,Delivery Hour,Settlement Point Name,Settlement Point Price\n01/15/2024,1,HB_NORTH,25\n";
        assert_eq!(parse_prices(missing).unwrap_err().line, 1);
        assert!(parse_prices(missing)
            .unwrap_err()
            .message
            .contains("Delivery Interval"));
        let text_price = format!("{ERCOT_HEADER}\n01/15/2024,1,1,HB_NORTH,HU,25.00,N\n01/15/2024,1,2,HB_NORTH,HU,n/a,N\n");
        let e = parse_prices(&text_price).unwrap_err();
        assert_eq!((e.line, e.message.contains("\"n/a\"")), (3, true), "{e}");
        let twice = format!("{ERCOT_HEADER}\n01/15/2024,1,1,HB_NORTH,HU,25,N\n01/15/2024,1,2,HB_NORTH,HU,26,N\n01/15/2024,1,1,HB_NORTH,HU,27,N\n");
        assert_eq!(parse_prices(&twice).unwrap_err().line, 4);
        // The same interval at another point is not a duplicate.
        let two_points = format!(
            "{ERCOT_HEADER}\n01/15/2024,1,1,HB_NORTH,HU,25,N\n01/15/2024,1,1,HB_WEST,HU,26,N\n"
        );
        assert_eq!(parse_prices(&two_points).unwrap().len(), 2);
        assert_eq!(parse_prices("").unwrap_err().line, 1);
    }

    #[test]
    fn a_load_zone_is_priced_twice_and_each_price_is_its_own_series() {
        // As ERCOT posts it: a resource node first, the zone as LZ and LZEW in the same interval,
        // whole-dollar prices quoted and not, CRLF.
        let text = "\"DeliveryDate\",\"DeliveryHour\",\"DeliveryInterval\",\"SettlementPointName\",\"SettlementPointType\",\"SettlementPointPrice\",\"DSTFlag\"\r\n\
            \"09/29/2026\",\"17\",\"1\",\"ALVIN_RN\",\"RN\",\"29\",\"N\"\r\n\
            \"09/29/2026\",\"17\",\"1\",\"LZ_AEN\",\"LZ\",\"31.25\",\"N\"\r\n\
            \"09/29/2026\",\"17\",\"1\",\"LZ_AEN\",\"LZEW\",31,\"N\"\r\n";
        let rows = parse_prices(text).unwrap();
        let got: Vec<(&str, &str, f64)> = rows
            .iter()
            .map(|r| (r.point.as_str(), r.point_type.as_str(), r.usd_per_mwh))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ALVIN_RN", "RN", 29.0),
                ("LZ_AEN", "LZ", 31.25),
                ("LZ_AEN", "LZEW", 31.0)
            ]
        );
        assert_eq!(rows[1].interval_start, utc("2026-09-29T21:00:00Z"));
        // The same type twice is still a duplicate, named with its type.
        let twice =
            format!("{text}\"09/29/2026\",\"17\",\"1\",\"LZ_AEN\",\"LZEW\",\"30\",\"N\"\r\n");
        assert_eq!(
            parse_prices(&twice).unwrap_err().to_string(),
            "line 5: LZ_AEN (LZEW) at 2026-09-29T21:00:00+00:00 is given twice"
        );
        // A type that is not one is refused by line.
        let bad = text.replace("\"RN\"", "\"R N\"");
        assert_eq!(parse_prices(&bad).unwrap_err().line, 2);
    }

    #[test]
    fn the_api_page_reads_to_the_rows_the_csv_gives() {
        let csv = format!(
            "{ERCOT_HEADER}\n11/02/2025,2,1,LZ_WEST,LZ,21,N\n11/02/2025,2,1,LZ_WEST,LZ,22.5,Y\n"
        );
        // Fields in another order than the CSV's, hours as numbers or text, DSTFlag a boolean.
        let page = r#"{"_meta":{"totalPages":1,"currentPage":1},
            "fields":[{"name":"settlementPointPrice"},{"name":"deliveryDate"},{"name":"deliveryHour"},
                      {"name":"deliveryInterval"},{"name":"settlementPoint"},{"name":"settlementPointType"},{"name":"DSTFlag"}],
            "data":[[21,"2025-11-02",2,1,"LZ_WEST","LZ",false],[22.5,"2025-11-02","2","1","LZ_WEST","LZ",true]]}"#;
        assert_eq!(parse_prices(page).unwrap(), parse_prices(&csv).unwrap());
        // A bad row refuses the page by its index; a date out of range is a refusal, not a panic.
        let bad = page.replace("[22.5,\"2025-11-02\"", "[22.5,\"+262143-01-01\"");
        let e = parse_prices(&bad).unwrap_err();
        assert!(e.to_string().starts_with("data[1]: deliveryDate"), "{e}");
        let far = format!("{ERCOT_HEADER}\n01/01/9999,24,4,HB_WEST,HU,1,N\n");
        assert_eq!(parse_prices(&far).unwrap_err().line, 2);
        assert!(parse_prices(r#"{"data":[]}"#).is_err());
    }

    #[test]
    fn the_plain_format_takes_utc_interval_starts() {
        let text = "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,2025-08-01T20:00:00Z,812.40\nHB_WEST,2025-08-01T20:15:00Z,-3.5\n";
        let rows = parse_prices(text).unwrap();
        assert_eq!(rows[1].usd_per_mwh, -3.5);
        assert_eq!(rows[0].interval_start, utc("2025-08-01T20:00:00Z"));
        let off_grid =
            "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,2025-08-01T20:07:00Z,1\n";
        assert_eq!(parse_prices(off_grid).unwrap_err().line, 2);
        let hostile =
            "settlement_point,interval_start_utc,usd_per_mwh\n=cmd(),2025-08-01T20:00:00Z,1\n";
        assert_eq!(parse_prices(hostile).unwrap_err().line, 2);
    }
}
