-- The conversion timeline (milestones replace conversion_steps as the source of the MW a site
-- moves out of mining), operators' annotations with every version kept, and accounts: users,
-- browser sessions, API tokens and the audit log.

CREATE TABLE milestones (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('decommission', 'retrofit', 'ai_ramp', 'ai_live')),
    title          TEXT NOT NULL,
    planned_start  TEXT NOT NULL,
    planned_end    TEXT NOT NULL,
    actual_start   TEXT,
    actual_end     TEXT,
    mw             REAL NOT NULL CHECK (mw >= 0),
    -- JSON array of milestone ids this one waits for.
    depends_on     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(depends_on)),
    -- An AI ramp milestone drives its lease contract's start date.
    contract_id    TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    position       INTEGER NOT NULL DEFAULT 0,
    CHECK (planned_end >= planned_start)
);
CREATE INDEX milestones_by_site ON milestones(site_id, planned_start);

-- Existing conversion steps become decommissioning milestones (MW leave mining on the start).
INSERT INTO milestones (id, site_id, kind, title, planned_start, planned_end, actual_start, actual_end, mw, position)
SELECT site_id || '-decommission-' || id, site_id, 'decommission', label, effective_on,
       date(effective_on, '+1 month'), NULL, NULL, mw, id
FROM conversion_steps;
DROP TABLE conversion_steps;

CREATE TABLE annotations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('site', 'milestone', 'date')),
    target      TEXT NOT NULL,
    site_id     TEXT,
    on_date     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX annotations_by_date ON annotations(on_date);

-- Every version of every annotation, the current one included; rows are never updated.
CREATE TABLE annotation_versions (
    annotation_id  INTEGER NOT NULL REFERENCES annotations(id),
    version        INTEGER NOT NULL,
    text           TEXT NOT NULL,
    author         TEXT NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (annotation_id, version)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    disabled_at    TEXT
);

-- Only SHA-256 of the session secret is stored: a leaked database opens no session.
CREATE TABLE sessions (
    secret_hash  TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    secret_hash   TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log(at);
