package io.boson.devices;

import io.boson.auth.Principal;

/**
 * What the device registry needs to know about product teams: who may claim a product device.
 * Implemented by the products feature, so devices do not depend on it.
 */
public interface ProductTeams {

    /** Claiming gives owner's rights over the device, so it takes a role that may edit devices. */
    boolean mayClaim(long userId, long productId);

    /** The product whose customer the account is; empty for people. */
    java.util.Optional<Long> customerProduct(long userId);

    default boolean mayClaim(Principal caller, long productId) {
        return mayClaim(caller.userId(), productId);
    }
}
