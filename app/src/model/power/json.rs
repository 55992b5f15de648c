//! ERCOT's public API page of settlement point prices (`/np6-905-cd/spp_node_zone_hub`): JSON
//! whose `fields` name the columns (`deliveryDate`, `deliveryHour`, `deliveryInterval`,
//! `settlementPoint`, `settlementPointType`, `settlementPointPrice`, `DSTFlag`) and whose `data`
//! holds one positional row per price. The same rows as the posted CSV, read by name so a page
//! that orders its fields differently reads the same. Pure.

use serde::Deserialize;
use serde_json::Value;

use crate::model::power::contract::{
    check_point, ercot_date, ercot_start, fail, point_type, price, ErcotColumns, ImportError,
    IntervalPrice,
};

#[derive(Deserialize)]
struct Page {
    fields: Vec<Field>,
    data: Vec<Vec<Value>>,
    #[serde(default, rename = "_meta")]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Field {
    name: String,
}

/// The page's place in a paged answer.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default)]
    pub total_pages: Option<u32>,
    #[serde(default)]
    pub current_page: Option<u32>,
}

/// Reads one page whole (any bad row refuses it, named `data[i]`).
pub fn parse_page(text: &str) -> Result<Vec<IntervalPrice>, ImportError> {
    let page: Page = serde_json::from_str(text)
        .or_else(|e| fail(0, format!("not an ERCOT API page (fields and data): {e}")))?;
    let at = |name: &str| {
        page.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
            .map_or_else(|| fail(0, format!("fields: no {name:?}")), Ok)
    };
    let columns = ErcotColumns {
        date: at("deliveryDate")?,
        hour: at("deliveryHour")?,
        interval: at("deliveryInterval")?,
        point: at("settlementPoint").or_else(|_| at("settlementPointName"))?,
        point_type: at("settlementPointType").ok(),
        price: at("settlementPointPrice")?,
        dst: at("DSTFlag").ok(),
    };
    page.data
        .iter()
        .enumerate()
        .map(|(i, row)| {
            json_row(&columns, row).map_err(|message| ImportError {
                line: 0,
                message: format!("data[{i}]: {message}"),
            })
        })
        .collect()
}

/// Which page this is and how many there are, when the page says (`_meta`).
pub fn page_meta(text: &str) -> Option<Meta> {
    serde_json::from_str::<Page>(text).ok().and_then(|p| p.meta)
}

/// One row of a page, its fields where `layout` says.
fn json_row(layout: &ErcotColumns, row: &[Value]) -> Result<IntervalPrice, String> {
    let get = |i: usize, name: &str| row.get(i).ok_or_else(|| format!("{name} is missing"));
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let date_value = get(layout.date, "deliveryDate")?;
    let date = text(date_value)
        .as_deref()
        .and_then(ercot_date)
        .ok_or_else(|| format!("deliveryDate {date_value} is not YYYY-MM-DD"))?;
    // ERCOT's API writes hours and intervals as numbers; some pages quote them.
    let whole = |i: usize, name: &str| -> Result<i64, String> {
        let v = get(i, name)?;
        text(v)
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| format!("{name} {v} is not a whole number"))
    };
    let hour = whole(layout.hour, "deliveryHour")?;
    let interval = whole(layout.interval, "deliveryInterval")?;
    let point = get(layout.point, "settlementPoint")?
        .as_str()
        .ok_or("settlementPoint is not text")?;
    check_point(point)?;
    let kind_text = layout.point_type.and_then(|i| row.get(i)).and_then(text);
    let kind = point_type(0, kind_text.as_ref()).map_err(|e| e.message)?;
    // `DSTFlag` is a boolean in the API (true: the repeated hour), "Y"/"N" in older pages.
    let repeated = layout
        .dst
        .and_then(|i| row.get(i))
        .is_some_and(|v| match v {
            Value::Bool(b) => *b,
            Value::String(s) => s.trim().eq_ignore_ascii_case("y") || s.trim() == "true",
            _ => false,
        });
    let start = ercot_start(date, hour, interval, repeated)?;
    let price_value = get(layout.price, "settlementPointPrice")?;
    let usd = price(0, &text(price_value).unwrap_or_default()).map_err(|e| e.message)?;
    Ok(IntervalPrice {
        point: point.to_string(),
        point_type: kind,
        interval_start: start,
        usd_per_mwh: usd,
    })
}
