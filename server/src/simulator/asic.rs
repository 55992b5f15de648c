//! A simulated ASIC: answers `summary`, `stats`, `devs`, `pools`, `version`, `devdetails`,
//! `temps`, `fans`, `tunerstatus`, `power` and their `+` joins the way its firmware family does
//! (stock Antminer: GHS fields, string numbers, duplicate `temp1`, trailing NUL; VNish and
//! LuxOS: the same with their own names; Braiins OS: boards by `ID`, temps, fans and tuner
//! power; Whatsminer: MHS, temperature and power in the summary, refuses `stats`/`version`;
//! Avalon: `MM ID` status strings), with the device's fault built in.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use app::model::fleet::catalogue::AsicModel;
use app::model::mining::chain::HASHES_PER_DIFFICULTY;

use super::frame::{ok, Answer, Frame};
use crate::telemetry::firmware::Family;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Board 2 has no chips: a third of the hashrate is gone.
    DeadBoard,
    /// Chips at 92 °C.
    OverTemp,
    /// Accepts connections and never answers.
    Dark,
    /// Reports 30 % more than it hashes.
    OverReport,
    /// Answers after 1.5 s.
    Slow,
    /// Stopped by the firmware's protection (LuxOS: NOPIC): hashes nothing, says why.
    Nopic,
    /// Its power supply failed (Whatsminer: PSU error codes): hashes nothing, says why.
    PsuError,
}

