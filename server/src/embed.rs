//! `/embed/{view}?token=…&theme=light|dark`: public, read-only iframe views for investor-
//! relations pages (and `/embed/{view}.json` with the same data).
//!
//! A page is plain server-rendered HTML with the chart option inline as JSON and two static
//! scripts (ECharts and `embed.js`): no wasm, no app, no session. It answers only to a valid,
//! unrevoked embed token for that very view, and its `Content-Security-Policy: frame-ancestors`
//! lists exactly the token's origins. Responses carry an ETag and a short `Cache-Control`.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use app::api::auth::{Principal, Role};
use app::api::embeds::{service, EmbedGrant};
use app::api::error::ApiError;
use app::api::overview_cache::RenderedEmbed;
use app::api::ports::Services;
use app::charts::embed::embed_chart;
use app::charts::palette::Palette;
use app::i18n::{numbers, Lang};
use app::model::investor::embed::{EmbedData, EmbedPayload, EmbedView};

/// How long browsers and proxies may reuse an embed response, seconds.
pub const MAX_AGE_SECS: u32 = 60;

pub fn router(services: Services) -> Router {
    Router::new()
        .route("/embed/{view}", get(embed))
        .with_state(services)
}

#[derive(Debug, Deserialize)]
pub struct EmbedQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    theme: Option<String>,
    /// Admin preview on the admin page: framed by the dashboard itself.
    #[serde(default)]
    preview: Option<String>,
    /// `en` or `it`; without it, the visitor's `Accept-Language`.
    #[serde(default)]
    lang: Option<String>,
    /// The production view's month (`YYYY-MM`; default: the newest closed month).
    #[serde(default)]
    month: Option<String>,
}

