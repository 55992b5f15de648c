//! A simulated ASIC: answers `summary`, `stats`, `summary+stats`, `devs`, `pools`, `version`
//! the way its maker's firmware does (Bitmain: GHS fields, string numbers, duplicate `temp1`,
//! trailing NUL; MicroBT: MHS fields, temperature and power in the summary).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use app::model::catalogue::AsicModel;
use app::model::chain::HASHES_PER_DIFFICULTY;

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
}

#[derive(Debug, Clone, Copy)]
pub struct SimAsic {
    pub index: usize,
    pub model: &'static AsicModel,
    pub fault: Fault,
    pub epoch: Instant,
}

/// Pool share difficulty: accepted difficulty grows in these steps.
const SHARE_DIFFICULTY: f64 = 65_536.0;

impl SimAsic {
    /// Hashes per second actually done at `t` seconds (a slow ±2 % drift per device).
    fn true_ths(&self, t: f64) -> f64 {
        let drift = 1.0 + 0.02 * (t / 90.0 + self.index as f64).sin();
        let boards = if self.fault == Fault::DeadBoard {
            2.0 / 3.0
        } else {
            1.0
        };
        self.model.hashrate_ths * drift * boards
    }

    fn reported_ths(&self, t: f64) -> f64 {
        self.true_ths(t)
            * if self.fault == Fault::OverReport {
                1.3
            } else {
                1.0
            }
    }

