-- Device OS's own protocol (CoAP over DTLS): the cloud's key pair, one for every node of a cloud, made
-- by the first node that starts; and each device's public key, its identity on that protocol.
CREATE TABLE server_keys (
    algorithm    VARCHAR(8) PRIMARY KEY,
    private_der  BYTEA NOT NULL,
    public_der   BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

-- fingerprint: SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex; a DTLS handshake presents
-- only the key, so the device is found by it.
CREATE TABLE device_keys (
    device_id    CHAR(24) PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    algorithm    VARCHAR(8) NOT NULL,
    public_der   BYTEA NOT NULL,
    fingerprint  CHAR(64) NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_keys_fingerprint ON device_keys(fingerprint);
