-- Product firmware, releases and over-the-air updates (issue 5).
-- Binaries live in the database (BYTEA is H2's alias of BINARY VARYING and PostgreSQL's own type),
-- so every node of a PostgreSQL cluster serves the same images; a separate table keeps listings
-- from reading them.

CREATE TABLE product_firmware (
    product_id      BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    version         INT NOT NULL,
    title           VARCHAR(200) NOT NULL,
    description     VARCHAR(4000),
    file_name       VARCHAR(200),
    size_bytes      INT NOT NULL,
    sha256          CHAR(64) NOT NULL,
    uploaded_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    uploaded_at     BIGINT NOT NULL,
    -- first release; a version that was ever released is never deleted
    released_at     BIGINT,
    released_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    product_default BOOLEAN DEFAULT FALSE NOT NULL,
    intelligent     BOOLEAN DEFAULT FALSE NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (product_id, version)
);

CREATE TABLE product_firmware_binaries (
    product_id BIGINT NOT NULL,
    version    INT NOT NULL,
    data       BYTEA NOT NULL,
    PRIMARY KEY (product_id, version),
    FOREIGN KEY (product_id, version) REFERENCES product_firmware(product_id, version) ON DELETE CASCADE
);

-- The groups a version is released to.
CREATE TABLE firmware_release_groups (
    product_id BIGINT NOT NULL,
    version    INT NOT NULL,
    group_id   BIGINT NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, version, group_id),
    FOREIGN KEY (product_id, version) REFERENCES product_firmware(product_id, version) ON DELETE CASCADE
);
CREATE INDEX firmware_release_groups_group ON firmware_release_groups(group_id);

-- Per device: the lock, and the current (or last) update job with its outcome.
CREATE TABLE device_firmware (
    device_id       CHAR(24) PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    locked_version  INT,
    lock_flash      BOOLEAN DEFAULT FALSE NOT NULL,
    job             VARCHAR(16),
    job_product_id  BIGINT,
    -- null for a developer flash (PUT /v1/devices/:id with a file)
    job_version     INT,
    job_size        INT,
    job_sha256      CHAR(64),
    state           VARCHAR(16),
    attempts        INT DEFAULT 0 NOT NULL,
    last_error      VARCHAR(500),
    from_version    INT,
    started_at      BIGINT,
    updated_at      BIGINT,
    next_attempt_at BIGINT,
    -- bytes the cloud sent for this job, resumed transfers included
    bytes_sent      BIGINT,
    -- the image of a developer flash; product jobs read product_firmware_binaries
    direct_image    BYTEA
);
CREATE INDEX device_firmware_job ON device_firmware(job);
