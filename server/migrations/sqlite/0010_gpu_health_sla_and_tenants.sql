-- no-transaction
-- GPU halls: each sample keeps the device's one reason (the SLA counts a GPU unavailable while
-- offline or held by a fatal error), hourly rollups count those samples, lease contracts carry
-- their SLA and the GPUs they cover, and users may be a tenant's viewer bound to one tenant.
--
-- users gains the role 'tenant': SQLite cannot alter a CHECK constraint, so the table is
-- rebuilt. Foreign keys are off for the rebuild (dropping users would otherwise cascade to
-- sessions), which SQLite only allows outside a transaction: hence no-transaction, and the
-- rebuild is its own transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_v2 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('tenant', 'viewer', 'operator', 'admin')),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    disabled_at    TEXT,
    language       TEXT CHECK (language IN ('en', 'it')),
    tenant         TEXT,
    CHECK ((role = 'tenant') = (tenant IS NOT NULL))
);
INSERT INTO users_v2 (id, name, role, password_hash, created_at, disabled_at, language)
    SELECT id, name, role, password_hash, created_at, disabled_at, language FROM users;
DROP TABLE users;
ALTER TABLE users_v2 RENAME TO users;

ALTER TABLE samples ADD COLUMN reason TEXT;
ALTER TABLE samples_hourly ADD COLUMN unavailable_samples INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lease_contracts ADD COLUMN sla TEXT CHECK (sla IS NULL OR json_valid(sla));
ALTER TABLE lease_contracts ADD COLUMN devices TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(devices));
COMMIT;
PRAGMA foreign_keys = ON;
