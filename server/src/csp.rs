//! The Content-Security-Policy of the dashboard's pages, shared by the render (router) and the
//! page cache, which sends each kept page with a nonce of its own.

/// The Content-Security-Policy of a rendered page: scripts from this server only, the inline
/// hydration scripts by this response's nonce; `wasm-unsafe-eval` lets the app and its lazy
/// route chunks compile (no JS `eval`); workers (SHA-256d) from this server; styles from
/// this server plus inline `style` attributes (ECharts' tooltips and Leptos' `style:`).
pub fn page_csp_value(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}
