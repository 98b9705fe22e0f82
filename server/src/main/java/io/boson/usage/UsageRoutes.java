package io.boson.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.boson.products.Product;
import io.boson.products.ProductDeviceQuery;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Usage over HTTP. Particle's: {@code /v1/user|orgs/:o/service_agreements}, their
 * {@code notifications} and {@code usage_reports}, {@code /v1/sims/:iccid/data_usage} and
 * {@code /v1/products/:p/sims/data_usage}. Boson extensions: usage by product, device or day
 * ({@code /v1/user|orgs/:o|products/:p/usage}), {@code /v1/sims/:deviceId/data_usage} for devices
 * without an ICCID, and the platform
 * admin's {@code PUT /v1/admin/usage/users|orgs/:name/plan}.
 */
public final class UsageRoutes implements HttpApi.Routes {

    private static final int MAX_RANGE_DAYS = 400;

    private final ServiceAgreements agreements;
    private final Tokens tokens;
    private final ObjectMapper json;

    public UsageRoutes(ServiceAgreements agreements, Tokens tokens, ObjectMapper json) {
        this.agreements = agreements;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        owner(r, "/v1/user", (p, ctx) -> agreements.own(p));
        owner(r, "/v1/orgs/{org}", (p, ctx) -> agreements.org(p, ctx.pathParam("org")));
        r.get("/v1/products/{product}/usage", ctx -> {
            Product p = agreements.product(tokens.principal(ctx), ctx.pathParam("product"));
            usage(ctx, null, p.id());
        });
        r.get("/v1/usage_reports/{id}/{file}", ctx -> {
            String file = ctx.pathParam("file");
            if (!file.endsWith(".csv")) throw DomainException.notFound("Usage report not found");
            byte[] csv = agreements.download(ctx.pathParam("id"), file.substring(0, file.length() - 4));
            ctx.contentType("text/csv; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"usage-report-" + ctx.pathParam("id") + ".csv\"")
                    .result(csv);
        });
        r.get("/v1/sims/{iccid}/data_usage", ctx ->
                ctx.json(agreements.simUsage(tokens.principal(ctx), ctx.pathParam("iccid"))));
        r.get("/v1/products/{product}/sims/{iccid}/data_usage", ctx -> ctx.json(agreements.productSim(tokens.principal(ctx),
                ctx.pathParam("product"), ctx.pathParam("iccid"))));
        r.get("/v1/products/{product}/sims/data_usage", ctx ->
                ctx.json(agreements.productSims(tokens.principal(ctx), ctx.pathParam("product"))));
        r.put("/v1/admin/usage/{kind}/{name}/plan", ctx -> {
            Principal admin = tokens.principal(ctx);
            String owner = agreements.ownerNamed(admin, ctx.pathParam("kind"), ctx.pathParam("name"));
            Body b = Body.of(ctx, json);
            ctx.json(Map.of("data", agreements.changePlan(admin, owner, new ServiceAgreements.PlanChange(b.string("plan"),
                    b.integer("blocks"), longOf(b, "max_devices"), longOf(b, "max_data_operations"),
                    doubleOf(b, "max_cellular_mb"), doubleOf(b, "max_firmware_storage_mb"), b.string("contract_start")))));
        });
    }

