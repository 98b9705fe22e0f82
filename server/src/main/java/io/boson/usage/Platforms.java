package io.boson.usage;

import java.util.Map;

/**
 * The one table of which platforms connect over cellular, so their connection bytes are metered
 * as cellular data (platform ids from @particle/device-constants). Wi-Fi platforms (Photon 6,
 * P1 8, Argon 12, P2/Photon 2 32) are not in it. E Series modules report Electron's id, Monitor
 * One reports Tracker's.
 */
public final class Platforms {

    private static final Map<Integer, String> CELLULAR = Map.of(
            10, "Electron / E Series",
            13, "Boron",
            23, "B SoM",
            25, "B5 SoM",
            26, "Tracker / Monitor One");

    private Platforms() {
    }

    public static boolean cellular(int platformId) {
        return CELLULAR.containsKey(platformId);
    }
}
