package io.boson.orgs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.audit.AuditRoutes;
import io.boson.devices.DeviceJson;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.boson.team.MemberRepository;
import io.boson.team.TeamRoutes;
import io.boson.team.TeamService;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /v1/orgs…}: organizations (creating one is a Boson extension), their team and audit log.
 * Org products live in ProductRoutes, org events in EventRoutes.
 */
public final class OrgRoutes implements HttpApi.Routes {

    private final OrgService orgs;
    private final Tokens tokens;
    private final ObjectMapper json;

    public OrgRoutes(OrgService orgs, Tokens tokens, ObjectMapper json) {
        this.orgs = orgs;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/v1/orgs", ctx -> {
            Org o = orgs.create(tokens.principal(ctx), Body.of(ctx, json).string("name"));
            ctx.status(201).json(Map.of("ok", true, "organization", view(o)));
        });
        r.get("/v1/orgs", ctx -> ctx.json(Map.of("organizations",
                orgs.list(tokens.principal(ctx)).stream().map(OrgRoutes::view).toList())));
        r.get("/v1/orgs/{org}", ctx -> ctx.json(Map.of("organization",
                view(orgs.require(tokens.principal(ctx), ctx.pathParam("org"), io.boson.team.Action.VIEW_TEAM)))));
        r.get("/v1/orgs/{org}/team", ctx -> ctx.json(Map.of("ok", true, "team",
                orgs.team(tokens.principal(ctx), ctx.pathParam("org")).stream().map(TeamRoutes::view).toList())));
        r.post("/v1/orgs/{org}/team", ctx -> {
            Body b = Body.of(ctx, json);
            if (b.has("friendly_name")) {
                TeamService.ApiUser u = orgs.createApiUser(tokens.principal(ctx), ctx.pathParam("org"), b.string("friendly_name"),
                        b.strings("scopes"));
                ctx.json(Map.of("ok", true, "created", TeamRoutes.apiUser(u)));
                return;
            }
            MemberRepository.Member m = orgs.invite(tokens.principal(ctx), ctx.pathParam("org"), b.string("username"),
                    b.string("role"));
            Map<String, Object> body = new LinkedHashMap<>(TeamRoutes.view(m));
            body.put("ok", true);
            ctx.json(body);
        });
        r.put("/v1/orgs/{org}/team/{username}", ctx -> {
            Body b = Body.of(ctx, json);
            if (b.has("scopes")) {
                TeamService.ApiUser u = orgs.changeScopes(tokens.principal(ctx), ctx.pathParam("org"), ctx.pathParam("username"),
                        b.strings("scopes"));
                ctx.json(Map.of("ok", true, "updated", TeamRoutes.apiUser(u)));
                return;
            }
            MemberRepository.Member m = orgs.changeRole(tokens.principal(ctx), ctx.pathParam("org"),
                    ctx.pathParam("username"), b.string("role"));
            Map<String, Object> body = new LinkedHashMap<>(TeamRoutes.view(m));
            body.put("ok", true);
            ctx.json(body);
        });
        r.delete("/v1/orgs/{org}/team/{username}", ctx -> {
            orgs.remove(tokens.principal(ctx), ctx.pathParam("org"), ctx.pathParam("username"));
            ctx.status(204);
        });
        r.get("/v1/orgs/{org}/audit", ctx -> ctx.json(AuditRoutes.page(ctx,
                (page, perPage) -> orgs.audit(tokens.principal(ctx), ctx.pathParam("org"), page, perPage))));
    }

    static Map<String, Object> view(Org o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(o.id()));
        m.put("name", o.name());
        m.put("slug", o.slug());
        m.put("created_at", DeviceJson.iso(o.createdAt()));
        return m;
    }
}
