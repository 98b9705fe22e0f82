package io.boson.firmware;

import java.util.Collection;
import java.util.List;

/**
 * Which product firmware a device should run, exactly in Particle's order: a development device
 * gets none; else its locked version; else the highest version released to one of its groups;
 * else the product default; else none. The check is equality, so a target may be a downgrade.
 * A staged rollout's wave ({@link StagedTargets}) comes after locks and before group releases.
 */
public final class Precedence {

    /** Why a version is the target; {@code immediate} targets are pushed to online devices at once. */
    public enum Source { LOCK, ROLLOUT, GROUP, DEFAULT }

    public record Target(int version, Source source, boolean immediate) {
    }

    private Precedence() {
    }

    /** The target of a device, or null for "no automatic update". */
    public static Target target(DeviceFirmware d, Collection<Firmware> releases) {
        return target(d, releases, null);
    }

    /** The target of a device, with {@code staged} the one a rollout gives it (null: none). */
    public static Target target(DeviceFirmware d, Collection<Firmware> releases, Target staged) {
        if (d.productId() == null || d.development()) return null;
        if (d.lockedVersion() != null) return new Target(d.lockedVersion(), Source.LOCK, d.lockFlash());
        if (staged != null) return staged;
        Firmware best = null;
        for (Firmware f : releases) {
            if (f.groups().stream().anyMatch(d.groups()::contains) && (best == null || f.version() > best.version())) best = f;
        }
        if (best != null) return new Target(best.version(), Source.GROUP, best.intelligent());
        for (Firmware f : releases) {
            if (f.productDefault()) return new Target(f.version(), Source.DEFAULT, f.intelligent());
        }
        return null;
    }

    /** The releases in effect, with {@code proposed} replacing its own version (for an impact preview). */
    public static List<Firmware> with(List<Firmware> releases, Firmware proposed) {
        return java.util.stream.Stream.concat(releases.stream()
                        .filter(f -> f.version() != proposed.version())
                        .map(f -> proposed.productDefault() && f.productDefault() ? unDefault(f) : f),
                java.util.stream.Stream.of(proposed)).toList();
    }

    private static Firmware unDefault(Firmware f) {
        return new Firmware(f.productId(), f.version(), f.title(), f.description(), f.fileName(), f.size(), f.sha256(),
                f.uploadedBy(), f.uploadedAt(), f.releasedAt(), false, f.intelligent(), f.updatedAt(), f.groups());
    }
}
