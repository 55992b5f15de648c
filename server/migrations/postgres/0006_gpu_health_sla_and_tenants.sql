-- GPU halls: each sample keeps the device's one reason (the SLA counts a GPU unavailable while
-- offline or held by a fatal error), hourly rollups count those samples, lease contracts carry
-- their SLA and the GPUs they cover, and users may be a tenant's viewer bound to one tenant.
ALTER TABLE samples ADD COLUMN reason TEXT;
ALTER TABLE samples_hourly ADD COLUMN unavailable_samples BIGINT NOT NULL DEFAULT 0;
ALTER TABLE lease_contracts ADD COLUMN sla TEXT CHECK (sla IS NULL OR sla::jsonb IS NOT NULL);
ALTER TABLE lease_contracts ADD COLUMN devices TEXT NOT NULL DEFAULT '[]' CHECK (devices::jsonb IS NOT NULL);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('tenant', 'viewer', 'operator', 'admin'));
ALTER TABLE users ADD COLUMN tenant TEXT;
ALTER TABLE users ADD CONSTRAINT users_tenant_check CHECK ((role = 'tenant') = (tenant IS NOT NULL));
