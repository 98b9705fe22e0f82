package io.boson.groups;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/products/:product/groups…} in Particle's shapes. */
public final class GroupRoutes implements HttpApi.Routes {

    private final GroupService groups;
    private final Tokens tokens;
    private final ObjectMapper json;

    private final java.util.function.Consumer<java.util.Collection<String>> devicesChanged;

    /** @param devicesChanged told which devices left a deleted group (firmware re-evaluates them) */
    public GroupRoutes(GroupService groups, Tokens tokens, ObjectMapper json,
                       java.util.function.Consumer<java.util.Collection<String>> devicesChanged) {
        this.devicesChanged = devicesChanged;
        this.groups = groups;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/products/{product}/groups", ctx -> ctx.json(Map.of("groups",
                groups.list(tokens.principal(ctx), ctx.pathParam("product"), ctx.queryParam("name")).stream()
                        .map(g -> view(g, false)).toList())));
        r.post("/v1/products/{product}/groups", ctx -> {
            Body b = Body.of(ctx, json);
            Group g = groups.create(tokens.principal(ctx), ctx.pathParam("product"), b.string("name"),
                    b.string("description"), b.string("color"));
            ctx.status(201).json(Map.of("group", view(g, true)));
        });
        r.get("/v1/products/{product}/groups/{name}", ctx -> ctx.json(Map.of("group",
                view(groups.get(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("name")), true))));
        r.put("/v1/products/{product}/groups/{name}", ctx -> {
            Body b = Body.of(ctx, json);
            Group g = groups.update(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("name"),
                    b.string("name"), b.string("description"), b.string("color"));
            ctx.json(Map.of("group", view(g, true)));
        });
        r.delete("/v1/products/{product}/groups/{name}", ctx -> {
            // A release to the group no longer applies to its devices: the online ones re-check at once.
            devicesChanged.accept(groups.delete(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("name")));
            ctx.status(204);
        });
    }

    private static Map<String, Object> view(Group g, boolean withCount) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("description", g.description());
        m.put("color", g.color());
        m.put("fw_version", null);
        if (withCount) m.put("device_count", g.deviceCount());
        return m;
    }
}
