package io.boson.devices;

import io.boson.auth.Principal;
import io.boson.team.Action;

/**
 * Resolves a {@link DeviceRef} for a caller who wants to do {@code action}: the one permission
 * check for device calls. A device the caller may not see is not found; one they may see but not
 * act on is forbidden.
 */
public interface DeviceAccess {

    Device resolve(Principal caller, DeviceRef ref, Action action);
}
