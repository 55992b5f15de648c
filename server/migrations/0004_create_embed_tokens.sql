-- Embed tokens for investor-relations iframes: one view, the sites it covers (empty: all) and
-- the origins allowed to frame it. Only the SHA-256 of the token is stored.

CREATE TABLE embed_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    view         TEXT NOT NULL CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary')),
    sites        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sites)),
    origins      TEXT NOT NULL CHECK (json_valid(origins)),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT
);
