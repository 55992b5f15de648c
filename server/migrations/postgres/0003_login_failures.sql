-- Failed sign-ins per key (user name or client address): one limit across every replica.
CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures(key, at);
CREATE INDEX login_failures_by_time ON login_failures(at);