    /** The routes an account and an organization share, under {@code base}. */
    private void owner(JavalinDefaultRoutingApi r, String base, BiFunction<Principal, Context, String> whose) {
        r.get(base + "/service_agreements", ctx -> {
            String owner = whose.apply(tokens.principal(ctx), ctx);
            ctx.json(Map.of("data", List.of(agreements.agreement(owner))));
        });
        r.get(base + "/service_agreements/{id}/notifications", ctx -> {
            String owner = whose.apply(tokens.principal(ctx), ctx);
            agreements.requireAgreement(owner, ctx.pathParam("id"));
            ctx.json(Map.of("data", agreements.notifications(owner)));
        });
        r.post(base + "/service_agreements/{id}/usage_reports", ctx -> {
            String owner = whose.apply(tokens.principal(ctx), ctx);
            agreements.requireAgreement(owner, ctx.pathParam("id"));
            Body b = Body.of(ctx, json);
            List<String> devices = b.strings("devices");
            ctx.status(202).json(agreements.createReport(owner, b.string("report_type"), date(b.string("date_period_start"),
                    "date_period_start"), date(b.string("date_period_end"), "date_period_end"),
                    devices == null ? List.of() : devices, baseUrl(ctx)));
        });
        r.get(base + "/usage_reports/{id}", ctx -> {
            String owner = whose.apply(tokens.principal(ctx), ctx);
            ctx.json(agreements.report(owner, ctx.pathParam("id"), baseUrl(ctx)));
        });
        r.get(base + "/usage", ctx -> usage(ctx, whose.apply(tokens.principal(ctx), ctx), null));
    }

    /** {@code ?from&to&by=device|product|day&product_id&device_id&page&per_page}; the range defaults to this month. */
    private void usage(Context ctx, String owner, Long product) {
        LocalDate to = ctx.queryParam("to") == null ? null : date(ctx.queryParam("to"), "to");
        LocalDate from = ctx.queryParam("from") == null ? null : date(ctx.queryParam("from"), "from");
        if (from == null) from = (to == null ? LocalDate.now(agreementsClock()) : to).withDayOfMonth(1);
        if (to == null) to = from.plusMonths(1).withDayOfMonth(1).minusDays(1);
        if (to.isBefore(from)) throw DomainException.invalid("to is before from");
        if (to.toEpochDay() - from.toEpochDay() >= MAX_RANGE_DAYS) throw DomainException.invalid("A range covers at most "
                + MAX_RANGE_DAYS + " days");
        String by = ctx.queryParam("by") == null ? "device" : ctx.queryParam("by");
        UsageReads.By grouping = switch (by) {
            case "device" -> UsageReads.By.DEVICE;
            case "product" -> UsageReads.By.PRODUCT;
            case "day" -> UsageReads.By.DAY;
            default -> throw DomainException.invalid("by must be device, product or day");
        };
        Long productFilter = product;
        String p = ctx.queryParam("product_id");
        if (p != null && !p.isBlank()) {
            try {
                long asked = Long.parseLong(p.trim());
                if (product != null && asked != product) throw DomainException.invalid("product_id names another product");
                productFilter = asked;
            } catch (NumberFormatException e) {
                throw DomainException.invalid("product_id must be a number");
            }
        }
        String device = ctx.queryParam("device_id");
        ProductDeviceQuery paging = ProductDeviceQuery.of(null, null, null, null, null, ctx.queryParam("page"),
                ctx.queryParam("per_page"));
        ctx.json(agreements.usage(new UsageReads.Filter(owner, productFilter, device == null || device.isBlank() ? null
                : device.trim().toLowerCase(), (int) from.toEpochDay(), (int) to.toEpochDay()), grouping, paging.page(), paging.perPage()));
    }

    private java.time.Clock agreementsClock() {
        return agreements.clock();
    }

    private static LocalDate date(String s, String name) {
        if (s == null || s.isBlank()) throw DomainException.invalid(name + " is required (YYYY-MM-DD)");
        try {
            return LocalDate.parse(s.length() > 10 ? s.substring(0, 10) : s);
        } catch (DateTimeParseException e) {
            throw DomainException.invalid(name + " must be a date such as 2026-11-01");
        }
    }

    private static Long longOf(Body b, String key) {
        String s = b.string(key);
        if (s == null || s.isBlank()) return null;
        try {
            return Long.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw DomainException.invalid(key + " must be a whole number");
        }
    }

    private static Double doubleOf(Body b, String key) {
        String s = b.string(key);
        if (s == null || s.isBlank()) return null;
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw DomainException.invalid(key + " must be a number");
        }
    }

    private static String baseUrl(Context ctx) {
        String host = ctx.header("Host");
        return (ctx.scheme() == null ? "http" : ctx.scheme()) + "://" + (host == null ? "127.0.0.1" : host);
    }
}
