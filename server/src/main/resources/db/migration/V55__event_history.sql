-- Event history (issue 14): every event of a scope kept for the retention (24 h by default), so a
-- stream that reconnects with Last-Event-ID gets what it missed, and the history API can list it.
-- An event's id is made by the node it entered on (see io.boson.events.EventIds): time in the high
-- bits, the node's tag in the low 8, so ids order events in time and never collide across nodes.
CREATE TABLE event_history (
    scope        VARCHAR(24) NOT NULL,
    id           BIGINT NOT NULL,
    name         VARCHAR(64) NOT NULL,
    data         VARCHAR(16000),
    base64       BOOLEAN NOT NULL,
    ttl          INT NOT NULL,
    published_at BIGINT NOT NULL,
    coreid       VARCHAR(24) NOT NULL,
    product_id   INT,
    PRIMARY KEY (scope, id)
);
CREATE INDEX event_history_device ON event_history(scope, coreid, id);
CREATE INDEX event_history_id ON event_history(id);

-- The nodes that make event ids: each has a tag (the low 8 bits of its ids), the last id it made
-- (so a restart on a clock that stands still or went back never repeats one), how many flushes it
-- has completed, and whether it is running (a resuming stream waits for running nodes to flush).
CREATE TABLE event_nodes (
    node_id  VARCHAR(64) PRIMARY KEY,
    tag      INT NOT NULL UNIQUE,
    last_id  BIGINT NOT NULL,
    running  BOOLEAN NOT NULL
);
