package io.boson.team;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.boson.team.Action.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The role table is exactly the reference matrix (shared/reference/team-roles.md), read from the file itself. */
class RolesTableTest {

    /** Each row of the reference's product table, by its label. */
    static final Map<String, Action> ROWS = Map.ofEntries(
            Map.entry("View product team", VIEW_TEAM),
            Map.entry("Manage product team (invite, change role, remove)", MANAGE_TEAM),
            Map.entry("View fleet health", VIEW_FLEET_HEALTH),
            Map.entry("View device", VIEW_DEVICE),
            Map.entry("Subscribe to device events", SUBSCRIBE_EVENTS),
            Map.entry("View device vitals", VIEW_VITALS),
            Map.entry("Refresh device vitals", REFRESH_VITALS),
            Map.entry("Read device variables", READ_VARIABLES),
            Map.entry("Call device functions", CALL_FUNCTIONS),
            Map.entry("Ping device", PING),
            Map.entry("Add (import) devices to the product", IMPORT_DEVICES),
            Map.entry("Edit device info (name, notes, groups, development, lock)", EDIT_DEVICE),
            Map.entry("Flash firmware to devices", FLASH_DEVICES),
            Map.entry("Remove / unclaim devices", REMOVE_DEVICES),
            Map.entry("Create device group", CREATE_GROUP),
            Map.entry("Edit / delete device group", EDIT_GROUP),
            Map.entry("Publish event", PUBLISH_EVENT),
            Map.entry("View SIM card", VIEW_SIM),
            Map.entry("Update SIM lifecycle state, change SIM data limit", UPDATE_SIM),
            Map.entry("Add / remove SIMs", MANAGE_SIMS),
            Map.entry("View product firmware", VIEW_FIRMWARE),
            Map.entry("Upload firmware version, release firmware, edit firmware info", MANAGE_FIRMWARE),
            Map.entry("View integrations", VIEW_INTEGRATIONS),
            Map.entry("Create / edit / delete integrations", MANAGE_INTEGRATIONS),
            Map.entry("View OAuth clients", VIEW_CLIENTS),
            Map.entry("Create / edit / delete OAuth clients", MANAGE_CLIENTS),
            Map.entry("View customers", VIEW_CUSTOMERS),
            Map.entry("Create / edit / delete customers", MANAGE_CUSTOMERS),
            Map.entry("View product settings", VIEW_SETTINGS),
            Map.entry("Edit product settings", EDIT_SETTINGS),
            Map.entry("View billing & usage", VIEW_BILLING),
            Map.entry("Manage billing", MANAGE_BILLING));
    static final List<Role> COLUMNS = List.of(Role.OWNER, Role.ADMINISTRATOR, Role.DEVELOPER, Role.SUPPORT, Role.VIEW_ONLY);

    static Path reference() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("shared/reference/team-roles.md");
            if (Files.isRegularFile(p)) return p;
            p = dir.getParent() == null ? null : dir.getParent().resolve("shared/reference/team-roles.md");
            if (p != null && Files.isRegularFile(p)) return p;
        }
        return null;
    }

    @Test
    void everyCellOfTheReferenceTableMatches() throws IOException {
        Path ref = reference();
        assumeTrue(ref != null, "shared/reference/team-roles.md is beside the repository");
        List<String> lines = Files.readAllLines(ref);
        int start = lines.indexOf("## Product permissions");
        Set<Action> seen = EnumSet.noneOf(Action.class);
        for (String line : lines.subList(start + 3, lines.size())) {
            if (!line.startsWith("|")) break;
            String[] cells = line.split("\\|", -1);
            Action action = ROWS.get(cells[1].trim());
            assertThat(action).as("a row the code knows: " + cells[1]).isNotNull();
            seen.add(action);
            for (int i = 0; i < COLUMNS.size(); i++) {
                boolean allowed = cells.length > i + 2 && cells[i + 2].trim().equals("Y");
                assertThat(Roles.allows(COLUMNS.get(i), action)).as(COLUMNS.get(i) + " × " + action).isEqualTo(allowed);
            }
        }
        assertThat(seen).hasSize(ROWS.size());
    }

    @Test
    void bosonAdditionsAndRoleNames() {
        assertThat(Roles.allows(Role.ADMINISTRATOR, READ_AUDIT)).isTrue();
        assertThat(Roles.allows(Role.DEVELOPER, READ_AUDIT)).isFalse();
        assertThat(Role.assignable(null)).isEqualTo(Role.VIEW_ONLY);
        assertThat(Role.assignable("Developer")).isEqualTo(Role.DEVELOPER);
        assertThat(Role.assignable("view-only")).isEqualTo(Role.VIEW_ONLY);
        assertThat(Role.assignable("000000000000000000000002")).isEqualTo(Role.ADMINISTRATOR);
    }
}
