-- Webhooks (issue 14): Particle's integrations of an account or a product. The scope is where the
-- triggering events live ('u' + account id or 'p' + product id); settings holds the request
-- template as the client sent it (json/form/body, headers, query, auth, response topics...).
-- The counters are added to by every node in batches.
CREATE TABLE webhooks (
    id             VARCHAR(24) PRIMARY KEY,
    scope          VARCHAR(32) NOT NULL,
    owner_user_id  BIGINT REFERENCES users(id) ON DELETE CASCADE,
    product_id     BIGINT REFERENCES products(id) ON DELETE CASCADE,
    event          VARCHAR(64) NOT NULL,
    url            VARCHAR(2000) NOT NULL,
    device_id      VARCHAR(24),
    settings       VARCHAR(16000) NOT NULL,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL,
    sent           BIGINT DEFAULT 0 NOT NULL,
    succeeded      BIGINT DEFAULT 0 NOT NULL,
    failed         BIGINT DEFAULT 0 NOT NULL,
    skipped        BIGINT DEFAULT 0 NOT NULL,
    last_error     VARCHAR(500),
    last_error_at  BIGINT
);
CREATE INDEX webhooks_scope ON webhooks(scope, created_at);
