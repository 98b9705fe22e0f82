-- Messages the cloud dropped for a device because it did not read what it was sent (its
-- connection's write buffer stayed full): counted per device, shown in its diagnostics.
ALTER TABLE devices ADD COLUMN dropped_unread BIGINT DEFAULT 0 NOT NULL;
