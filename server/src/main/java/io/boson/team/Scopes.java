package io.boson.team;

import io.boson.errors.DomainException;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.boson.team.Action.*;

/**
 * What an API user's scopes (Particle's names) allow: each scope grants exactly the listed actions,
 * and an API user can do nothing else.
 */
public final class Scopes {

    static final Map<String, Set<Action>> GRANTS = Map.ofEntries(
            Map.entry("devices:list", EnumSet.of(VIEW_DEVICE)),
            Map.entry("devices:get", EnumSet.of(VIEW_DEVICE)),
            Map.entry("devices:update", EnumSet.of(EDIT_DEVICE)),
            Map.entry("devices:import", EnumSet.of(IMPORT_DEVICES)),
            Map.entry("devices:remove", EnumSet.of(REMOVE_DEVICES)),
            Map.entry("devices:ping", EnumSet.of(PING)),
            Map.entry("devices.function:call", EnumSet.of(CALL_FUNCTIONS)),
            Map.entry("devices.variable:get", EnumSet.of(READ_VARIABLES)),
            Map.entry("devices.diagnostics:get", EnumSet.of(VIEW_VITALS)),
            Map.entry("events:get", EnumSet.of(SUBSCRIBE_EVENTS)),
            Map.entry("events:send", EnumSet.of(PUBLISH_EVENT)),
            Map.entry("groups:list", EnumSet.of(VIEW_DEVICE)),
            Map.entry("groups:create", EnumSet.of(CREATE_GROUP)),
            Map.entry("groups:update", EnumSet.of(EDIT_GROUP)),
            Map.entry("groups:remove", EnumSet.of(EDIT_GROUP)),
            Map.entry("firmware:list", EnumSet.of(VIEW_FIRMWARE)),
            Map.entry("firmware:get", EnumSet.of(VIEW_FIRMWARE)),
            // One permission in the role table ("upload, release, edit firmware"), so one scope: a CI
            // pipeline's API user can upload and release builds.
            Map.entry("firmware:update", EnumSet.of(MANAGE_FIRMWARE)),
            Map.entry("teams.users:list", EnumSet.of(VIEW_TEAM)),
            Map.entry("clients:list", EnumSet.of(VIEW_CLIENTS)),
            Map.entry("customers:list", EnumSet.of(VIEW_CUSTOMERS)),
            Map.entry("products:get", EnumSet.of(VIEW_SETTINGS)));

    private Scopes() {
    }

    public static boolean allows(Set<String> scopes, Action action) {
        for (String s : scopes) {
            Set<Action> granted = GRANTS.get(s);
            if (granted != null && granted.contains(action)) return true;
        }
        return false;
    }

    /** Checks and normalises requested scopes: at least one, all known. */
    public static Set<String> parse(List<String> requested) {
        if (requested == null || requested.isEmpty()) throw DomainException.invalid("scopes must list at least one scope");
        Set<String> out = new LinkedHashSet<>();
        for (String s : requested) {
            if (!GRANTS.containsKey(s)) {
                throw DomainException.invalid("Unknown scope " + s + "; known: " + String.join(", ", GRANTS.keySet()));
            }
            out.add(s);
        }
        return out;
    }

    public static Set<String> fromStored(String stored) {
        if (stored == null || stored.isBlank()) return Set.of();
        return new LinkedHashSet<>(List.of(stored.split(" ")));
    }
}
