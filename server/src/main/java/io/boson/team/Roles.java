package io.boson.team;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.boson.team.Action.*;

/**
 * The one table of who may do what, exactly Particle's "Team access controls" matrix
 * (shared/reference/team-roles.md). Every service asks it; no endpoint decides on its own.
 */
public final class Roles {

    private static final Set<Action> VIEW_ONLY_ACTIONS = EnumSet.of(VIEW_TEAM, VIEW_FLEET_HEALTH, VIEW_DEVICE,
            SUBSCRIBE_EVENTS, VIEW_VITALS, VIEW_SIM, VIEW_FIRMWARE, VIEW_INTEGRATIONS, VIEW_CLIENTS, VIEW_CUSTOMERS,
            VIEW_SETTINGS);
    private static final Set<Action> SUPPORT_ADDS = EnumSet.of(REFRESH_VITALS, READ_VARIABLES, CALL_FUNCTIONS, PING,
            UPDATE_SIM);
    private static final Set<Action> DEVELOPER_ADDS = EnumSet.of(IMPORT_DEVICES, EDIT_DEVICE, FLASH_DEVICES,
            REMOVE_DEVICES, CREATE_GROUP, EDIT_GROUP, PUBLISH_EVENT, MANAGE_SIMS, MANAGE_FIRMWARE, MANAGE_INTEGRATIONS,
            MANAGE_CLIENTS, MANAGE_CUSTOMERS);
    /** Reading the audit log is a Boson addition, given to Administrators. */
    private static final Set<Action> ADMINISTRATOR_ADDS = EnumSet.of(MANAGE_TEAM, EDIT_SETTINGS, VIEW_BILLING, READ_AUDIT);
    private static final Set<Action> OWNER_ADDS = EnumSet.of(MANAGE_BILLING);

    private static final Map<Role, Set<Action>> TABLE = new EnumMap<>(Role.class);

    static {
        Set<Action> viewOnly = EnumSet.copyOf(VIEW_ONLY_ACTIONS);
        Set<Action> support = union(viewOnly, SUPPORT_ADDS);
        Set<Action> developer = union(support, DEVELOPER_ADDS);
        Set<Action> administrator = union(developer, ADMINISTRATOR_ADDS);
        TABLE.put(Role.VIEW_ONLY, viewOnly);
        TABLE.put(Role.SUPPORT, support);
        TABLE.put(Role.DEVELOPER, developer);
        TABLE.put(Role.ADMINISTRATOR, administrator);
        TABLE.put(Role.OWNER, union(administrator, OWNER_ADDS));
    }

    private Roles() {
    }

    public static boolean allows(Role role, Action action) {
        return TABLE.getOrDefault(role, Set.of()).contains(action);
    }

    private static Set<Action> union(Set<Action> a, Set<Action> b) {
        Set<Action> out = EnumSet.copyOf(a);
        out.addAll(b);
        return out;
    }
}
