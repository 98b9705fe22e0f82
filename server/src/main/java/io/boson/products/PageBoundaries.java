package io.boson.products;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Where the pages of a product device list start, remembered per query, so that Particle's
 * {@code page=N} is read as a key range ({@code id >= the first ID of page N}) instead of an OFFSET
 * that walks every device before it.
 *
 * <p>Only for lists in device-ID order: a device's ID never changes, so a page's first ID moves
 * only when a device joins or leaves the product. Every import and removal increments the product's
 * membership generation ({@code product_device_counts.generation}) in its own transaction, on
 * whichever node it runs; boundaries are kept with the generation they were seen at and are used
 * only while the product still has that generation, so a node never serves a boundary another
 * node's import made stale. The reader checks the generation again after reading the page (see
 * {@link ProductDeviceListing}), which makes the page exactly what OFFSET would have returned.
 */
final class PageBoundaries {

    /** Distinct queries (product, ID prefix, direction, page size) remembered per node. */
    static final int MAX_QUERIES = 10_000;
    /** Page starts remembered per query: a client walking 10,000 pages of 100 covers a million devices. */
    static final int MAX_PAGES_PER_QUERY = 10_000;

    record Key(long productId, String idPrefix, boolean descending, int perPage) {
    }

    /** Page {@code page} starts with device {@code firstId} (inclusive). */
    record Start(int page, String firstId) {
    }

    private static final class Pages {
        final long generation;
        final ConcurrentSkipListMap<Integer, String> starts = new ConcurrentSkipListMap<>();

        Pages(long generation) {
            this.generation = generation;
        }
    }

    private final Cache<Key, Pages> cache = Caffeine.newBuilder().maximumSize(MAX_QUERIES).build();

    /** The nearest remembered start at or before {@code page}, if it was seen at this generation. */
    Start floor(Key key, long generation, int page) {
        Pages pages = cache.getIfPresent(key);
        if (pages == null || pages.generation != generation) return null;
        Map.Entry<Integer, String> e = pages.starts.floorEntry(page);
        return e == null ? null : new Start(e.getKey(), e.getValue());
    }

    /** Remembers that at {@code generation}, {@code page} starts with {@code firstId}. */
    void remember(Key key, long generation, int page, String firstId) {
        if (page <= 1) return; // the first page needs no boundary
        // A request that read an older generation than the one remembered must not replace it.
        Pages pages = cache.asMap().compute(key, (k, old) -> old != null && old.generation >= generation ? old
                : new Pages(generation));
        if (pages.generation != generation) return;
        if (pages.starts.size() < MAX_PAGES_PER_QUERY || pages.starts.containsKey(page)) pages.starts.put(page, firstId);
    }
}
