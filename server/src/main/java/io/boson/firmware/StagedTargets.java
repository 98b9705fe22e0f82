package io.boson.firmware;

import io.boson.auth.Principal;

import java.util.Collection;
import java.util.Map;

/**
 * What staged rollouts (io.boson.rollouts) add to the release precedence: a device in a wave that
 * started gets the rollout's version as if it were released to it, after development devices and
 * locks and before group and default releases. Firmware asks; rollouts answers.
 */
public interface StagedTargets {

    /** The target a rollout gives this device, or null (then the releases decide). */
    Precedence.Target target(DeviceFirmware d);

    /** The same for these devices of a product (those with none are left out). */
    Map<String, Precedence.Target> targets(long productId, Collection<DeviceFirmware> devices);

    /**
     * A release of {@code version} is about to be made: refuses it (a DomainException) when it would
     * give the devices of an unfinished rollout another version, or cancels those rollouts when
     * {@code cancelRollouts}.
     */
    void releasing(Principal caller, long productId, int version, boolean productDefault, Collection<String> groups,
                   boolean cancelRollouts);

    /** These devices changed in ways that can move them in or out of a rollout (groups, development, locks, import). */
    default void devicesChanged(Collection<String> deviceIds) {
    }

    StagedTargets NONE = new StagedTargets() {
        @Override
        public Precedence.Target target(DeviceFirmware d) {
            return null;
        }

        @Override
        public Map<String, Precedence.Target> targets(long productId, Collection<DeviceFirmware> devices) {
            return Map.of();
        }

        @Override
        public void releasing(Principal caller, long productId, int version, boolean productDefault, Collection<String> groups,
                              boolean cancelRollouts) {
        }
    };
}
