-- Several replicas on one database: who is alive, the device registry's version (so every
-- replica notices a device registered through another), and each device's latest state as
-- the replica polling it saw it (so every replica's fleet page and live stream show the whole
-- fleet). Which replica polls which devices is held in advisory locks, not in a table: a
-- replica that dies loses its locks with its connection.

CREATE TABLE replicas (
    name          TEXT PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL,
    shards        BIGINT NOT NULL DEFAULT 0,
    devices       BIGINT NOT NULL DEFAULT 0,
    -- The backend of the connection holding its shard locks: a replica whose backend is gone
    -- (killed, cut off) is not counted, however fresh its last heartbeat.
    lock_pid      BIGINT
);

CREATE TABLE registry_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER devices_added_or_deleted AFTER INSERT OR DELETE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
-- What a device reports about itself (reported model, firmware) is written every time it is
-- learned and does not change what is polled: only these columns move the version.
CREATE TRIGGER devices_changed AFTER UPDATE ON devices
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.model IS DISTINCT FROM NEW.model
        OR OLD.site IS DISTINCT FROM NEW.site OR OLD.address IS DISTINCT FROM NEW.address
        OR OLD.removed_at IS DISTINCT FROM NEW.removed_at)
    EXECUTE FUNCTION bump_registry_version();

-- One row per device (GPUs per GPU): the JSON of model::fleet::Device.
CREATE TABLE device_state (
    device_id  TEXT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    replica    TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX device_state_by_time ON device_state(at);
