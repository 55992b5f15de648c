-- Closed months: each month's figures frozen as versions (1 at the close, one more per
-- restatement), with who closed or restated it, when, and why. Rows are never updated.

CREATE TABLE closed_months (
    month       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    figures     TEXT NOT NULL,
    changes     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    closed_by   TEXT NOT NULL,
    closed_at   TEXT NOT NULL,
    PRIMARY KEY (month, version)
);