impl Fault {
    /// True when the fault stops the machine hashing.
    pub fn stopped(self) -> bool {
        matches!(self, Fault::Nopic | Fault::PsuError)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SimAsic {
    pub index: usize,
    pub model: &'static AsicModel,
    pub fault: Fault,
    pub epoch: Instant,
    /// The firmware it speaks (its model's maker decides what is possible).
    pub family: Family,
    /// The API it is read over (the CGMiner family's, or one of the newer ones).
    pub protocol: app::model::fleet::protocol::Protocol,
}

/// The firmware simulated device `index` of `model` runs: MicroBT machines run btminer and
/// Canaan's their own; Antminers mostly stock firmware, some Braiins OS, LuxOS or VNish, as
/// in real fleets where aftermarket firmware is common.
pub fn family_for(index: usize, model: &AsicModel) -> Family {
    match model.maker {
        "MicroBT" => Family::Whatsminer,
        "Canaan" => Family::Avalon,
        "Auradine" => Family::FluxOs,
        _ => match index % 10 {
            3 => Family::BraiinsOs,
            5 => Family::LuxOs,
            8 => Family::Vnish,
            _ => Family::Antminer,
        },
    }
}

/// Pool share difficulty: accepted difficulty grows in these steps.
const SHARE_DIFFICULTY: f64 = 65_536.0;

impl SimAsic {
    /// Hashes per second actually done at `t` seconds (a slow ±2 % drift per device).
    pub(super) fn true_ths(&self, t: f64) -> f64 {
        if self.fault.stopped() {
            return 0.0;
        }
        let drift = 1.0 + 0.02 * (t / 90.0 + self.index as f64).sin();
        let boards = if self.fault == Fault::DeadBoard {
            2.0 / 3.0
        } else {
            1.0
        };
        self.model.hashrate_ths * drift * boards
    }

    pub(super) fn reported_ths(&self, t: f64) -> f64 {
        self.true_ths(t)
            * if self.fault == Fault::OverReport {
                1.3
            } else {
                1.0
            }
    }

    /// Difficulty accepted since start: the work really done, in whole shares.
    pub(super) fn difficulty_accepted(&self, t: f64) -> f64 {
        let hashes = self.model.hashrate_ths
            * 1e12
            * t
            * if self.fault == Fault::DeadBoard {
                2.0 / 3.0
            } else {
                1.0
            };
        (hashes / HASHES_PER_DIFFICULTY / SHARE_DIFFICULTY).floor() * SHARE_DIFFICULTY
    }

    pub(super) fn temps(&self, t: f64) -> (f64, f64) {
        let base = 62.0 + 4.0 * (t / 300.0 + self.index as f64 * 0.7).sin();
        if self.fault == Fault::OverTemp {
            (base + 20.0, 92.0)
        } else {
            (base, base + 9.0)
        }
    }

    /// Seconds since the device "started" (an hour before the simulator, staggered).
    pub(super) fn now_s(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() + 3600.0 + self.index as f64
    }

    pub fn response(&self, command: &str) -> String {
        let t = self.now_s();
        let parts: Vec<(&str, String)> = command
            .split('+')
            .map(|cmd| (cmd, self.section(cmd, t)))
            .collect();
        let body = if parts.len() == 1 {
            parts.into_iter().next().expect("one part").1
        } else {
            let joined: Vec<String> = parts
                .iter()
                .map(|(c, p)| format!("\"{c}\":[{p}]"))
                .collect();
            format!("{{{},\"id\":1}}", joined.join(","))
        };
        // Bitmain's bmminer ends its answers with a NUL byte.
        if matches!(self.family, Family::Antminer | Family::Vnish) {
            format!("{body}\0")
        } else {
            body
        }
    }

    /// One command's answer (a whole `{"STATUS":…,"SECTION":[…],"id":1}` object) in the
    /// family's own dialect; commands the family does not know get its error status.
    fn section(&self, cmd: &str, t: f64) -> String {
        let f = self.frame(t);
        let answer = match cmd {
            "summary" => self.summary_section(&f),
            "stats" => self.stats_section(&f),
            "version" => self.version_section(),
            "devs" => self.devs_section(&f),
            "devdetails" => self.devdetails_section(&f),
            "temps" => self.temps_section(&f),
            "fans" => self.fans_section(),
            "tunerstatus" => self.tunerstatus_section(),
            "power" => self.power_section(),
            "pools" => self.pools_section(&f),
            "events" => self.events_section(),
            "psu" | "fan" | "mode" | "ipreport" | "temperature"
                if self.family == Family::FluxOs =>
            {
                super::fluxos::section(self.model, self.index, cmd, &f)
            }
            _ => None,
        };
        match answer {
            Some((msg, name, items)) => format!(
                r#"{{"STATUS":[{{"STATUS":"S","When":{},"Code":11,"Msg":"{msg}","Description":"{}"}}],"{name}":[{items}],"id":1}}"#,
                t as u64,
                // FluxOS names itself in every status (its sections carry no version key).
                if self.family == Family::FluxOs {
                    "FluxOS-2025-06.18-sim"
                } else {
                    "sim"
                }
            ),
            None => format!(
                r#"{{"STATUS":[{{"STATUS":"E","When":{},"Code":14,"Msg":"invalid cmd","Description":""}}],"id":1}}"#,
                t as u64
            ),
        }
    }

    /// The figures every section of one answer shares, at time `t`.
    pub(super) fn frame(&self, t: f64) -> Frame {
        let reported = self.reported_ths(t);
        let diff = self.difficulty_accepted(t);
        let (board_temp, chip_temp) = self.temps(t);
        let dead = self.fault == Fault::DeadBoard;
        let accepted = (diff / SHARE_DIFFICULTY) as u64;
        Frame {
            t,
            reported,
            diff,
            board_temp,
            chip_temp,
            dead,
            // Per hashboard, as reported (an over-reporting device inflates its boards too).
            per_board: reported / if dead { 2.0 } else { 3.0 },
            accepted,
            rejected: accepted / 900,
        }
    }

    /// `summary` in the family's dialect (`None`: the family refuses it).
    fn summary_section(&self, f: &Frame) -> Option<Answer> {
        let Frame {
            t,
            reported,
            diff,
            chip_temp,
            accepted,
            rejected,
            ..
        } = *f;
        match self.family {
            Family::Antminer | Family::Vnish | Family::LuxOs => ok(
                "Summary",
                "SUMMARY",
                format!(
                    r#"{{"Elapsed":{},"GHS 5s":"{:.2}","GHS av":{:.2},"Accepted":"{accepted}","Rejected":{rejected},"Hardware Errors":{},"Difficulty Accepted":{diff:.1},"Device Rejected%%":0.0012}}"#,
                    t as u64,
                    reported * 1000.0,
                    reported * 1000.0 * 0.998,
                    self.index % 13,
                ),
            ),
            Family::Whatsminer => ok(
                "Summary",
                "SUMMARY",
                format!(
                    r#"{{"Elapsed":{},"MHS av":{:.2},"MHS 5s":{:.2},"Accepted":{accepted},"Rejected":{rejected},"Temperature":{chip_temp:.1},"Fan Speed In":{},"Fan Speed Out":{},"Power":{:.0},"Power Mode":"Normal","Difficulty Accepted":{diff:.1},"Firmware Version":"'20240521.16.REL'"}}"#,
                    t as u64,
                    reported * 1e6 * 0.998,
                    reported * 1e6,
                    4200 + self.index % 300,
                    4300 + self.index % 300,
                    self.model.power_w,
                ),
            ),
            Family::BraiinsOs | Family::Avalon | Family::FluxOs => ok(
                "Summary",
                "SUMMARY",
                format!(
                    r#"{{"Elapsed":{},"MHS av":{:.2},"MHS 5s":{:.2},"MHS 1m":{:.2},"Accepted":{accepted},"Rejected":{rejected},"Hardware Errors":{},"Difficulty Accepted":{diff:.1}}}"#,
                    t as u64,
                    reported * 1e6 * 0.998,
                    reported * 1e6,
                    reported * 1e6 * 0.999,
                    self.index % 13,
                ),
            ),
        }
    }

    /// `stats` in the family's dialect (`None`: the family refuses it).
    fn stats_section(&self, f: &Frame) -> Option<Answer> {
        let fam = self.family;
        let Frame {
            t,
            reported,
            board_temp,
            chip_temp,
            ..
        } = *f;
        let name = self.model.name;
        let board_ths = |b: usize| f.board_ths(b);
        let chips = |b: usize| f.chips(b, self.chips_per_board());
        match fam {
            Family::Antminer | Family::Vnish | Family::LuxOs => {
                let head = match fam {
                    Family::Vnish => format!(
                        r#""BMMiner":"1.0.0","Miner":"uart_trans.1.3","Type":"{name} (vnish 1.2.6)""#
                    ),
                    Family::LuxOs => {
                        format!(r#""LUXminer":"2024.10.2.134812-sim","Type":"{name}""#)
                    }
                    _ => format!(
                        r#""BMMiner":"2.0.0","Miner":"uart_trans.1.3","CompileTime":"Thu Mar 28 2024","Type":"{name}""#
                    ),
                };
                ok(
                    "CGMiner stats",
                    "STATS",
                    format!(
                        r#"{{{head}}},{{"STATS":0,"Elapsed":{},"fan1":{},"fan2":{},"temp1":{board_temp:.0},"temp1":{:.0},"temp2":{:.0},"temp2_1":{chip_temp:.0},"temp2_2":{:.0},"temp2_3":{:.0},"chain_acn1":{},"chain_acn2":{},"chain_acn3":{},"chain_rate1":"{:.2}","chain_rate2":"{:.2}","chain_rate3":"{:.2}"}}"#,
                        t as u64,
                        5800 + self.index % 200,
                        5700 + self.index % 200,
                        board_temp + 1.0,
                        board_temp + 2.0,
                        chip_temp + 1.0,
                        chip_temp - 1.0,
                        chips(0),
                        chips(1),
                        chips(2),
                        board_ths(0) * 1000.0,
                        board_ths(1) * 1000.0,
                        board_ths(2) * 1000.0,
                    ),
                )
            }
            Family::Avalon => ok(
                "CGMiner stats",
                "STATS",
                format!(
                    r#"{{"STATS":0,"ID":"AVA100","Elapsed":{},"MM ID0":"Ver[1566-24102401_25462b2_9ddf522] Elapsed[{}] Temp[{:.0}] TMax[{:.0}] TAvg[{:.0}] Fan1[{}] Fan2[{}] FanR[49%] PS[0 1209 1187 297 3526 1188 {:.0}] WALLPOWER[{:.0}] GHSspd[{:.2}] GHSavg[{:.2}] MGHS[{:.2} {:.2} {:.2}] MTmax[{:.0} {:.0} {:.0}] MTavg[{:.0} {:.0} {:.0}] WORKMODE[1]","MM Count":1}}"#,
                    t as u64,
                    t as u64,
                    board_temp - 30.0,
                    chip_temp + 1.0,
                    chip_temp - 6.0,
                    4200 + self.index % 200,
                    4210 + self.index % 200,
                    self.model.power_w,
                    self.model.power_w,
                    reported * 1000.0,
                    reported * 1000.0 * 0.998,
                    board_ths(0) * 1000.0,
                    board_ths(1) * 1000.0,
                    board_ths(2) * 1000.0,
                    chip_temp,
                    chip_temp + 1.0,
                    chip_temp - 1.0,
                    chip_temp - 7.0,
                    chip_temp - 6.0,
                    chip_temp - 8.0,
                ),
            ),
            Family::BraiinsOs => ok(
                "CGMiner stats",
                "STATS",
                format!(r#"{{"STATS":0,"ID":"BOSminer0","Elapsed":{}}}"#, t as u64),
            ),
            _ => None,
        }
    }

    /// `version` in the family's dialect (`None`: the family refuses it).
    fn version_section(&self) -> Option<Answer> {
        let name = self.model.name;
        match self.family {
            Family::Antminer => ok(
                "CGMiner versions",
                "VERSION",
                format!(r#"{{"BMMiner":"2.0.0","API":"3.1","Miner":"uart_trans.1.3","Type":"{name}"}}"#),
            ),
            Family::Vnish => ok(
                "CGMiner versions",
                "VERSION",
                format!(r#"{{"BMMiner":"1.0.0","API":"3.1","Type":"{name} (vnish 1.2.6)"}}"#),
            ),
            Family::LuxOs => ok(
                "LUXminer versions",
                "VERSION",
                format!(r#"{{"API":"3.7","LUXminer":"2024.10.2.134812-sim","Type":"{name}"}}"#),
            ),
            Family::BraiinsOs => ok(
                "BOSer versions",
                "VERSION",
                r#"{"API":"3.7","BOSminer":"0.1.0-sim"}"#.into(),
            ),
            Family::FluxOs => ok(
                "GCMiner versions",
                "VERSION",
                r#"{"API":"1.0","GCMiner":"0.5"}"#.into(),
            ),
            Family::Avalon => ok(
                "CGMiner versions",
                "VERSION",
                r#"{"CGMiner":"4.11.1","API":"3.7","PROD":"AvalonMiner 1566","MODEL":"1566","VERSION":"24102401_25462b2_9ddf522"}"#.into(),
            ),
            _ => None,
        }
    }

    /// `devs` in the family's dialect (`None`: the family refuses it).
    fn devs_section(&self, f: &Frame) -> Option<Answer> {
        let Frame {
            reported,
            board_temp,
            chip_temp,
            ..
        } = *f;
        let board_ths = |b: usize| f.board_ths(b);
        let chips = |b: usize| f.chips(b, self.chips_per_board());
        match self.family {
            Family::FluxOs => super::fluxos::devs(f),
            Family::BraiinsOs => ok(
                "3 ASC(s)",
                "DEVS",
                (0..3)
                    .map(|b| {
                        format!(
                            r#"{{"ASC":{b},"Name":"BC50","ID":{},"Enabled":"Y","Status":"Alive","Temperature":0.0,"MHS av":{:.1},"MHS 5s":{:.1}}}"#,
                            b + 1,
                            board_ths(b) * 1e6 * 0.998,
                            board_ths(b) * 1e6
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Family::Whatsminer => ok(
                "3 ASC(s)",
                "DEVS",
                (0..3)
                    .map(|b| {
                        format!(
                            r#"{{"ASC":{b},"Slot":{b},"Enabled":"Y","Status":"Alive","Temperature":{:.1},"MHS av":{:.1},"MHS 5s":{:.1},"Chip Temp Max":{:.2},"Effective Chips":{}}}"#,
                            board_temp,
                            board_ths(b) * 1e6 * 0.998,
                            board_ths(b) * 1e6,
                            chip_temp - b as f64 * 0.5,
                            chips(b)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => ok(
                "1 ASC(s)",
                "DEVS",
                format!(r#"{{"ASC":0,"Temperature":{chip_temp:.1},"MHS 5s":{:.0}}}"#, reported * 1e6),
            ),
        }
    }

    /// `devdetails` in the family's dialect (`None`: the family refuses it).
    fn devdetails_section(&self, f: &Frame) -> Option<Answer> {
        let name = self.model.name;
        let chips = |b: usize| f.chips(b, self.chips_per_board());
        match self.family {
            Family::BraiinsOs => ok(
                "Device Details",
                "DEVDETAILS",
                (0..3)
                    .map(|b| {
                        format!(
                            r#"{{"DEVDETAILS":{b},"ID":{},"Driver":"","Model":"{name}","Chips":{}}}"#,
                            b + 1,
                            chips(b)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Family::Whatsminer => ok(
                "Device Details",
                "DEVDETAILS",
                (0..3)
                    .map(|b| {
                        format!(
                            r#"{{"DEVDETAILS":{b},"Name":"SM","ID":{b},"Driver":"bitmicro","Model":"{}.VK30"}}"#,
                            self.model.id
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        }
    }

    /// `temps` in the family's dialect (`None`: the family refuses it).
    fn temps_section(&self, f: &Frame) -> Option<Answer> {
        let Frame {
            board_temp,
            chip_temp,
            ..
        } = *f;
        match self.family {
            Family::BraiinsOs => ok(
                "3 Temp(s)",
                "TEMPS",
                (0..3)
                    .map(|b| {
                        format!(
                            r#"{{"TEMPS":{b},"ID":{},"Board":{:.1},"Chip":{:.1}}}"#,
                            b + 1,
                            board_temp + b as f64,
                            chip_temp - b as f64
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        }
    }

    /// `fans` in the family's dialect (`None`: the family refuses it).
    fn fans_section(&self) -> Option<Answer> {
        match self.family {
            Family::BraiinsOs => ok(
                "4 Fan(s)",
                "FANS",
                (0..4)
                    .map(|f| {
                        format!(
                            r#"{{"FANS":{f},"ID":{f},"RPM":{},"Speed":40}}"#,
                            3400 + f * 20 + self.index % 50
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        }
    }

    /// `tunerstatus` in the family's dialect (`None`: the family refuses it).
    fn tunerstatus_section(&self) -> Option<Answer> {
        match self.family {
            Family::BraiinsOs => ok(
                "Tuner Status",
                "TUNERSTATUS",
                format!(
                    r#"{{"PowerLimit":{:.0},"ApproximateMinerPowerConsumption":{:.0}}}"#,
                    self.model.power_w + 100.0,
                    self.model.power_w * 0.97
                ),
            ),
            _ => None,
        }
    }

    /// `power` in the family's dialect (`None`: the family refuses it).
    fn power_section(&self) -> Option<Answer> {
        match self.family {
            Family::LuxOs => ok(
                "Power",
                "POWER",
                // Stopped by protection, the controller and fans draw next to nothing.
                format!(
                    r#"{{"PSU":true,"Watts":{:.0}}}"#,
                    if self.fault.stopped() {
                        96.0
                    } else {
                        self.model.power_w * 0.98
                    }
                ),
            ),
            _ => None,
        }
    }

    /// LuxOS `events`: why the machine is not hashing, with the documentation link.
    fn events_section(&self) -> Option<Answer> {
        if self.family != Family::LuxOs {
            return None;
        }
        let events = if self.fault == Fault::Nopic {
            r#"{"Code":"NOPIC_PROTECTION","CreatedAt":"2026-01-01T00:00:00+00:00","Description":"Miner shutdown due to NOPIC protection.","DocUrl":"https://docs.luxor.tech/firmware/kb/eventstroubleshooting#nopic-protection","Target":"MINER"}"#
        } else {
            ""
        };
        ok("Miner Events", "EVENTS", events.to_string())
    }

    /// `pools` in the family's dialect (`None`: the family refuses it).
    fn pools_section(&self, f: &Frame) -> Option<Answer> {
        let Frame { diff, .. } = *f;
        match self.family {
            _ => ok(
                "1 Pool(s)",
                "POOLS",
                format!(
                    r#"{{"POOL":0,"URL":"stratum+tcp://pool.example:3333","Status":"Alive","Difficulty Accepted":{diff:.1}}}"#
                ),
            ),
        }
    }

    fn chips_per_board(&self) -> u32 {
        match self.model.maker {
            "MicroBT" => 156,
            "Canaan" => 160,
            _ => 108,
        }
    }
}

/// Accepts connections for one simulated ASIC until the task is aborted.
pub async fn serve(listener: TcpListener, sim: SimAsic) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(answer(stream, sim));
    }
}

async fn answer(mut stream: TcpStream, sim: SimAsic) {
    let mut buf = Vec::with_capacity(128);
    let mut chunk = [0u8; 512];
    // Read the request: a JSON object (or a plain `command|param` line).
    let read = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.contains(&b'}') || buf.contains(&b'\n') || buf.len() > 4096 {
                        break;
                    }
                }
            }
        }
    })
    .await;
    if read.is_err() {
        return;
    }
    match sim.fault {
        Fault::Dark => {
            // Hold the connection open and say nothing until the client gives up.
            let _ = stream.read(&mut chunk).await;
            return;
        }
        Fault::Slow => tokio::time::sleep(Duration::from_millis(1500)).await,
        _ => {}
    }
    let text = String::from_utf8_lossy(&buf);
    let command = serde_json::from_str::<serde_json::Value>(text.trim_end_matches('\0'))
        .ok()
        .and_then(|v| {
            v.get("command")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| text.split('|').next().unwrap_or("").trim().to_string());
    let _ = stream.write_all(sim.response(&command).as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::cgminer::{extract, extract_as};
    use crate::telemetry::firmware::IDENTIFY_COMMAND;

    fn sim(model: &'static str, fault: Fault, family: Family) -> SimAsic {
        SimAsic {
            index: 1,
            model: app::model::fleet::catalogue::asic(model).unwrap(),
            fault,
            epoch: Instant::now(),
            family,
            protocol: app::model::fleet::protocol::Protocol::Cgminer,
        }
    }

    /// Every family the simulator speaks, on a machine it runs on.
    fn every_family() -> Vec<(&'static str, Family)> {
        vec![
            ("S21", Family::Antminer),
            ("S19jPro", Family::Vnish),
            ("S19XP", Family::LuxOs),
            ("S21Pro", Family::BraiinsOs),
            ("M60S", Family::Whatsminer),
            ("A1566", Family::Avalon),
            ("AT2880", Family::FluxOs),
        ]
    }

    #[test]
    fn every_family_parses_back_to_its_nameplate_model_and_firmware() {
        for (model, family) in every_family() {
            let s = sim(model, Fault::None, family);
            // First poll: asked what it is. Then: its own command.
            for command in [IDENTIFY_COMMAND, family.command()] {
                let (r, seen) = extract_as(
                    &s.response(command),
                    (command != IDENTIFY_COMMAND).then_some(family),
                )
                .unwrap_or_else(|e| panic!("{model} {family:?} {command}: {e}"));
                assert_eq!(seen, family, "{model} {command}");
                let np = app::model::fleet::catalogue::asic(model).unwrap();
                assert!(
                    (r.hashrate_ths / np.hashrate_ths - 1.0).abs() < 0.03,
                    "{model}: {}",
                    r.hashrate_ths
                );
                assert!(r.difficulty_accepted.unwrap() > 0.0);
                let named = r
                    .model
                    .as_deref()
                    .and_then(app::model::fleet::catalogue::identify_asic);
                // Asked what it is, Whatsminer, Braiins OS and FluxOS answer without their model
                // (it comes with their own command, from the next poll).
                if command == family.command()
                    || !matches!(
                        family,
                        Family::Whatsminer | Family::BraiinsOs | Family::FluxOs
                    )
                {
                    assert_eq!(
                        named.map(|m| m.id),
                        Some(model),
                        "{model} {command}: {:?}",
                        r.model
                    );
                }
                assert_eq!(
                    r.firmware.as_deref().and_then(Family::from_firmware),
                    Some(family),
                    "{model}: {:?}",
                    r.firmware
                );
            }
        }
    }

    #[test]
    fn faults_show_in_every_familys_answer() {
        use app::model::fleet::devices::DeviceStatus;
        use app::model::fleet::diagnosis::asic_status;
        use app::model::fleet::reason::ReasonCode;
        for (model, family) in every_family() {
            let np = app::model::fleet::catalogue::asic(model)
                .unwrap()
                .hashrate_ths;
            let read = |fault| {
                extract_as(
                    &sim(model, fault, family).response(family.command()),
                    Some(family),
                )
                .unwrap()
                .0
            };
            let (status, why) = asic_status(&read(Fault::DeadBoard), Some(np));
            assert_eq!(
                status,
                DeviceStatus::Degraded,
                "{model} {family:?} dead board"
            );
            assert_eq!(
                why.map(|r| r.code()),
                Some(ReasonCode::HashboardDown),
                "{model} {family:?}"
            );
            let (status, why) = asic_status(&read(Fault::OverTemp), Some(np));
            assert_eq!(
                why.as_ref().map(|r| r.code()),
                Some(ReasonCode::OverTemperature),
                "{model} {family:?}"
            );
            assert_eq!(
                status,
                DeviceStatus::Degraded,
                "{model} {family:?} hot: {why:?}"
            );
            let (status, _) = asic_status(&read(Fault::None), Some(np));
            assert_eq!(status, DeviceStatus::Online, "{model} {family:?}");
            assert!(read(Fault::OverReport).hashrate_ths > np * 1.2);
        }
        assert!(extract(&sim("S21", Fault::None, Family::Antminer).response("nonsense")).is_err());
    }
}
