package io.boson.team;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every route of the API with the rule that guards it. {@link PermissionMatrixTest} walks the routes
 * the running server registered and fails when one has no rule here (a new route must say who may
 * call it), or when a rule names a route that no longer exists; then it checks each rule through
 * HTTP for every role, an anonymous caller and strangers.
 */
final class RouteRules {

    /** Who may call a route. */
    sealed interface Rule {
    }

    /** No access token: credentials travel in the request itself, or the route reveals nothing. */
    record Public(String why) implements Rule {
    }

    /**
     * A product's route: the role table's {@code action} decides (team, API-user scopes, product
     * tokens, org roles). {@code customers}: the product's customers may call it too (for their own
     * things); {@code productToken}: a product token may call it when its Developer role allows.
     */
    record Product(Action action, boolean customers, boolean productToken) implements Rule {
        Product(Action action) {
            this(action, false, true);
        }
    }

    /** An organization's route: the member's org role decides by the same table. */
    record Org(Action action) implements Rule {
    }

    /**
     * The caller's own things (their devices, tokens, clients, usage): any signed-in user, who sees and
     * changes only their own. {@code target} names the path parameter that points at someone's
     * thing, or null when the route has none (it lists or creates the caller's own).
     */
    record Own(String target) implements Rule {
    }

    /** The platform administrator only. */
    record Admin() implements Rule {
    }

    /** Event streams: the call opens a stream instead of answering at once. */
    static final Set<String> STREAMS = Set.of(
            "GET /v1/devices/events", "GET /v1/devices/events/<prefix>",
            "GET /v1/devices/{id}/events", "GET /v1/devices/{id}/events/<prefix>",
            "GET /v1/events", "GET /v1/events/<prefix>",
            "GET /v1/orgs/{org}/events", "GET /v1/orgs/{org}/events/<prefix>",
            "GET /v1/orgs/{org}/products/{product}/events", "GET /v1/orgs/{org}/products/{product}/events/<prefix>",
            "GET /v1/products/{product}/events", "GET /v1/products/{product}/events/<prefix>",
            "GET /v1/products/{product}/devices/{id}/events", "GET /v1/products/{product}/devices/{id}/events/<prefix>");

    static final Map<String, Rule> RULES = rules();

