package io.boson.team;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/products/:product/team…} in Particle's shapes. */
public final class TeamRoutes implements HttpApi.Routes {

    private final TeamService team;
    private final Tokens tokens;
    private final ObjectMapper json;

    public TeamRoutes(TeamService team, Tokens tokens, ObjectMapper json) {
        this.team = team;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/products/{product}/team", ctx -> ctx.json(Map.of("ok", true,
                "team", team.list(tokens.principal(ctx), ctx.pathParam("product")).stream().map(TeamRoutes::view).toList())));
        r.post("/v1/products/{product}/team", ctx -> {
            Body b = Body.of(ctx, json);
            if (b.has("friendly_name")) {
                TeamService.ApiUser u = team.createApiUser(tokens.principal(ctx), ctx.pathParam("product"),
                        b.string("friendly_name"), b.strings("scopes"));
                ctx.json(Map.of("ok", true, "created", apiUser(u)));
                return;
            }
            MemberRepository.Member m = team.invite(tokens.principal(ctx), ctx.pathParam("product"), b.string("username"),
                    b.string("role"));
            Map<String, Object> body = new LinkedHashMap<>(view(m));
            body.put("ok", true);
            ctx.json(body);
        });
        r.put("/v1/products/{product}/team/{username}", ctx -> {
            Body b = Body.of(ctx, json);
            if (b.has("scopes")) {
                TeamService.ApiUser u = team.changeScopes(tokens.principal(ctx), ctx.pathParam("product"),
                        ctx.pathParam("username"), b.strings("scopes"));
                ctx.json(Map.of("ok", true, "updated", apiUser(u)));
                return;
            }
            MemberRepository.Member m = team.changeRole(tokens.principal(ctx), ctx.pathParam("product"),
                    ctx.pathParam("username"), b.string("role"));
            Map<String, Object> body = new LinkedHashMap<>(view(m));
            body.put("ok", true);
            ctx.json(body);
        });
        r.delete("/v1/products/{product}/team/{username}", ctx -> {
            team.remove(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("username"));
            ctx.status(204);
        });
    }

    public static Map<String, Object> view(MemberRepository.Member m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("username", m.username());
        v.put("role", Map.of("id", m.role().id(), "name", m.role().displayName()));
        v.put("is_programmatic", m.role() == Role.API_USER);
        if (m.role() == Role.API_USER) v.put("scopes", m.scopes());
        return v;
    }

    /** Particle's shape for API users: the token is in the answer once, here. */
    public static Map<String, Object> apiUser(TeamService.ApiUser u) {
        Map<String, Object> v = new LinkedHashMap<>(view(u.member()));
        v.put("tokens", java.util.List.of(Map.of("token", u.token())));
        return v;
    }
}
