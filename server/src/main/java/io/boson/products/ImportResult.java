package io.boson.products;

import java.util.List;

/**
 * Particle's import report, per ID: {@code updatedDeviceIds} were added now, {@code existing…}
 * were already in the product, {@code nonmember…} are claimed by an account outside the team,
 * {@code invalid…} are malformed, unknown or of another platform, {@code protected…} belong to
 * another product.
 */
public record ImportResult(List<String> updatedDeviceIds, List<String> existingDeviceIds, List<String> nonmemberDeviceIds,
                           List<String> invalidDeviceIds, List<String> protectedDeviceIds) {

    public int updated() {
        return updatedDeviceIds.size();
    }
}
