-- Forward inputs with their provenance: hashprice forward curves (one row per curve date and
-- monthly tenor) and a GPU rental index (one row per day and GPU model, the model compared by
-- its squashed key so `H100 SXM` and `h100-sxm` are one model).

CREATE TABLE forward_curves (
    as_of           TEXT NOT NULL,
    month           TEXT NOT NULL,
    usd_per_ph_day  REAL NOT NULL,
    source          TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    PRIMARY KEY (as_of, month)
) WITHOUT ROWID;

CREATE TABLE gpu_index (
    day               TEXT NOT NULL,
    model_key         TEXT NOT NULL,
    gpu_model         TEXT NOT NULL,
    usd_per_gpu_hour  REAL NOT NULL,
    source            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    PRIMARY KEY (model_key, day)
) WITHOUT ROWID;

-- The `kpis` embed view: SQLite cannot alter a CHECK, so the table is rebuilt (nothing refers
-- to it; ids and the AUTOINCREMENT sequence carry over with the rename).
CREATE TABLE embed_tokens_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    view         TEXT NOT NULL CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary', 'kpis')),
    sites        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sites)),
    origins      TEXT NOT NULL CHECK (json_valid(origins)),
    secret_hash  TEXT NOT NULL UNIQUE,
    token        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT
);
INSERT INTO embed_tokens_new (id, name, view, sites, origins, secret_hash, token, created_at, created_by, revoked_at)
    SELECT id, name, view, sites, origins, secret_hash, token, created_at, created_by, revoked_at FROM embed_tokens;
DROP TABLE embed_tokens;
ALTER TABLE embed_tokens_new RENAME TO embed_tokens;
