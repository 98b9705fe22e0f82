-- Events dropped by the per-device rate limit, counted by the cloud (device protocol section 2).
ALTER TABLE devices ADD COLUMN rate_limited BIGINT DEFAULT 0 NOT NULL;
