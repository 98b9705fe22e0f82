package io.boson.devices;

import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/** Claim codes, stored as SHA-256. Each is used once. */
public final class ClaimCodeRepository {

    private final Jdbi jdbi;

    public ClaimCodeRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(String codeHash, long userId, long expiresAt, long now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO claim_codes(code_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)")
                .bind(0, codeHash).bind(1, userId).bind(2, expiresAt).bind(3, now).execute());
    }

    /** Removes the code and returns its owner if it was still valid at {@code now}. */
    public Optional<Long> take(String codeHash, long now) {
        return jdbi.inTransaction(h -> {
            Optional<long[]> row = h.createQuery("SELECT user_id, expires_at FROM claim_codes WHERE code_hash = ?")
                    .bind(0, codeHash).map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2)}).findOne();
            if (row.isEmpty()) return Optional.empty();
            int removed = h.createUpdate("DELETE FROM claim_codes WHERE code_hash = ?").bind(0, codeHash).execute();
            return removed == 1 && row.get()[1] > now ? Optional.of(row.get()[0]) : Optional.empty();
        });
    }

    public int deleteExpired(long now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM claim_codes WHERE expires_at <= ?").bind(0, now).execute());
    }
}
