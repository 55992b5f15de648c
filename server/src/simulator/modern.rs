//! Simulated miners on the newer APIs, spoken on loopback as the real firmware does: Whatsminer
//! API v3 (length-prefixed JSON on TCP), Braiins OS's public REST API (login, then a token) and
//! AxeOS (`GET /api/system/info`). The figures are the same simulated machine's as on the
//! CGMiner path (`SimAsic`), so every protocol shows a consistent fleet.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use app::model::fleet::protocol::Protocol;

use super::asic::{Fault, SimAsic};

/// The Braiins OS token the simulator hands out (one per device, checked on every read).
fn bos_token(sim: &SimAsic) -> String {
    format!("sim-token-{:05}", sim.index)
}

/// Accepts connections for one simulated device on a newer API until the task is aborted.
pub async fn serve(listener: TcpListener, sim: SimAsic) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), answer(stream, sim)).await;
        });
    }
}

async fn answer(mut stream: TcpStream, sim: SimAsic) {
    let request = match read_request(&mut stream, sim.protocol).await {
        Some(r) => r,
        None => return,
    };
    match sim.fault {
        Fault::Dark => {
            let _ = stream.read(&mut [0u8; 64]).await;
            return;
        }
        Fault::Slow => tokio::time::sleep(Duration::from_millis(1500)).await,
        _ => {}
    }
    let out = match sim.protocol {
        Protocol::WhatsminerV3 => {
            let cmd: serde_json::Value = serde_json::from_slice(&request).unwrap_or_default();
            let body = whatsminer_v3(
                &sim,
                cmd["cmd"].as_str().unwrap_or(""),
                cmd["param"].as_str(),
            )
            .to_string();
            let mut framed = (body.len() as u32).to_le_bytes().to_vec();
            framed.extend_from_slice(body.as_bytes());
            framed
        }
        _ => {
            let text = String::from_utf8_lossy(&request);
            let (status, body) = http_answer(&sim, &text);
            format!(
                "HTTP/1.0 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
    };
    let _ = stream.write_all(&out).await;
    let _ = stream.shutdown().await;
}

/// The request's bytes: a framed JSON message, or an HTTP request with its body.
async fn read_request(stream: &mut TcpStream, protocol: Protocol) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 16 * 1024 {
            return None;
        }
        if protocol == Protocol::WhatsminerV3 {
            if buf.len() >= 4 {
                let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                if buf.len() >= 4 + len {
                    return Some(buf[4..4 + len].to_vec());
                }
            }
        } else if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Some(buf);
            }
        }
    }
}

/// One Whatsminer API v3 answer.
fn whatsminer_v3(sim: &SimAsic, cmd: &str, param: Option<&str>) -> serde_json::Value {
    let t = sim.now_s();
    let f = sim.frame(t);
    let when = t as u64;
    let power = if sim.fault.stopped() {
        12.0
    } else {
        sim.model.power_w * 0.97
    };
    let msg = match (cmd, param) {
        ("get.miner.status", Some("summary")) => json!({ "summary": {
            "elapsed": when,
            "hash-realtime": f.reported,
            "hash-average": f.reported * 0.998,
            "factory-hash": sim.model.hashrate_ths,
            "power-realtime": power,
            "power-limit": sim.model.power_w + 150.0,
            "chip-temp-max": f.chip_temp,
            "board-temperature": [f.board_temp - 20.0, f.board_temp - 21.0, f.board_temp - 19.5],
            "fan-speed-in": 5400 + sim.index % 200,
            "fan-speed-out": 5280 + sim.index % 200,
        }}),
        ("get.miner.status", Some("edevs")) => json!({ "edevs": (0..3).map(|b| json!({
            "id": b,
            "hash-realtime": f.board_ths(b),
            "effective-chips": if f.dead && b == 2 { 0 } else { 75 },
            "chip-temp-max": f.chip_temp - b as f64,
            "status": "alive",
        })).collect::<Vec<_>>() }),
        ("get.miner.status", Some("pools")) => json!({ "pools": [{
            "url": "stratum+tcp://pool.example:3333", "status": "alive",
            "stratum-active": true, "pool-priority": 0, "account": "sim.worker",
        }]}),
        ("get.device.info", _) => {
            let errors: Vec<serde_json::Value> = if sim.fault == Fault::PsuError {
                vec![
                    json!({ "264": "2026-12-07 09:19:10", "reason": "Power xfer error." }),
                    json!({ "267": "2026-12-07 09:19:11", "reason": "Power watch dog protected." }),
                ]
            } else {
                Vec::new()
            };
            json!({
                "error-code": errors,
                "miner": { "type": format!("{}_VK40", sim.model.id), "working": (!sim.fault.stopped()).to_string() },
                "system": { "api": "3.0.2", "fwversion": "20251209.16.Rel2" },
                "salt": "simsalt0",
            })
        }
        _ => return json!({ "code": -1, "msg": "invalid command", "when": when }),
    };
    json!({ "code": 0, "desc": cmd, "msg": msg, "when": when })
}

