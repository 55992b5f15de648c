-- A settlement point's price is keyed by the point and its type (see
-- sqlite/0013_price_point_types.sql).

ALTER TABLE power_prices ADD COLUMN point_type TEXT NOT NULL DEFAULT '';
ALTER TABLE power_prices DROP CONSTRAINT power_prices_pkey;
ALTER TABLE power_prices ADD PRIMARY KEY (point, point_type, interval_start);
