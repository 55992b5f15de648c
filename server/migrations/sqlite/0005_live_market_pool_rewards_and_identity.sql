-- Live market rows carry the block height a source reported and when they were fetched; pool
-- payouts per site and day; what a device says it is; delivered hashrate in the hourly rollups.

ALTER TABLE market_days ADD COLUMN height INTEGER;
ALTER TABLE market_days ADD COLUMN fetched_at TEXT;

CREATE TABLE pool_rewards (
    day         TEXT NOT NULL,
    site        TEXT NOT NULL,
    pool        TEXT NOT NULL,
    btc         REAL NOT NULL CHECK (btc >= 0),
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (day, site, pool)
);

ALTER TABLE devices ADD COLUMN reported_model TEXT;
ALTER TABLE devices ADD COLUMN firmware TEXT;

-- Share-proven hashrate where known, else reported, with offline samples counted as zero: what
-- the device really delivered over the hour.
ALTER TABLE samples_hourly ADD COLUMN delivered_ths REAL;
CREATE INDEX samples_hourly_by_hour ON samples_hourly(hour);
