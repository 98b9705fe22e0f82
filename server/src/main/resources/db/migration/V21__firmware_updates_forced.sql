-- Particle's firmware_updates_forced: the product delivers updates even to a device whose firmware
-- has disabled them (the offer says "forced").
ALTER TABLE device_firmware ADD COLUMN updates_forced BOOLEAN DEFAULT FALSE NOT NULL;
