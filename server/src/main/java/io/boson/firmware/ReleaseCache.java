package io.boson.firmware;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.List;

/**
 * Each product's releases in memory, for the offer decisions: a release to 1,000 online devices
 * is 1,000 decisions right away and 1,000 more when they come back, and each used to read the same
 * release list (two queries).
 *
 * <p>Invariant: a decision never uses a list older than the database it read the device from, on
 * any node. Every change of what a product's releases say (a release, a group renamed or deleted)
 * bumps {@code products.release_generation} in its own transaction, and the device row a decision
 * reads carries the generation ({@link DeviceFirmware#releaseGeneration()}); a cached list labelled
 * with an older generation is reloaded. No bus message is needed, so none can be late or lost: a
 * release made through one node is seen by the very next decision on every other node. The
 * generation is read before the list, so a list may be newer than its label (then it is reloaded
 * once more than needed), never older.
 */
final class ReleaseCache {

    /** A product's releases, current as of {@code generation} at least. */
    record Releases(long generation, List<Firmware> releases) {
        Releases {
            releases = List.copyOf(releases);
        }

        /** The released version {@code version}, or null when it is not among them. */
        Firmware version(int version) {
            for (Firmware f : releases) if (f.version() == version) return f;
            return null;
        }
    }

    private static final int MAX_PRODUCTS = 10_000;
    private static final Duration IDLE = Duration.ofHours(1);

    private final FirmwareRepository repo;
    private final Cache<Long, Releases> products = Caffeine.newBuilder().maximumSize(MAX_PRODUCTS).expireAfterAccess(IDLE).build();
    /** One load per product at a time: after a release, the first of a thousand decisions reloads, the others wait for it. */
    private final Object[] loading = new Object[16];

    ReleaseCache(FirmwareRepository repo) {
        this.repo = repo;
        for (int i = 0; i < loading.length; i++) loading[i] = new Object();
    }

    /** The product's releases, at least as new as {@code generation} (read with the device row). */
    Releases releases(long productId, long generation) {
        Releases cached = products.getIfPresent(productId);
        if (cached != null && cached.generation() >= generation) return cached;
        synchronized (loading[Math.floorMod(Long.hashCode(productId), loading.length)]) {
            cached = products.getIfPresent(productId);
            if (cached != null && cached.generation() >= generation) return cached;
            Releases loaded = repo.releasesWithGeneration(productId);
            products.asMap().merge(productId, loaded, (old, now) -> now.generation() >= old.generation() ? now : old);
            return loaded;
        }
    }
}
