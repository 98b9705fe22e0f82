-- What a device last reported (its describe and its vitals, kilobytes of JSON each) in its own table.
-- In the devices row they were rewritten by every write of that row: a connect, a disconnect, last
-- heard, the counters. On H2 a row is stored whole in its page, and updating a device row that carried
-- a 2 KB describe and 1 KB of vitals cost 200-220 us against 30 us for the narrow row (docs/benchmarks.md).
-- A device has a row here from its first describe or vitals report.
CREATE TABLE device_reports (
    device_id      CHAR(24) PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    describe_json  VARCHAR(60000),
    vitals_json    VARCHAR(16000),
    vitals_at      BIGINT
);
INSERT INTO device_reports(device_id, describe_json, vitals_json, vitals_at)
    SELECT id, describe_json, vitals_json, vitals_at FROM devices
    WHERE describe_json IS NOT NULL OR vitals_json IS NOT NULL;
ALTER TABLE devices DROP COLUMN describe_json;
ALTER TABLE devices DROP COLUMN vitals_json;
ALTER TABLE devices DROP COLUMN vitals_at;
