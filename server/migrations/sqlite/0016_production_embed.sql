-- The `production` embed view (a closed month's production update): SQLite cannot alter a
-- CHECK, so the table is rebuilt as in 0011 (ids carry over).

CREATE TABLE embed_tokens_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    view         TEXT NOT NULL CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary', 'kpis', 'production')),
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
