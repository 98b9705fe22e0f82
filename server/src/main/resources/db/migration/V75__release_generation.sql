-- A product's release generation: bumped in the transaction of every change to what its releases
-- say (a release, a group renamed or deleted). Firmware delivery keeps each product's release list
-- in memory on every node and reads the generation with the device row it decides for, so a list
-- older than the database is never used, on any node, without waiting for a message.
ALTER TABLE products ADD COLUMN release_generation BIGINT DEFAULT 0 NOT NULL;
