-- Closed months (see sqlite/0014_closed_months.sql).

CREATE TABLE closed_months (
    month       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    figures     TEXT NOT NULL,
    changes     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    closed_by   TEXT NOT NULL,
    closed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (month, version)
);
