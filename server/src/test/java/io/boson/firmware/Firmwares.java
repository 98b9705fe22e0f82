package io.boson.firmware;

import io.boson.testing.Api;

import java.util.Map;
import java.util.Random;

/** Test firmware images and the calls that upload and release them. */
final class Firmwares {

    private Firmwares() {
    }

    /** A reproducible "binary" of {@code size} bytes (with NUL bytes, as compiled images have). */
    static byte[] image(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = 0;
        return b;
    }

    static Api.Response upload(Api api, long product, int version, byte[] image) {
        return api.multipart("POST", "/v1/products/" + product + "/firmware", "firmware.bin", image,
                Map.of("version", Integer.toString(version), "title", "v" + version, "description", "test build"));
    }

    static void uploaded(Api api, long product, int version, byte[] image) {
        Api.Response r = upload(api, product, version, image);
        if (r.status() != 201) throw new AssertionError("upload failed: " + r);
    }

    static Api.Response release(Api api, long product, int version, boolean productDefault, java.util.List<String> groups,
                                boolean intelligent) {
        return api.putJson("/v1/products/" + product + "/firmware/release", Map.of("version", version,
                "product_default", productDefault, "groups", groups, "intelligent", intelligent));
    }
}
