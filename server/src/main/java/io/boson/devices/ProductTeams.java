package io.boson.devices;

import io.boson.auth.Principal;

/**
 * Who is on a product's team, as far as the device registry needs to know (claiming product
 * devices). Implemented by the products feature, so devices do not depend on it.
 */
public interface ProductTeams {

    boolean onTeam(Principal caller, long productId);

    /** The account with this id is on the product's team (a claim code's owner, for instance). */
    boolean onTeam(long userId, long productId);
}
