-- Sessions get a public id (to list and revoke them without exposing the secret's digest),
-- when and from where they were last used (sliding idle expiry), and the browser that opened
-- them. Existing sessions carry over, last seen at their creation.

CREATE TABLE sessions_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_hash   TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_v2 (secret_hash, user_id, created_at, last_seen_at, expires_at)
    SELECT secret_hash, user_id, created_at, created_at, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE INDEX sessions_by_user ON sessions(user_id);
