package io.boson.devices;

/**
 * A device as an API path names it: {@code /v1/devices/:idOrName} (the caller's own devices) or
 * {@code /v1/products/:product/devices/:idOrName} (a product's devices, for its team).
 */
public record DeviceRef(String product, String idOrName) {

    public static DeviceRef owned(String idOrName) {
        return new DeviceRef(null, idOrName);
    }

    public static DeviceRef inProduct(String productIdOrSlug, String idOrName) {
        return new DeviceRef(productIdOrSlug, idOrName);
    }
}