    private static Map<String, Rule> rules() {
        Map<String, Rule> r = new LinkedHashMap<>();
        // Operations and sign-in.
        r.put("GET /health/live", new Public("liveness probe, says only that the process runs"));
        r.put("GET /health/ready", new Public("readiness probe, says only whether the database and bus answer"));
        r.put("GET /metrics", new Public("Prometheus scrape: node counters, no tenant data (bind --metrics-port privately)"));
        r.put("POST /oauth/token", new Public("credentials in the body"));
        r.put("POST /v1/users", new Public("sign-up (refused unless open sign-up is on)"));
        r.put("POST /v1/products/{product}/customers", new Public("the product's OAuth client credentials in the body"));
        r.put("GET /v1/server_key", new Public("the cloud's public key, which a Device OS device needs before it can connect"));

        // Platform administration.
        r.put("POST /v1/admin/devices", new Admin());
        // A device's public key: the admin for any ID (tested in DeviceKeysTest), an owner for their own devices.
        r.put("POST /v1/provisioning/{id}", new Own("{id}"));
        r.put("PUT /v1/admin/usage/{kind}/{name}/plan", new Admin());

        // The caller's own account, tokens, clients and devices.
        r.put("GET /v1/user", new Own(null));
        r.put("GET /v1/user/products", new Own(null));
        r.put("POST /v1/user/products", new Own(null));
        r.put("GET /v1/products", new Own(null));
        r.put("GET /v1/user/usage", new Own(null));
        r.put("GET /v1/user/usage_reports/{id}", new Own("id"));
        r.put("GET /v1/user/service_agreements", new Own(null));
        r.put("GET /v1/user/service_agreements/{id}/notifications", new Own("id"));
        r.put("POST /v1/user/service_agreements/{id}/usage_reports", new Own("id"));
        r.put("GET /v1/usage_reports/{id}/{file}", new Public("a download link: the file name is a random key given"
                + " only to whoever may read the report"));
        r.put("GET /v1/access_tokens/current", new Own(null));
        r.put("DELETE /v1/access_tokens/current", new Own(null));
        r.put("DELETE /v1/access_tokens/{token}", new Public("the token in the path is the credential: its holder may"
                + " use it or revoke it (particle-cli token revoke sends no Authorization)"));
        r.put("GET /v1/webhooks", new Own(null));
        r.put("POST /v1/webhooks", new Own(null));
        r.put("GET /v1/webhooks/{id}", new Own("id"));
        r.put("DELETE /v1/webhooks/{id}", new Own("id"));
        r.put("GET /v1/clients", new Own(null));
        r.put("POST /v1/clients", new Own(null));
        r.put("PUT /v1/clients/{id}", new Own("id"));
        r.put("DELETE /v1/clients/{id}", new Own("id"));
        r.put("POST /v1/device_claims", new Own(null));
        r.put("GET /v1/devices", new Own(null));
        r.put("POST /v1/devices", new Own(null));
        r.put("GET /v1/devices/events", new Own(null));
        r.put("GET /v1/devices/events/<prefix>", new Own(null));
        r.put("POST /v1/devices/events", new Own(null));
        r.put("GET /v1/events", new Own(null));
        r.put("GET /v1/events/<prefix>", new Own(null));
        r.put("GET /v1/devices/{id}", new Own("id"));
        r.put("PUT /v1/devices/{id}", new Own("id"));
        r.put("DELETE /v1/devices/{id}", new Own("id"));
        r.put("GET /v1/devices/{id}/events", new Own("id"));
        r.put("GET /v1/devices/{id}/events/<prefix>", new Own("id"));
        r.put("GET /v1/devices/{id}/event-history", new Own("id"));
        r.put("PUT /v1/devices/{id}/ping", new Own("id"));
        r.put("POST /v1/devices/{id}/{function}", new Own("id"));
        r.put("GET /v1/devices/{id}/{variable}", new Own("id"));
        r.put("GET /v1/diagnostics/{id}", new Own("id"));
        r.put("GET /v1/diagnostics/{id}/last", new Own("id"));
        r.put("GET /v1/diagnostics/{id}/metadata", new Own("id"));
        r.put("GET /v1/diagnostics/{id}/connections", new Own("id"));
        r.put("GET /v1/diagnostics/{id}/charts/{metric}", new Own("id"));
        r.put("POST /v1/diagnostics/{id}/update", new Own("id"));
        r.put("GET /v1/sims/{iccid}/data_usage", new Own("iccid"));
        r.put("GET /v1/orgs", new Own(null));
        r.put("POST /v1/orgs", new Own(null));

        // Organizations.
        r.put("GET /v1/orgs/{org}", new Org(Action.VIEW_TEAM));
        r.put("GET /v1/orgs/{org}/team", new Org(Action.VIEW_TEAM));
        r.put("POST /v1/orgs/{org}/team", new Org(Action.MANAGE_TEAM));
        r.put("PUT /v1/orgs/{org}/team/{username}", new Org(Action.MANAGE_TEAM));
        r.put("DELETE /v1/orgs/{org}/team/{username}", new Org(Action.MANAGE_TEAM));
        r.put("GET /v1/orgs/{org}/audit", new Org(Action.READ_AUDIT));
        r.put("GET /v1/orgs/{org}/products", new Org(Action.VIEW_SETTINGS));
        r.put("POST /v1/orgs/{org}/products", new Org(Action.EDIT_SETTINGS));
        r.put("GET /v1/orgs/{org}/events", new Org(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/orgs/{org}/events/<prefix>", new Org(Action.SUBSCRIBE_EVENTS));
        r.put("POST /v1/orgs/{org}/events", new Org(Action.PUBLISH_EVENT));
        r.put("GET /v1/orgs/{org}/products/{product}/events", new Org(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/orgs/{org}/products/{product}/events/<prefix>", new Org(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/orgs/{org}/products/{product}/webhooks", new Org(Action.VIEW_INTEGRATIONS));
        r.put("POST /v1/orgs/{org}/products/{product}/webhooks", new Org(Action.MANAGE_INTEGRATIONS));
        r.put("GET /v1/orgs/{org}/products/{product}/webhooks/{id}", new Org(Action.VIEW_INTEGRATIONS));
        r.put("DELETE /v1/orgs/{org}/products/{product}/webhooks/{id}", new Org(Action.MANAGE_INTEGRATIONS));
        r.put("GET /v1/orgs/{org}/usage", new Org(Action.VIEW_BILLING));
        r.put("GET /v1/orgs/{org}/usage_reports/{id}", new Org(Action.VIEW_BILLING));
        r.put("GET /v1/orgs/{org}/service_agreements", new Org(Action.VIEW_BILLING));
        r.put("GET /v1/orgs/{org}/service_agreements/{id}/notifications", new Org(Action.VIEW_BILLING));
        r.put("POST /v1/orgs/{org}/service_agreements/{id}/usage_reports", new Org(Action.VIEW_BILLING));

        // Products.
        r.put("GET /v1/products/{product}", new Product(Action.VIEW_SETTINGS));
        r.put("PUT /v1/products/{product}", new Product(Action.EDIT_SETTINGS));
        r.put("GET /v1/products/{product}/audit", new Product(Action.READ_AUDIT));
        r.put("GET /v1/products/{product}/team", new Product(Action.VIEW_TEAM));
        r.put("POST /v1/products/{product}/team", new Product(Action.MANAGE_TEAM));
        r.put("PUT /v1/products/{product}/team/{username}", new Product(Action.MANAGE_TEAM));
        r.put("DELETE /v1/products/{product}/team/{username}", new Product(Action.MANAGE_TEAM));
        r.put("GET /v1/products/{product}/webhooks", new Product(Action.VIEW_INTEGRATIONS));
        r.put("POST /v1/products/{product}/webhooks", new Product(Action.MANAGE_INTEGRATIONS));
        r.put("GET /v1/products/{product}/webhooks/{id}", new Product(Action.VIEW_INTEGRATIONS));
        r.put("DELETE /v1/products/{product}/webhooks/{id}", new Product(Action.MANAGE_INTEGRATIONS));
        r.put("GET /v1/products/{product}/clients", new Product(Action.VIEW_CLIENTS));
        r.put("POST /v1/products/{product}/clients", new Product(Action.MANAGE_CLIENTS));
        r.put("PUT /v1/products/{product}/clients/{id}", new Product(Action.MANAGE_CLIENTS));
        r.put("DELETE /v1/products/{product}/clients/{id}", new Product(Action.MANAGE_CLIENTS));
        r.put("GET /v1/products/{product}/customers", new Product(Action.VIEW_CUSTOMERS));
        r.put("GET /v1/products/{product}/customers/{email}", new Product(Action.VIEW_CUSTOMERS));
        r.put("PUT /v1/products/{product}/customers/{email}", new Product(Action.MANAGE_CUSTOMERS));
        r.put("DELETE /v1/products/{product}/customers/{email}", new Product(Action.MANAGE_CUSTOMERS));
        // A claim code belongs to a person: the product's customers and members who may edit devices, not product tokens.
        r.put("POST /v1/products/{product}/device_claims", new Product(Action.EDIT_DEVICE, true, false));
        r.put("GET /v1/products/{product}/devices", new Product(Action.VIEW_DEVICE));
        r.put("POST /v1/products/{product}/devices", new Product(Action.IMPORT_DEVICES));
        r.put("PUT /v1/products/{product}/devices", new Product(Action.EDIT_DEVICE));
        r.put("GET /v1/products/{product}/devices/{id}", new Product(Action.VIEW_DEVICE));
        r.put("PUT /v1/products/{product}/devices/{id}", new Product(Action.EDIT_DEVICE));
        r.put("DELETE /v1/products/{product}/devices/{id}", new Product(Action.REMOVE_DEVICES));
        r.put("GET /v1/products/{product}/devices/{id}/events", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/products/{product}/devices/{id}/events/<prefix>", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/products/{product}/devices/{id}/event-history", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("PUT /v1/products/{product}/devices/{id}/ping", new Product(Action.PING));
        r.put("POST /v1/products/{product}/devices/{id}/{function}", new Product(Action.CALL_FUNCTIONS));
        r.put("GET /v1/products/{product}/devices/{id}/{variable}", new Product(Action.READ_VARIABLES));
        r.put("GET /v1/products/{product}/diagnostics/{id}", new Product(Action.VIEW_VITALS));
        r.put("GET /v1/products/{product}/diagnostics/{id}/last", new Product(Action.VIEW_VITALS));
        r.put("GET /v1/products/{product}/diagnostics/{id}/metadata", new Product(Action.VIEW_VITALS));
        r.put("GET /v1/products/{product}/diagnostics/{id}/connections", new Product(Action.VIEW_VITALS));
        r.put("GET /v1/products/{product}/diagnostics/{id}/charts/{metric}", new Product(Action.VIEW_VITALS));
        r.put("POST /v1/products/{product}/diagnostics/{id}/update", new Product(Action.REFRESH_VITALS));
        r.put("GET /v1/products/{product}/events", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/products/{product}/events/<prefix>", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("GET /v1/products/{product}/event-history", new Product(Action.SUBSCRIBE_EVENTS));
        r.put("POST /v1/products/{product}/events", new Product(Action.PUBLISH_EVENT));
        r.put("GET /v1/products/{product}/firmware", new Product(Action.VIEW_FIRMWARE));
        r.put("POST /v1/products/{product}/firmware", new Product(Action.MANAGE_FIRMWARE));
        r.put("GET /v1/products/{product}/firmware/{version}", new Product(Action.VIEW_FIRMWARE));
        r.put("PUT /v1/products/{product}/firmware/{version}", new Product(Action.MANAGE_FIRMWARE));
        r.put("DELETE /v1/products/{product}/firmware/{version}", new Product(Action.MANAGE_FIRMWARE));
        r.put("GET /v1/products/{product}/firmware/{version}/binary", new Product(Action.VIEW_FIRMWARE));
        r.put("PUT /v1/products/{product}/firmware/release", new Product(Action.MANAGE_FIRMWARE));
        // Staged rollouts (a Boson extension) follow the firmware rows.
        r.put("GET /v1/products/{product}/rollouts", new Product(Action.VIEW_FIRMWARE));
        r.put("POST /v1/products/{product}/rollouts", new Product(Action.MANAGE_FIRMWARE));
        r.put("GET /v1/products/{product}/rollouts/{id}", new Product(Action.VIEW_FIRMWARE));
        r.put("GET /v1/products/{product}/rollouts/{id}/devices", new Product(Action.VIEW_FIRMWARE));
        r.put("POST /v1/products/{product}/rollouts/{id}/approve", new Product(Action.MANAGE_FIRMWARE));
        r.put("POST /v1/products/{product}/rollouts/{id}/pause", new Product(Action.MANAGE_FIRMWARE));
        r.put("POST /v1/products/{product}/rollouts/{id}/resume", new Product(Action.MANAGE_FIRMWARE));
        r.put("POST /v1/products/{product}/rollouts/{id}/cancel", new Product(Action.MANAGE_FIRMWARE));
        r.put("GET /v1/products/{product}/impact", new Product(Action.VIEW_FIRMWARE));
        r.put("GET /v1/products/{product}/fleet_health", new Product(Action.VIEW_FLEET_HEALTH));
        r.put("GET /v1/products/{product}/fleet_health/{metric}", new Product(Action.VIEW_FLEET_HEALTH));
        r.put("GET /v1/products/{product}/groups", new Product(Action.VIEW_DEVICE));
        r.put("POST /v1/products/{product}/groups", new Product(Action.CREATE_GROUP));
        r.put("GET /v1/products/{product}/groups/{name}", new Product(Action.VIEW_DEVICE));
        r.put("PUT /v1/products/{product}/groups/{name}", new Product(Action.EDIT_GROUP));
        r.put("DELETE /v1/products/{product}/groups/{name}", new Product(Action.EDIT_GROUP));
        r.put("GET /v1/products/{product}/sims/data_usage", new Product(Action.VIEW_SIM));
        r.put("GET /v1/products/{product}/sims/{iccid}/data_usage", new Product(Action.VIEW_SIM));
        r.put("GET /v1/products/{product}/usage", new Product(Action.VIEW_BILLING));
        return r;
    }

    private RouteRules() {
    }
}
