package io.boson.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Particle's paging block: {@code {page, per_page, total_pages, total}}. */
public final class Paging {

    private Paging() {
    }

    public static Map<String, Object> meta(int page, int perPage, long total) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("page", page);
        meta.put("per_page", perPage);
        meta.put("total_pages", (total + perPage - 1) / perPage);
        meta.put("total", total);
        return meta;
    }
}
