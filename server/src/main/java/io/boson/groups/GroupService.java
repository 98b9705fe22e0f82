package io.boson.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Device groups of a product: names of lowercase {@code a-z 0-9 - _} up to 64 characters, a
 * {@code #rrggbb} colour and a description. Setting a device's groups or a batch action creates
 * groups that do not exist yet, as Particle does.
 */
public final class GroupService {

    public static final int MAX_BATCH = 10_000;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final String[] PALETTE = {"#0097a7", "#7b1fa2", "#c2185b", "#f57c00", "#388e3c", "#1976d2", "#5d4037", "#455a64"};

    private final ProductService products;
    private final GroupRepository groups;
    private final AuditLog audit;
    private final Clock clock;

    public GroupService(ProductService products, GroupRepository groups, AuditLog audit, Clock clock) {
        this.products = products;
        this.groups = groups;
        this.audit = audit;
        this.clock = clock;
    }

    public List<Group> list(Principal caller, String product, String namePart) {
        return groups.list(products.require(caller, product, Action.VIEW_DEVICE).id(), namePart);
    }

    public Group get(Principal caller, String product, String name) {
        return groups.find(products.require(caller, product, Action.VIEW_DEVICE).id(), name)
                .orElseThrow(() -> DomainException.notFound("Group not found"));
    }

    public Group create(Principal caller, String product, String name, String description, String color) {
        Product p = products.require(caller, product, Action.CREATE_GROUP);
        validName(name);
        validColor(color);
        if (groups.find(p.id(), name).isPresent()) throw DomainException.conflict("The product already has a group named " + name);
        groups.create(p.id(), name, description, color == null ? colorFor(name) : color.toLowerCase(), clock.millis());
        audit.record(caller, p.id(), "group.create", name, null);
        return groups.find(p.id(), name).orElseThrow();
    }

    public Group update(Principal caller, String product, String name, String newName, String description, String color) {
        Product p = products.require(caller, product, Action.EDIT_GROUP);
        Group g = groups.find(p.id(), name).orElseThrow(() -> DomainException.notFound("Group not found"));
        String target = newName == null ? g.name() : newName;
        validName(target);
        validColor(color);
        if (!target.equals(g.name()) && groups.find(p.id(), target).isPresent()) {
            throw DomainException.conflict("The product already has a group named " + target);
        }
        groups.update(g.id(), target, description == null ? g.description() : description,
                color == null ? g.color() : color.toLowerCase());
        audit.record(caller, p.id(), "group.update", name, target.equals(name) ? null : "renamed to " + target);
        return groups.find(p.id(), target).orElseThrow();
    }

    /** Deletes a group; returns the devices that were in it (their firmware target may change). */
    public List<String> delete(Principal caller, String product, String name) {
        Product p = products.require(caller, product, Action.EDIT_GROUP);
        List<String> members = groups.delete(p.id(), name).orElseThrow(() -> DomainException.notFound("Group not found"));
        audit.record(caller, p.id(), "group.delete", name, members.size() + " device(s)");
        return members;
    }

    /** Replaces one device's groups with {@code names} (the product device must exist). */
    public List<String> setDeviceGroups(Principal caller, String product, String deviceId, List<String> names) {
        Product p = products.require(caller, product, Action.EDIT_DEVICE);
        Set<String> set = new LinkedHashSet<>(names);
        set.forEach(GroupService::validName);
        groups.edit(p.id(), List.of(deviceId), set, List.of(), true, GroupService::colorFor, clock.millis());
        audit.record(caller, p.id(), "device.groups", deviceId, String.join(",", set));
        return List.copyOf(set);
    }

    /** {@code PUT /v1/products/:p/devices} with {@code action: groups}: add and remove groups on many devices. */
    public void batch(Principal caller, String product, String action, List<String> deviceIds, JsonNode metadata) {
        Product p = products.require(caller, product, Action.EDIT_DEVICE);
        if (!"groups".equals(action)) throw DomainException.invalid("action must be \"groups\"");
        if (deviceIds == null || deviceIds.isEmpty()) throw DomainException.invalid("devices must list at least one device ID");
        if (deviceIds.size() > MAX_BATCH) throw DomainException.invalid("At most " + MAX_BATCH + " devices per batch");
        if (metadata == null || !metadata.isObject()) throw DomainException.invalid("metadata must be an object with add and/or remove");
        List<String> add = names(metadata.get("add"));
        List<String> remove = names(metadata.get("remove"));
        if (add.isEmpty() && remove.isEmpty()) throw DomainException.invalid("metadata.add or metadata.remove must list groups");
        Set<String> ids = new LinkedHashSet<>();
        for (String id : deviceIds) ids.add(id.trim().toLowerCase());
        if (groups.countInProduct(p.id(), ids) != ids.size()) {
            throw DomainException.invalid("Every device must be in the product");
        }
        groups.edit(p.id(), ids, add, remove, false, GroupService::colorFor, clock.millis());
        audit.record(caller, p.id(), "devices.groups", ids.size() + " devices", "add=" + add + " remove=" + remove);
    }

    private static List<String> names(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw DomainException.invalid("metadata.add and metadata.remove are arrays of group names");
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw DomainException.invalid("group names are strings");
            validName(n.asText());
            out.add(n.asText());
        }
        return out;
    }

    static void validName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw DomainException.invalid("Group names are 1 to 64 characters of lowercase a-z, 0-9, - and _");
        }
    }

    private static void validColor(String color) {
        if (color != null && !COLOR.matcher(color).matches()) throw DomainException.invalid("color must look like #rrggbb");
    }

    static String colorFor(String name) {
        return PALETTE[Math.floorMod(name.hashCode(), PALETTE.length)];
    }
}
