//! A simulated Auradine on FluxOS: GCMiner's commands, with values as strings with their units
//! the way the firmware sends them (`"PowerIn": "3512.40W"`, `"FanSpeed1": "4052.00 RPM"`).

use app::model::fleet::catalogue::AsicModel;

use super::frame::{ok, Answer, Frame};

/// Hashboards numbered by `ID` from 1.
pub(super) fn devs(f: &Frame) -> Option<Answer> {
    ok(
        "3 Dev(s)",
        "DEVS",
        (0..3)
            .map(|b| {
                format!(
                    r#"{{"DEV":{id},"Enabled":true,"ID":{id},"MHS 5s":{:.1},"Name":"ASICBoard","Status":"Alive","Temperature":{:.2}}}"#,
                    f.board_ths(b) * 1e6,
                    f.board_temp - 20.0 + b as f64,
                    id = b + 1,
                )
            })
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// `psu`, `fan`, `mode`, `ipreport` and `temperature`.
pub(super) fn section(model: &AsicModel, index: usize, cmd: &str, f: &Frame) -> Option<Answer> {
    let watts = model.power_w * if f.reported > 0.0 { 0.99 } else { 0.014 };
    match cmd {
        "psu" => ok(
            "PSU status",
            "PSU",
            format!(
                r#"{{"FanSpeed1":"{:.2} RPM","FanSpeed2":"{:.2} RPM","Iin":"{:.2}A","PoutMax":"4500.00W","PowerIn":"{watts:.2}W","PowerOut":"{:.2}W","Vin":"245.00V","Vout":"11.53V"}}"#,
                4000 + index % 150,
                4100 + index % 150,
                watts / 245.0,
                if f.reported > 0.0 { watts * 0.96 } else { 0.0 },
            ),
        ),
        "fan" => ok(
            "Total fans: 4",
            "Fan",
            (1..=4)
                .map(|i| {
                    format!(
                        r#"{{"ID":{i},"Max":7700,"Speed":{},"Target":7000}}"#,
                        6900 + i * 30 + index % 100
                    )
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        "mode" => ok(
            "Operating mode: 'normal', sleep: 'false'",
            "Mode",
            format!(
                r#"{{"Mode":"custom","Power":{:.0},"Sleep":"off","Ths":{:.0}}}"#,
                model.power_w, model.hashrate_ths
            ),
        ),
        "ipreport" => ok(
            "IP Report",
            "IPReport",
            format!(
                r#"{{"SerialNo":"AU-SIM-{:05}","hostname":"teraflux-{:05}","model":"{}","version":"2025-06.18"}}"#,
                index, index, model.id
            ),
        ),
        "temperature" => ok(
            "System temperature",
            "Temperature",
            (0..=3)
                .map(|id| {
                    let chip = if id == 0 {
                        "null".to_string()
                    } else {
                        format!(r#"[{{"ID":0,"Temperature":{:.3}}}]"#, f.chip_temp - id as f64)
                    };
                    format!(r#"{{"BoardTemp":[{{"ID":0,"Temperature":{:.2}}}],"ChipTemp":{chip},"ID":{id}}}"#, f.board_temp - 25.0)
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}
