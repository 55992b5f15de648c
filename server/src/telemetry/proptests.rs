//! Property tests of both parsers: any input gives a value or a clear error, never a panic, and
//! well-formed input always parses to what was written.

use proptest::prelude::*;

use super::{cgminer, dcgm, lenient_json, prometheus};

/// Arbitrary JSON values (numbers kept finite, as JSON requires).
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        (-1e12f64..1e12).prop_map(|f| serde_json::json!(f)),
        "[ -~]{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[A-Za-z %]{1,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn same(a: &lenient_json::Json, b: &serde_json::Value) -> bool {
    use lenient_json::Json;
    match (a, b) {
        (Json::Null, serde_json::Value::Null) => true,
        (Json::Bool(x), serde_json::Value::Bool(y)) => x == y,
        (Json::Number(x), serde_json::Value::Number(y)) => {
            (x - y.as_f64().unwrap_or(f64::NAN)).abs() <= 1e-9 * x.abs().max(1.0)
        }
        (Json::String(x), serde_json::Value::String(y)) => x == y,
        (Json::Array(x), serde_json::Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), serde_json::Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k.as_ref()).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn lenient_json_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = lenient_json::parse(&text);
        let _ = cgminer::extract(&text);
    }

    #[test]
    fn well_formed_json_parses_to_what_was_written(v in json_value(), nul in any::<bool>()) {
        let mut text = serde_json::to_string(&v).unwrap();
        if nul {
            text.push('\0');
        }
        let parsed = lenient_json::parse(&text).unwrap();
        prop_assert!(same(&parsed, &v), "{text}");
    }

    #[test]
    fn prometheus_never_panics_on_arbitrary_text(text in "[ -~\n]{0,400}") {
        let _ = prometheus::parse(&text);
        let _ = dcgm::extract(&text);
    }

    #[test]
    fn prometheus_reads_back_any_well_formed_sample(
        name in "[a-zA-Z_][a-zA-Z0-9_]{0,20}",
        labels in prop::collection::vec(("[a-zA-Z_][a-zA-Z0-9_]{0,8}", "[ -~]{0,16}"), 0..5),
        value in -1e15f64..1e15,
        ts in prop::option::of(0i64..4_000_000_000_000),
    ) {
        let escaped: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))).collect();
        let set = if labels.is_empty() { String::new() } else { format!("{{{}}}", escaped.join(",")) };
        let line = match ts { Some(t) => format!("{name}{set} {value} {t}"), None => format!("{name}{set} {value}") };
        let samples = prometheus::parse(&format!("# HELP {name} x\n{line}\n")).unwrap();
        prop_assert_eq!(samples.len(), 1);
        prop_assert_eq!(&samples[0].name, &name);
        prop_assert_eq!(&samples[0].labels, &labels);
        prop_assert!((samples[0].value - value).abs() <= 1e-9 * value.abs().max(1.0));
        prop_assert_eq!(samples[0].timestamp_ms, ts);
    }
}