/// `?theme=`: light (the default; most IR sites are light) or dark.
#[derive(Clone, Copy, PartialEq)]
pub enum Theme {
    Light,
    Dark,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A refusal: a short page that no site may frame.
fn refuse(status: StatusCode, lang: Lang, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Rigshift</title><p>{}</p></html>",
        lang.code(),
        escape(message)
    );
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn embed(
    State(svc): State<Services>,
    Path(file): Path<String>,
    Query(q): Query<EmbedQuery>,
    caller: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    let lang = app::locale::asked_or_accepted(q.lang.as_deref(), &headers);
    let tx = &lang.texts().embed;
    let (slug, json) = match file.strip_suffix(".json") {
        Some(s) => (s, true),
        None => (file.as_str(), false),
    };
    let Some(view) = EmbedView::from_slug(slug) else {
        return refuse(StatusCode::NOT_FOUND, lang, tx.no_view);
    };
    let grant: EmbedGrant = match svc.embeds.resolve(&q.token).await {
        Ok(Some(g)) => g,
        Ok(None) => return refuse(StatusCode::FORBIDDEN, lang, tx.not_valid),
        Err(e) => {
            tracing::error!(error = %e, "embed token lookup");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, lang, tx.unavailable);
        }
    };
    if grant.view != view {
        return refuse(StatusCode::FORBIDDEN, lang, tx.other_view);
    }
    let theme = match q.theme.as_deref() {
        Some("dark") => Theme::Dark,
        _ => Theme::Light,
    };
    let preview = q.preview.is_some() && caller.is_some_and(|Extension(p)| p.may(Role::Admin));
    // The same for every visitor of this grant, view, month, theme, language and format:
    // computed, rendered and hashed once per data revision and minute (`OverviewCache`).
    let key = (
        grant.id,
        view.slug(),
        q.month.clone(),
        theme == Theme::Dark,
        lang,
        json,
    );
    let at = (svc.clock.today(), svc.clock.now());
    let rendered = svc
        .overview_cache
        .embed(key, at, async {
            let data = service::embed_data(&svc, &grant, q.month.as_deref()).await?;
            let body = if json {
                serde_json::to_string(&data).map_err(|_| ApiError::Internal {
                    id: "embed-json".into(),
                })?
            } else {
                render(&data, theme, lang)
            };
            let etag = format!("\"{}\"", &hex(&Sha256::digest(body.as_bytes()))[..32]);
            Ok::<_, ApiError>(RenderedEmbed { body, etag })
        })
        .await;
    let rendered = match rendered {
        Ok(r) => r,
        // Only the production view looks anything up by name: a month not closed (or not a
        // month at all) is refused, never computed live.
        Err(ApiError::NotFound(_) | ApiError::InvalidInput(_)) if view == EmbedView::Production => {
            return refuse(StatusCode::NOT_FOUND, lang, tx.not_closed);
        }
        Err(e) => {
            tracing::error!(error = %e, "embed data");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, lang, tx.unavailable);
        }
    };
    let content_type = if json {
        "application/json"
    } else {
        "text/html; charset=utf-8"
    };
    let etag = rendered.etag.clone();
    let csp = policy(&grant, preview);
    let cache = if preview {
        "private, no-store".to_string()
    } else {
        format!("public, max-age={MAX_AGE_SECS}")
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content_type)],
            rendered.body.clone(),
        )
            .into_response()
    };
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache),
        (header::REFERRER_POLICY, "no-referrer".to_string()),
        // Without `?lang=`, the language follows the visitor's browser.
        (header::VARY, "Accept-Language".to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

/// The embed's policy: framed only by the token's origins (the dashboard itself for an admin
/// preview); scripts, styles and images from this server only.
fn policy(grant: &EmbedGrant, preview: bool) -> String {
    let ancestors = if preview {
        "'self'".to_string()
    } else {
        grant.origins.join(" ")
    };
    format!(
        "frame-ancestors {ancestors}; default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON safe inside `<script type="application/json">`: no `<` can close the element.
fn inline_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

fn tile(label: &str, value: String) -> String {
    format!("<div class=\"tile\"><div class=\"tile-label\">{}</div><div class=\"tile-value\">{}</div></div>", escape(label), escape(&value))
}

/// The views drawn as tiles rather than a chart.
fn tiles(data: &EmbedData, lang: Lang) -> String {
    match &data.payload {
        EmbedPayload::Kpis { kpis } => kpi_tiles(kpis, lang),
        EmbedPayload::Production {
            month,
            version,
            columns,
            rows,
            ..
        } => production_table(month, *version, columns, rows, lang),
        _ => fleet_tiles(data, lang),
    }
}

/// The sector's KPIs; a figure without its inputs (no pool payouts) shows a dash.
fn kpi_tiles(k: &app::model::investor::sector_kpis::SectorKpis, lang: Lang) -> String {
    let r = &lang.texts().risk;
    let usd = |v: Option<f64>| v.map_or("—".into(), |v| numbers::usd(lang, v));
    [
        tile(
            r.realised_hashrate,
            k.realised_hashrate_ths
                .map_or("—".into(), |v| numbers::hashrate_ths(lang, v)),
        ),
        tile(r.hashcost, format!("{}/PH", usd(k.hashcost_usd_per_ph_day))),
        tile(r.mining_per_mw, usd(k.mining_revenue_usd_per_mw_day)),
        tile(r.ai_per_mw, usd(k.ai_revenue_usd_per_mw_day)),
        tile(r.backlog, usd(Some(k.ai_backlog_usd))),
        tile(r.uptime_mw, numbers::mw(lang, k.uptime_weighted_mw)),
    ]
    .concat()
}

/// A closed month's figures as a table: one column per covered site (or the company), the
/// change on the month before, the version and "unaudited, estimated".
fn production_table(
    month: &str,
    version: i64,
    columns: &[String],
    rows: &[app::model::investor::embed::ProductionLine],
    lang: Lang,
) -> String {
    use app::pages::reports::show;
    let tx = &lang.texts().reports;
    let month_words = app::model::investor::monthly_close::parse_month(month)
        .map_or_else(|| month.to_string(), |d| numbers::month(lang, d));
    let head: String = columns
        .iter()
        .map(|c| {
            let label = if c == "total" { tx.company } else { c.as_str() };
            format!("<th class=\"num\">{}</th>", escape(label))
        })
        .collect();
    let body: String = rows
        .iter()
        .map(|r| {
            let cells: String = r
                .values
                .iter()
                .map(|v| {
                    format!(
                        "<td class=\"num\">{}</td>",
                        escape(&show(lang, &r.figure, *v))
                    )
                })
                .collect();
            let change = r.month_on_month_pct.map_or("—".into(), |p| {
                format!(
                    "{}{} %",
                    if p > 0.0 { "+" } else { "" },
                    numbers::number(lang, p, 1)
                )
            });
            format!(
                "<tr data-figure=\"{}\"><td>{}</td>{cells}<td class=\"num\">{}</td></tr>",
                escape(&r.figure),
                escape((tx.figure_name)(&r.figure)),
                escape(&change)
            )
        })
        .collect();
    format!(
        "<table class=\"production\" data-month=\"{m}\" data-version=\"{version}\"><caption>{caption}</caption><thead><tr><th>{figure}</th>{head}<th class=\"num\">{mom}</th></tr></thead><tbody>{body}</tbody></table><p class=\"footnote\">{footnote} {version_word} {version}</p>",
        m = escape(month),
        caption = escape(&month_words),
        figure = escape(tx.figure),
        mom = escape(tx.month_on_month),
        footnote = escape(tx.footnote),
        version_word = escape(tx.version),
    )
}

fn fleet_tiles(data: &EmbedData, lang: Lang) -> String {
    let tx = &lang.texts().embed;
    let fmt_number = |v: f64, decimals: usize| numbers::number(lang, v, decimals);
    let EmbedPayload::FleetSummary { totals: t } = &data.payload else {
        return String::new();
    };
    [
        tile(
            tx.devices_reporting,
            format!(
                "{} {} {}",
                fmt_number((t.online + t.degraded) as f64, 0),
                tx.of,
                fmt_number(t.devices as f64, 0)
            ),
        ),
        tile(
            tx.asic_hashrate,
            format!("{} PH/s", fmt_number(t.asic_hashrate_ths / 1000.0, 1)),
        ),
        tile(tx.gpus, fmt_number(t.gpus as f64, 0)),
        tile(
            tx.gpu_util,
            t.gpu_util_avg_pct
                .map_or("—".into(), |u| format!("{u:.0} %")),
        ),
        tile(
            tx.power_draw,
            format!("{} MW", fmt_number(t.power_kw / 1000.0, 2)),
        ),
    ]
    .concat()
}

/// The embed's HTML.
pub fn render(data: &EmbedData, theme: Theme, lang: Lang) -> String {
    let tx = &lang.texts().embed;
    let palette = if theme == Theme::Dark {
        Palette::DARK
    } else {
        Palette::LIGHT
    };
    let theme_name = if theme == Theme::Dark {
        "dark"
    } else {
        "light"
    };
    let chart = embed_chart(data, &palette, lang)
        .map(|c| {
            format!(
                "<div id=\"chart\" class=\"chart\" role=\"img\" aria-label=\"{}\"></div><script type=\"application/json\" id=\"chart-option\">{}</script>",
                escape((tx.view_title)(data.view)),
                inline_json(&c)
            )
        })
        .unwrap_or_else(|| format!("<div class=\"tiles\">{}</div>", tiles(data, lang)));
    let sites = if data.sites.is_empty() {
        tx.no_sites.to_string()
    } else {
        data.sites.join(", ")
    };
    let note = if data.view.forward_looking() {
        format!("<p class=\"fls\">{}</p>", escape(tx.forward_looking))
    } else {
        String::new()
    };
    let simulated = if data.simulated {
        format!("<p class=\"simulated\">{}</p>", escape(tx.simulated))
    } else {
        String::new()
    };
    format!(
        "<!doctype html><html lang=\"{lang}\" data-theme=\"{theme_name}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/embed-assets/embed.css\"><script src=\"/vendor/echarts.min.js\" defer></script><script src=\"/vendor/echarts-theme-rigshift.js\" defer></script><script src=\"/embed-assets/embed.js\" defer></script></head><body><main class=\"embed\"><header><h1>{title}</h1><p class=\"as-of\">{as_of_label} {as_of} · {sites}</p></header>{chart}<footer>{simulated}{note}<p class=\"source\">Rigshift</p></footer></main></body></html>",
        title = escape((tx.view_title)(data.view)),
        lang = lang.code(),
        as_of_label = escape(tx.as_of),
        as_of = if data.view == EmbedView::FleetSummary {
            numbers::utc_minute(lang, data.as_of)
        } else {
            numbers::date(lang, data.today)
        },
        sites = escape(&sites),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_its_script() {
        assert_eq!(
            inline_json(&"</script><script>"),
            "\"\\u003c/script>\\u003cscript>\""
        );
        assert_eq!(
            escape("<a href=\"x\">'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;"
        );
    }
}
