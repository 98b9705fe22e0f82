package io.boson.devices;

import io.boson.auth.Principal;

/** Resolves a {@link DeviceRef} for a caller, or throws not found: the one permission check for device calls. */
public interface DeviceAccess {

    Device resolve(Principal caller, DeviceRef ref);
}
