package io.boson.firmware;

import java.util.List;

/**
 * One uploaded version of a product's firmware and how it is released: to the whole product
 * ({@code productDefault}), to some groups, or not at all. Times are epoch millis.
 */
public record Firmware(long productId, int version, String title, String description, String fileName, int size,
                       String sha256, String uploadedBy, long uploadedAt, Long releasedAt, boolean productDefault,
                       boolean intelligent, long updatedAt, List<String> groups) {

    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 65535;

    public boolean released() {
        return productDefault || !groups.isEmpty();
    }
}
