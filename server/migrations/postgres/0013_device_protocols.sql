-- The API a device is read over, and the name of the environment variables holding its login
-- (never the login itself); a site's IANA time zone, in which miners' zoneless times are read.
ALTER TABLE devices ADD COLUMN protocol TEXT NOT NULL DEFAULT 'cgminer'
    CHECK (protocol IN ('cgminer', 'whatsminer_v3', 'braiins_rest', 'axeos', 'fluxos'));
ALTER TABLE devices ADD COLUMN credentials_env TEXT;
ALTER TABLE sites ADD COLUMN timezone TEXT;
