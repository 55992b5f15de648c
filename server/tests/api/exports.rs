//! CSV exports carry text that operators and devices wrote; a spreadsheet must not read any of
//! it as a formula (OWASP's CSV injection: a cell starting with `=`, `+`, `-`, `@`, TAB or CR).

use std::time::Duration;

use app::api::auth::Role;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::support::{day, wait_until, TestApp};

/// One hostile text per trigger, each with a marker to find its cell by.
fn payloads(prefix: &str) -> Vec<(String, String)> {
    ["=", "+", "-", "@", "\t", "\r"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let marker = format!("{prefix}{i}X");
            (
                format!("{t}HYPERLINK(\"https://evil.example\",\"{marker}\")"),
                marker,
            )
        })
        .collect()
}

/// The cells of a CSV text (RFC 4180 quoting).
fn cells(csv: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, csv.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',' | '\n', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Every hostile text is in the export as stored (`stored`: titles and reported models are
/// trimmed, so a leading TAB or CR is gone before any export), and no cell holding one starts
/// with a formula trigger: those that would are led by the defusing quote.
fn assert_defused(csv: &str, hostile: &[(String, String)], stored: fn(&str) -> String, what: &str) {
    let cells = cells(csv);
    for (text, marker) in hostile {
        let cell = cells
            .iter()
            .find(|c| c.contains(marker.as_str()))
            .unwrap_or_else(|| panic!("{what}: {text:?} missing from\n{csv}"));
        let kept = stored(text);
        let expected = if kept.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{kept}")
        } else {
            kept
        };
        assert_eq!(cell, &expected, "{what}: {text:?}");
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: {cell:?}"
        );
    }
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

fn as_is(s: &str) -> String {
    s.to_string()
}

async fn export(app: &TestApp, path: &str) -> String {
    let r = app
        .request_as(Some(Role::Viewer), reqwest::Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// A miner on loopback that answers every request with a recorded Antminer answer whose
/// model (`Type`) is `model`.
async fn miner_reporting(model: String) -> std::net::SocketAddr {
    let answer = include_str!("../fixtures/firmware/antminer-bmminer.json")
        .trim()
        .replace(
            "Antminer S21",
            &model
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\t', "\\t")
                .replace('\r', "\\r"),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn operator_and_device_text_is_defused_in_every_export() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .args(|a| a.poll_interval_secs = 1)
        .start()
        .await;
    // Operator-written: milestone titles (the timeline export).
    let titles = payloads("M");
    for (title, _) in &titles {
        let (s, body) = app
            .post_json(
                "/api/v1/milestones",
                &json!({ "site_id": "baie-comeau", "kind": "retrofit", "title": title,
                          "planned_start": "2027-02-01", "planned_end": "2027-03-01", "mw": 1.0 }),
            )
            .await;
        assert_eq!(s, 201, "{body}");
    }
    // Device-reported: the model a miner answers with (the fleet export), one miner per text.
    let models = payloads("D");
    for (model, _) in &models {
        let addr = miner_reporting(model.clone()).await;
        let (s, body) = app
            .post_json(
                "/api/v1/devices",
                &json!({ "kind": "asic", "address": addr.to_string(), "site": "muskogee" }),
            )
            .await;
        assert_eq!(s, 201, "{body}");
    }
    // Site names (what the site table holds; written here as an operator's database would be):
    // not trimmed, so a leading TAB or CR reaches the export.
    let store = app.store().await;
    let sites: Vec<(String, String)> = ["\t", "\r", "+"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                format!("{t}SUM(1+1)*cmd|' /C calc'!A0 S{i}X"),
                format!("S{i}X"),
            )
        })
        .collect();
    for ((name, _), id) in sites.iter().zip(["pecos-ridge", "muskogee", "baie-comeau"]) {
        sqlx::query("UPDATE sites SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(store.sqlite_pool().unwrap())
            .await
            .unwrap();
    }

    let timeline = export(&app, "/api/v1/export/timeline.csv").await;
    assert_defused(&timeline, &titles, trimmed, "timeline.csv");
    let timeline_it = export(&app, "/api/v1/export/timeline.csv?lang=it").await;
    assert_defused(&timeline_it, &titles, trimmed, "timeline.csv?lang=it");
    let fleet = wait_until("every miner polled", Duration::from_secs(30), || async {
        let csv = export(&app, "/api/v1/export/fleet.csv").await;
        models
            .iter()
            .all(|(_, m)| csv.contains(m.as_str()))
            .then_some(csv)
    })
    .await;
    assert_defused(&fleet, &models, trimmed, "fleet.csv");
    let by_site = export(&app, "/api/v1/export/site-revenue.csv?range=1y").await;
    assert_defused(&by_site, &sites, as_is, "site-revenue.csv");
    // Numbers stay numbers: a negative figure is not quoted.
    assert!(cells("a,-12.5\n").contains(&"-12.5".to_string()));
}
