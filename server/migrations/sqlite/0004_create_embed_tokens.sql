-- Embed tokens for investor-relations iframes: one view, the sites it covers (empty: all) and
-- the origins allowed to frame it. Lookups go by the SHA-256 digest. Unlike API tokens the token
-- itself is kept too: it is published in the IR page's iframe URL by design (a capability for one
-- read-only public view, bounded by frame-ancestors), and the admin page must be able to show the
-- snippet again.

CREATE TABLE embed_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    view         TEXT NOT NULL CHECK (view IN ('revenue_mix', 'mw_converted', 'timeline', 'fleet_summary')),
    sites        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sites)),
    origins      TEXT NOT NULL CHECK (json_valid(origins)),
    secret_hash  TEXT NOT NULL UNIQUE,
    token        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT
);
