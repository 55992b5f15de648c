//! The OpenAPI 3.1 description of `/api/v1`. Each route is registered with the
//! `#[utoipa::path]` declaration on its handler (utoipa-axum's `routes!`), so the router and the
//! document come from one list; what every operation of a kind shares — the role it needs, the
//! two credentials, the error answers its shape allows — is added here rather than repeated on
//! forty handlers.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder, SecurityRequirement,
};
use utoipa::{OpenApi, ToSchema};

use app::api::auth::Role;

use crate::auth::SESSION_COOKIE;

pub use crate::http_error::ErrorCode;

/// The error body every failure answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words safe to show a user.
    pub error: String,
    pub code: ErrorCode,
    /// Only with `conflict`: the version the write lost to, so neither text is lost.
    #[schema(nullable = false)]
    pub current: Option<ConflictCurrent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictCurrent {
    pub version: i64,
    pub text: String,
    pub author: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rigshift API",
        description = "Mining and AI-hosting revenue, the fleet's live telemetry, the conversion \
timeline and the estimators of a Rigshift installation. Every figure carries its source \
(live, bundled, simulated, modelled, measured or projected). Sign in with a session cookie \
(`POST /auth/login`, a form) or send an API token (`Authorization: Bearer …`, created by an admin). \
Each operation names the least role it needs in `x-rigshift-role`; viewer < operator < admin.",
        license(name = "Apache-2.0")
    ),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody, ErrorCode)),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "revenue", description = "Sites, revenue, market and pool figures"),
        (name = "estimators", description = "Mining, GPU and SHA-256d estimators"),
        (name = "fleet", description = "Devices and live telemetry"),
        (name = "timeline", description = "Conversion milestones and annotations"),
        (name = "power", description = "Interval power prices, curtailment backtests, 4CP, demand response and the value of flexibility"),
        (name = "exports", description = "CSV files of every chart"),
        (name = "reports", description = "Closed months: figures frozen per version, restatements with what changed"),
        (name = "accounts", description = "Users, sessions, tokens, embeds, audit"),
    )
)]
pub struct ApiDoc;

const BEARER: &str = "bearer";
const SESSION: &str = "session";

/// Marks every operation in `doc` as needing `role`: the two credentials, the role extension and
/// the 401/403 answers.
pub fn require(doc: &mut Document, role: Role) {
    let name = role.as_str();
    for_each_operation(doc, |_, op| {
        op.security = Some(vec![
            SecurityRequirement::new(BEARER, Vec::<String>::new()),
            SecurityRequirement::new(SESSION, Vec::<String>::new()),
        ]);
        let ext = op.extensions.get_or_insert_with(Default::default);
        ext.insert("x-rigshift-role".into(), serde_json::json!(name));
        add_error(op, 401, "No valid session or token (`unauthenticated`).");
        add_error(
            op,
            403,
            &format!("The caller's role is below {name} (`forbidden`), or a cookie-authenticated write came from another origin (`csrf_rejected`)."),
        );
    });
}

/// Completes the document: security schemes, and the error answers each operation's shape allows
/// (a body can be malformed, too large or invalid; a path parameter can name nothing; any call
/// can be rate-limited, time out or fail).
pub fn finish(mut doc: Document) -> Document {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token created by an admin (`POST /tokens`)."))
                .build(),
        ),
    );
    components.add_security_scheme(
        SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie set by `POST /auth/login`. Writes with it must come from this origin.",
        ))),
    );
    for_each_operation(&mut doc, |path, op| {
        if op.request_body.is_some() {
            add_error(
                op,
                400,
                "The body is not JSON (`malformed_json`) or otherwise malformed (`bad_request`).",
            );
            add_error(
                op,
                413,
                "The body is larger than 64 KiB (`body_too_large`).",
            );
            add_error(
                op,
                415,
                "The body is not `application/json` (`unsupported_media_type`).",
            );
            add_error(
                op,
                422,
                "A field is missing, unknown or out of range (`invalid_input`).",
            );
        }
        let has_query = op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == utoipa::openapi::path::ParameterIn::Query,
            RefOr::Ref(_) => false,
        });
        if has_query {
            add_error(
                op,
                400,
                "The query string does not parse (`invalid_query`).",
            );
            add_error(op, 422, "A parameter is out of range (`invalid_input`).");
        }
        if path.contains('{') {
            add_error(op, 404, "Nothing has this id (`not_found`).");
        }
        op.responses
            .responses
            .entry("408".into())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description("The request took longer than the server allows (empty body).")
                        .build(),
                )
            });
        add_error(
            op,
            429,
            "Too many requests from this client (`rate_limited`); see `Retry-After`.",
        );
        add_error(
            op,
            500,
            "An internal error, logged under the reference in the message (`internal`).",
        );
        add_error(op, 503, "The data store is unavailable (`unavailable`).");
    });
    doc
}

fn for_each_operation(doc: &mut Document, mut f: impl FnMut(&str, &mut Operation)) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            f(path, op);
        }
    }
}

/// Adds an error answer unless the handler declared that status itself.
fn add_error(op: &mut Operation, status: u16, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        });
}

/// `GET /api/v1/openapi.json`: this document (public; it holds no data).
#[utoipa::path(summary = "This OpenAPI document", get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
pub async fn document(Extension(doc): Extension<DocumentJson>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc.0).into_response()
}

/// The finished document, serialized once when the router is built.
#[derive(Clone)]
pub struct DocumentJson(pub axum::body::Bytes);

/// `GET /api/docs`: the browsable reference, Swagger UI from the pinned npm package
/// (`swagger-ui-dist`, copied into `/vendor` by scripts/tools.sh), started by a script of ours so
/// the page needs no inline script.
pub async fn docs_page() -> Response {
    const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rigshift API reference</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="api-docs"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/vendor/api-docs.js"></script>
</body>
</html>
"#;
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                 frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}
