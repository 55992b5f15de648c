-- Devices polled for telemetry, and their samples.

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('asic', 'gpu')),
    model       TEXT NOT NULL,
    site        TEXT NOT NULL,
    address     TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('api', 'fleet_file', 'simulator')),
    added_at    TEXT NOT NULL,
    removed_at  TEXT
);
CREATE INDEX devices_active ON devices(removed_at);

-- Raw samples (one per device per poll). Kept 48 h; hourly rollups keep the long view.
CREATE TABLE samples (
    device_id           TEXT NOT NULL,
    at                  TEXT NOT NULL,
    status              TEXT NOT NULL,
    hashrate_ths        REAL,
    share_hashrate_ths  REAL,
    gpu_util_pct        REAL,
    temp_c              REAL,
    power_w             REAL
);
CREATE INDEX samples_by_device ON samples(device_id, at);
CREATE INDEX samples_by_time ON samples(at);

CREATE TABLE samples_hourly (
    device_id           TEXT NOT NULL,
    hour                TEXT NOT NULL,
    samples             INTEGER NOT NULL,
    online_samples      INTEGER NOT NULL,
    hashrate_ths        REAL,
    share_hashrate_ths  REAL,
    gpu_util_pct        REAL,
    temp_c              REAL,
    power_w             REAL,
    PRIMARY KEY (device_id, hour)
);
