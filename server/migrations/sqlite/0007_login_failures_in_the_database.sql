-- Failed sign-ins per key (user name or client address), kept for the limiter's window: in the
-- database rather than in one process's memory, so several replicas share one limit.
CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    at   TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures(key, at);
CREATE INDEX login_failures_by_time ON login_failures(at);