/// A Braiins OS REST or AxeOS answer: status line and JSON body.
fn http_answer(sim: &SimAsic, request: &str) -> (&'static str, String) {
    let mut words = request.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let t = sim.now_s();
    let f = sim.frame(t);
    if sim.protocol == Protocol::Axeos {
        return match (method, path) {
            ("GET", "/api/system/info") => ("200 OK", axeos_info(sim, &f).to_string()),
            _ => ("404 Not Found", "{}".into()),
        };
    }
    if (method, path) == ("POST", "/api/v1/auth/login") {
        return (
            "200 OK",
            json!({ "token": bos_token(sim), "timeout_s": 3600 }).to_string(),
        );
    }
    let authorised = request
        .lines()
        .any(|l| l.strip_prefix("Authorization: ") == Some(bos_token(sim).as_str()));
    if !authorised {
        return (
            "401 Unauthorized",
            json!({ "message": "unauthorized" }).to_string(),
        );
    }
    let gh = |ths: f64| json!({ "gigahash_per_second": ths * 1000.0 });
    let body = match path {
        "/api/v1/miner/stats" => json!({
            "miner_stats": {
                "nominal_hashrate": gh(sim.model.hashrate_ths),
                "real_hashrate": {
                    "last_5s": gh(f.reported), "last_1m": gh(f.reported * 0.999),
                    "last_24h": gh(f.reported * t.min(86_400.0) / 86_400.0),
                    "since_restart": gh(f.reported * 0.998),
                },
            },
            "pool_stats": { "accepted_shares": f.accepted, "rejected_shares": f.rejected },
            "power_stats": { "approximated_consumption": { "watt": (sim.model.power_w * 0.98).round() } },
        }),
        "/api/v1/miner/details" => json!({
            "bos_version": { "current": "2026-04-14-0-sim-26.04-plus" },
            "bosminer_uptime_s": t as u64,
            "miner_identity": { "miner_model": sim.model.name },
            "serial_number": format!("SIM{:09}", sim.index),
        }),
        "/api/v1/cooling/state" => json!({
            "fans": (0..4).map(|i| json!({ "position": i, "rpm": 5900 + i * 10 + sim.index % 50 })).collect::<Vec<_>>(),
            "highest_temperature": { "temperature": { "degree_c": f.chip_temp } },
        }),
        "/api/v1/miner/hw/hashboards" => json!({ "hashboards": (0..3).map(|b| json!({
            "id": (b + 1).to_string(),
            "chips_count": if f.dead && b == 2 { 0 } else { 65 },
            "highest_chip_temp": { "temperature": { "degree_c": f.chip_temp - b as f64 } },
            "stats": { "real_hashrate": { "last_5s": gh(f.board_ths(b)) } },
        })).collect::<Vec<_>>() }),
        "/api/v1/miner/errors" => json!({ "errors": [] }),
        "/api/v1/performance/tuner-state" => json!({
            "mode_state": { "powertargetmodestate": { "current_target": { "watt": sim.model.power_w } } },
        }),
        "/api/v1/pools" => json!([{ "name": "Default", "pools": [{
            "active": true, "alive": true, "url": "stratum+tcp://pool.example:3333",
        }]}]),
        _ => return ("404 Not Found", "{}".into()),
    };
    ("200 OK", body.to_string())
}

/// AxeOS `system/info` of a simulated open-hardware board.
fn axeos_info(sim: &SimAsic, f: &super::frame::Frame) -> serde_json::Value {
    json!({
        "ASICModel": "BM1370",
        "hashRate": f.reported * 1000.0,
        "power": sim.model.power_w * 0.95,
        "temp": f.chip_temp - 5.0,
        "vrTemp": f.board_temp,
        "fanrpm": 3500 + sim.index % 100,
        "uptimeSeconds": f.t as u64,
        "sharesAccepted": f.accepted,
        "sharesRejected": f.rejected,
        "bestDiff": "483k",
        "stratumURL": "pool.example",
        "stratumPort": 3333,
        "version": "v2.9.0-sim",
        "overheat_mode": 0,
    })
}