    /// Difficulty accepted since start: the work really done, in whole shares.
    fn difficulty_accepted(&self, t: f64) -> f64 {
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

    fn temps(&self, t: f64) -> (f64, f64) {
        let base = 62.0 + 4.0 * (t / 300.0 + self.index as f64 * 0.7).sin();
        if self.fault == Fault::OverTemp {
            (base + 20.0, 92.0)
        } else {
            (base, base + 9.0)
        }
    }

    pub fn response(&self, command: &str) -> String {
        let t = self.epoch.elapsed().as_secs_f64() + 3600.0 + self.index as f64;
        let mut parts = Vec::new();
        for cmd in command.split('+') {
            if let Some(p) = self.section(cmd, t) {
                parts.push((cmd.to_string(), p));
            }
        }
        if parts.is_empty() {
            return r#"{"STATUS":[{"STATUS":"E","When":0,"Code":14,"Msg":"Invalid command","Description":"sim"}],"id":1}"#.to_string();
        }
        let bitmain = self.model.maker == "Bitmain";
        let body = if parts.len() == 1 {
            parts.pop().expect("one part").1
        } else {
            let joined: Vec<String> = parts
                .iter()
                .map(|(c, p)| format!("\"{c}\":[{p}]"))
                .collect();
            format!("{{{},\"id\":1}}", joined.join(","))
        };
        if bitmain {
            format!("{body}\0")
        } else {
            body
        }
    }

    fn section(&self, cmd: &str, t: f64) -> Option<String> {
        let bitmain = self.model.maker == "Bitmain";
        let status = |msg: &str| {
            format!(
                r#""STATUS":[{{"STATUS":"S","When":{},"Code":11,"Msg":"{msg}","Description":"sim"}}]"#,
                t as u64
            )
        };
        let reported = self.reported_ths(t);
        let diff = self.difficulty_accepted(t);
        let (board_temp, chip_temp) = self.temps(t);
        Some(match cmd {
            "summary" if bitmain => format!(
                r#"{{{},"SUMMARY":[{{"Elapsed":{},"GHS 5s":"{:.2}","GHS av":{:.2},"Accepted":"{:.4}","Rejected":{},"Hardware Errors":{},"Difficulty Accepted":{:.1},"Device Rejected%%":0.0012}}],"id":1}}"#,
                status("Summary"),
                t as u64,
                reported * 1000.0,
                reported * 1000.0 * 0.998,
                diff / SHARE_DIFFICULTY,
                (diff / SHARE_DIFFICULTY / 900.0) as u64,
                self.index % 13,
                diff
            ),
            "summary" => format!(
                r#"{{{},"SUMMARY":[{{"Elapsed":{},"MHS av":{:.2},"MHS 5s":{:.2},"Accepted":{},"Rejected":{},"Temperature":{:.1},"Fan Speed In":{},"Fan Speed Out":{},"Power":{:.0},"Difficulty Accepted":{:.1}}}],"id":1}}"#,
                status("Summary"),
                t as u64,
                reported * 1e6 * 0.998,
                reported * 1e6,
                (diff / SHARE_DIFFICULTY) as u64,
                (diff / SHARE_DIFFICULTY / 900.0) as u64,
                chip_temp,
                4200 + self.index % 300,
                4300 + self.index % 300,
                self.model.power_w,
                diff
            ),
            "stats" => {
                let per_board = self.true_ths(t)
                    * if self.fault == Fault::OverReport {
                        1.3
                    } else {
                        1.0
                    }
                    / if self.fault == Fault::DeadBoard {
                        2.0
                    } else {
                        3.0
                    }
                    * 1000.0;
                let dead = self.fault == Fault::DeadBoard;
                format!(
                    r#"{{{},"STATS":[{{"BMMiner":"1.0.0","Miner":"sim","CompileTime":"Mon Jan 1 2024","Type":"{}"}},{{"STATS":0,"Elapsed":{},"fan1":{},"fan2":{},"temp1":{:.0},"temp1":{:.0},"temp2":{:.0},"temp2_1":{:.0},"temp2_2":{:.0},"temp2_3":{:.0},"chain_acn1":108,"chain_acn2":108,"chain_acn3":{},"chain_rate1":"{:.2}","chain_rate2":"{:.2}","chain_rate3":"{:.2}"}}],"id":1}}"#,
                    status("CGMiner stats"),
                    self.model.name,
                    t as u64,
                    5800 + self.index % 200,
                    5700 + self.index % 200,
                    board_temp,
                    board_temp + 1.0,
                    board_temp + 2.0,
                    chip_temp,
                    chip_temp + 1.0,
                    chip_temp - 1.0,
                    if dead { 0 } else { 108 },
                    per_board,
                    per_board,
                    if dead { 0.0 } else { per_board }
                )
            }
            "devs" => format!(
                r#"{{{},"DEVS":[{{"ASC":0,"Temperature":{:.1},"MHS 5s":{:.0}}}],"id":1}}"#,
                status("1 ASC(s)"),
                chip_temp,
                reported * 1e6
            ),
            "pools" => format!(
                r#"{{{},"POOLS":[{{"POOL":0,"URL":"stratum+tcp://pool.example:3333","Status":"Alive","Difficulty Accepted":{diff:.1}}}],"id":1}}"#,
                status("1 Pool(s)")
            ),
            "version" => format!(
                r#"{{{},"VERSION":[{{"CGMiner":"4.11.1","API":"3.7","Type":"{}","Firmware":"sim-{}"}}],"id":1}}"#,
                status("CGMiner versions"),
                self.model.name,
                if bitmain { "bmminer" } else { "btminer" }
            ),
            _ => return None,
        })
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
    use crate::telemetry::cgminer::extract;

    fn sim(model: &'static str, fault: Fault) -> SimAsic {
        SimAsic {
            index: 1,
            model: app::model::catalogue::asic(model).unwrap(),
            fault,
            epoch: Instant::now(),
        }
    }

    #[test]
    fn both_firmware_flavours_parse_back_to_their_nameplate() {
        for model in ["S21", "M60S"] {
            let r = extract(&sim(model, Fault::None).response("summary+stats")).unwrap();
            let np = app::model::catalogue::asic(model).unwrap().hashrate_ths;
            assert!(
                (r.hashrate_ths / np - 1.0).abs() < 0.03,
                "{model}: {}",
                r.hashrate_ths
            );
            assert!(r.difficulty_accepted.unwrap() > 0.0);
        }
    }

    #[test]
    fn faults_show_in_the_answer() {
        let dead = extract(&sim("S21", Fault::DeadBoard).response("summary+stats")).unwrap();
        assert_eq!(dead.boards.iter().filter(|b| b.chips == Some(0)).count(), 1);
        let hot = extract(&sim("S21", Fault::OverTemp).response("summary+stats")).unwrap();
        assert!(hot.boards.iter().any(|b| b.temp_c.unwrap_or(0.0) > 85.0));
        let liar = sim("S21", Fault::OverReport);
        let r = extract(&liar.response("summary")).unwrap();
        assert!(r.hashrate_ths > 250.0);
        assert!(extract(&liar.response("nonsense")).is_err());
    }
}
