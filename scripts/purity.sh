#!/usr/bin/env bash
# The pure core: app/src/model, app/src/charts and app/src/i18n hold no IO, clock, environment
# or randomness, and import nothing from the app's other modules (an import of `crate::api`
# from i18n once made the charts depend on leptos without this check seeing it).
set -euo pipefail
cd "$(dirname "$0")/.."
PURE=(app/src/model app/src/charts app/src/i18n)
status=0
# IO, runtime and browser crates, the clock, the environment, the file system and randomness.
if grep -rnE '\b(leptos|leptos_router|leptos_meta|tokio|sqlx|reqwest|axum|http|web_sys|js_sys|wasm_bindgen|gloo_net|rand|getrandom)::|std::(fs|env|process|thread|time)\b|std::net::(Tcp|Udp|ToSocket)|\b(SystemTime|Instant)\b|Utc::now|Local::now|Date::now|Date::new_0' "${PURE[@]}"; then
  echo "the pure core reaches outside pure code (see the lines above)"; status=1
fi
# Imports stay inside the pure core: model, charts and i18n only.
if grep -rnE 'crate::(api|pages|components|state|app|lazy)\b|super::super::(api|pages|components)' "${PURE[@]}"; then
  echo "the pure core imports from the app's IO modules (see the lines above)"; status=1
fi
exit "$status"
