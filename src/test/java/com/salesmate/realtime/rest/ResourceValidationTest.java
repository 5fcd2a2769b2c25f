package com.salesmate.realtime.rest;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeApplication;
import com.salesmate.realtime.auth.ApiKeys;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.auth.CallerAuthenticator;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import com.salesmate.realtime.persistence.DatabaseFactory;
import com.salesmate.realtime.persistence.Migrations;
import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.LocalPresence;
import com.salesmate.realtime.hub.NotificationService;
import com.salesmate.realtime.hub.Presence;
import com.salesmate.realtime.hub.Fanout;
import com.salesmate.realtime.hub.LocalPublisher;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.hub.WireJson;
import com.salesmate.realtime.resources.ApiExceptionMapper;
import com.salesmate.realtime.resources.BodyLimitFilter;
import com.salesmate.realtime.resources.EmitResource;
import com.salesmate.realtime.resources.JsonExceptionMapper;
import com.salesmate.realtime.resources.JsonUnauthorizedHandler;
import com.salesmate.realtime.resources.SalesmanResource;
import com.salesmate.realtime.resources.StatsResource;
import com.salesmate.realtime.resources.TenantResource;
import com.salesmate.realtime.resources.UnexpectedExceptionMapper;
import com.salesmate.realtime.resources.ValidationExceptionMapper;
import com.salesmate.realtime.resources.WebExceptionMapper;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST resources in Jersey's in-memory container with the service's real auth filter, body limit, exception
 * mappers and collaborators (an empty connection registry, the publisher, presence and notification service on a
 * fresh SQLite file): status codes, error codes, messages and the offending field.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResourceValidationTest {
    private static final String ADMIN = "admin-key-for-resource-tests";
    private static final String TENANT_A = "tenant-a-key-0123456789";
    private static final Clock CLOCK = Clock.systemUTC();
    private static final TokenService TOKENS = new TokenService("resource-test-secret", Optional.empty(), CLOCK);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor();
    private static final Jdbi JDBI = migratedSqlite();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ResourceExtension RESOURCES = withResources(JDBI);
    /** The same resources on a database that cannot be opened. */
    private static final ResourceExtension BROKEN_DB = withResources(
            Jdbi.create("jdbc:sqlite:/proc/no-such-dir/salesmate.db").installPlugin(new SqlObjectPlugin()));

    private static Jdbi migratedSqlite() {
        try {
            Path dir = Files.createTempDirectory("resource-validation");
            String url = "jdbc:sqlite:" + dir.resolve("test.db");
            DatabaseFactory factory = Jackson.newObjectMapper().convertValue(Map.of("url", url), DatabaseFactory.class);
            new Migrations(factory).migrate();
            return Jdbi.create(url).installPlugin(new SqlObjectPlugin());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The service's object mapper settings (RealtimeApplication.run): strict about unknown fields and types. */
    private static ObjectMapper strictMapper() {
        return com.salesmate.realtime.api.StrictJson.apply(Jackson.newObjectMapper()); // as the application does
    }

    private static ResourceExtension withResources(Jdbi jdbi) {
        ConnectionRegistry registry = new ConnectionRegistry();
        SocketMetrics metrics = new SocketMetrics(new MetricRegistry(), new TenantCounters(), Events.INBOUND);
        Publisher publisher = new LocalPublisher(registry, metrics, new WireJson(), Fanout.EACH);
        Presence presence = new LocalPresence(publisher,
                new com.salesmate.realtime.persistence.SightingRecorder(jdbi, Duration.ofMillis(200)), TIMERS,
                Duration.ofSeconds(1), CLOCK);
        NotificationService notifications = new NotificationService(jdbi, publisher, metrics, strictMapper(),
                Duration.ofDays(7), CLOCK);
        ApiKeys keys = new ApiKeys(ADMIN, List.of(new ApiKeys.TenantKey("a", "tenant-a", ApiKeys.sha256(TENANT_A))));
        return ResourceExtension.builder()
                .setMapper(strictMapper())
                .setRegisterDefaultExceptionMappers(false)
                .addProvider(new AuthDynamicFeature(new OAuthCredentialAuthFilter.Builder<Caller>()
                        .setAuthenticator(new CallerAuthenticator(keys, TOKENS,
                                new com.salesmate.realtime.auth.Revocations(CLOCK)))
                        .setPrefix("Bearer")
                        .setRealm("salesmate-realtime")
                        .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                        .buildAuthFilter()))
                .addProvider(new AuthValueFactoryProvider.Binder<>(Caller.class))
                .addProvider(new BodyLimitFilter(RealtimeApplication.MAX_BODY_BYTES))
                .addProvider(new ApiExceptionMapper())
                .addProvider(new ValidationExceptionMapper())
                .addProvider(new JsonExceptionMapper())
                .addProvider(new WebExceptionMapper())
                .addProvider(new UnexpectedExceptionMapper())
                .addResource(new StatsResource(new com.salesmate.realtime.hub.LocalDirectory(registry, metrics)))
                .addResource(new TenantResource(new com.salesmate.realtime.hub.LocalDirectory(registry, metrics),
                        presence, jdbi))
                .addResource(new SalesmanResource(presence, jdbi, CLOCK))
                .addResource(new EmitResource(publisher, notifications, new com.salesmate.realtime.webhooks.Webhooks(
                        jdbi, new com.salesmate.realtime.persistence.IdGenerator(CLOCK),
                        new com.salesmate.realtime.webhooks.Destinations(false), strictMapper(), CLOCK, null,
                        Duration.ofSeconds(2)), CLOCK, // not started: no endpoints, no outbox
                        new com.salesmate.realtime.resources.EmitAdmission(
                                new com.salesmate.realtime.hub.WriteBacklog(10_000), Duration.ofSeconds(1), 1,
                                new com.codahale.metrics.MetricRegistry())))
                .build();
    }

    // ---- helpers

    private static Invocation.Builder call(ResourceExtension ext, String path, String credential) {
        int q = path.indexOf('?');
        var target = ext.target("/api/websocket" + (q < 0 ? path : path.substring(0, q)));
        if (q >= 0) {
            for (String pair : path.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                target = target.queryParam(kv[0], kv[1]);
            }
        }
        Invocation.Builder b = target.request(MediaType.APPLICATION_JSON_TYPE);
        return credential == null ? b : b.header("Authorization", "Bearer " + credential);
    }

    private static Answer post(String path, String credential, String json) {
        return Answer.of(call(RESOURCES, path, credential).post(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE)));
    }

    private static Answer get(String path, String credential) {
        return Answer.of(call(RESOURCES, path, credential).get());
    }

    /** Status and parsed body of one answer. */
    record Answer(int status, JsonNode body, String text) {
        static Answer of(Response r) {
            String text = r.readEntity(String.class);
            try {
                return new Answer(r.getStatus(), JSON.readTree(text), text);
            } catch (IOException e) {
                throw new AssertionError("answer is not JSON: " + text, e);
            }
        }

        /** Asserts the one error shape with this status and code; returns the error object. */
        JsonNode error(int expectedStatus, String code) {
            assertThat(status).as(text).isEqualTo(expectedStatus);
            assertThat(body.path("success").isBoolean()).as(text).isTrue();
            assertThat(body.path("success").asBoolean()).as(text).isFalse();
            assertThat(body.path("error").path("code").asText()).as(text).isEqualTo(code);
            assertThat(body.path("error").path("message").asText()).as(text).isNotBlank()
                    .doesNotContain("Exception", "\tat ", "SELECT", "INSERT", "SQL", "org.", "java.");
            assertThat(body.fieldNames()).toIterable().containsExactlyInAnyOrder("success", "error");
            return body.path("error");
        }

        void invalid(String field, String message) {
            JsonNode error = error(400, "invalid_payload");
            if (field == null) {
                assertThat(error.has("field")).as(text).isFalse();
            } else {
                assertThat(error.path("field").asText()).as(text).isEqualTo(field);
            }
            assertThat(error.path("message").asText()).as(text).isEqualTo(message);
        }

        JsonNode ok() {
            assertThat(status).as(text).isEqualTo(200);
            assertThat(body.path("success").asBoolean()).as(text).isTrue();
            return body;
        }
    }

    private static String manager(String tenantId) {
        return TOKENS.mint("m-" + tenantId, tenantId, Role.MANAGER, null, Duration.ofMinutes(5));
    }

    private static long storedNotifications() {
        return JDBI.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM notifications").mapTo(Long.class).one());
    }

    // ---- bodies: Bean Validation through ValidationExceptionMapper

    @Test
    void alertWithoutMessageNamesTheField() {
        post("/emit/alert", TENANT_A, "{}").invalid("message", "message must not be blank");
        post("/emit/alert", TENANT_A, "{\"message\":\"   \"}").invalid("message", "message must not be blank");
    }

    @Test
    void alertSeverityMustBeOneOfThree() {
        post("/emit/alert", TENANT_A, "{\"message\":\"m\",\"severity\":\"urgent\"}")
                .invalid("severity", "severity must be info, warning or critical");
    }

    @Test
    void alertMessageOverItsLimitIsRefused() {
        post("/emit/alert", TENANT_A, "{\"message\":\"" + "x".repeat(8193) + "\"}")
                .invalid("message", "message size must be between 0 and 8192");
    }

    @Test
    void domainEventMustBeOneOfTheDomainEvents() {
        post("/emit/event", TENANT_A, "{\"event\":\"order:deleted\",\"data\":{}}")
                .invalid("event", "event must be visit:created, visit:updated, order:created or target:progress");
        post("/emit/event", TENANT_A, "{\"event\":\"alert\",\"data\":{}}").error(400, "invalid_payload");
        post("/emit/event", TENANT_A, "{\"data\":{}}").invalid("event", "event must not be null");
    }

    @Test
    void domainEventNeedsDataAndAKnownTarget() {
        post("/emit/event", TENANT_A, "{\"event\":\"visit:created\"}").invalid("data", "data must not be null");
        post("/emit/event", TENANT_A, "{\"event\":\"visit:created\",\"data\":{},\"to\":\"everyone\"}")
                .invalid("to", "to must be tenant, managers or salesman");
        post("/emit/event", TENANT_A, "{\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\"}")
                .invalid("salesmanId", "salesmanId is required when to is salesman");
    }

    @Test
    void notificationNeedsSalesmanAndMessage() {
        long before = storedNotifications();
        post("/emit/notification", TENANT_A, "{\"message\":\"m\"}").invalid("salesmanId", "salesmanId must not be null");
        post("/emit/notification", TENANT_A, "{\"salesmanId\":\"s1\"}").invalid("message", "message must not be blank");
        assertThat(storedNotifications()).isEqualTo(before);
    }

    @Test
    void notificationTypeLongerThanItsColumnIsRefused() {
        long before = storedNotifications();
        // notifications.type is VARCHAR(64): PostgreSQL would refuse a longer one at insert (503) instead of 400
        post("/emit/notification", TENANT_A, "{\"salesmanId\":\"s1\",\"message\":\"m\",\"type\":\"" + "t".repeat(65) + "\"}")
                .invalid("type", "type size must be between 0 and 64");
        assertThat(storedNotifications()).isEqualTo(before);
    }

    @Test
    void idsOutsideTheContractCharacterSetAreRefusedInBodies() {
        long before = storedNotifications();
        String pattern = "\"[A-Za-z0-9._-]{1,64}\"";
        post("/emit/notification", TENANT_A, "{\"salesmanId\":\"s 1\",\"message\":\"m\"}")
                .invalid("salesmanId", "salesmanId must match " + pattern);
        post("/emit/notification", TENANT_A, "{\"salesmanId\":\"" + "s".repeat(65) + "\",\"message\":\"m\"}")
                .invalid("salesmanId", "salesmanId must match " + pattern);
        post("/emit/alert", ADMIN, "{\"tenantId\":\"tenant:a\",\"message\":\"m\"}")
                .invalid("tenantId", "tenantId must match " + pattern);
        post("/emit/event", TENANT_A, "{\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\",\"salesmanId\":\"é\"}")
                .invalid("salesmanId", "salesmanId must match " + pattern);
        assertThat(storedNotifications()).isEqualTo(before);
    }

    @Test
    void adminKeyMustNameTheTenantInABody() {
        post("/emit/alert", ADMIN, "{\"message\":\"m\"}")
                .invalid("tenantId", "tenantId is required with the admin key");
        post("/emit/dashboard-refresh", ADMIN, "{}")
                .invalid("tenantId", "tenantId is required with the admin key");
        post("/emit/notification", ADMIN, "{\"salesmanId\":\"s1\",\"message\":\"m\"}")
                .invalid("tenantId", "tenantId is required with the admin key");
    }

    @Test
    void tenantCredentialMayLeaveOutItsTenantButNotNameAnother() {
        assertThat(post("/emit/alert", TENANT_A, "{\"message\":\"m\"}").ok().path("delivered").asInt()).isZero();
        assertThat(post("/emit/alert", TENANT_A, "{\"tenantId\":\"tenant-a\",\"message\":\"m\"}").ok()
                .path("delivered").asInt()).isZero();
        post("/emit/alert", TENANT_A, "{\"tenantId\":\"tenant-b\",\"message\":\"m\"}").error(403, "forbidden");
        post("/emit/alert", manager("tenant-a"), "{\"tenantId\":\"tenant-b\",\"message\":\"m\"}").error(403, "forbidden");
    }

    @Test
    void notificationIsStoredWhenNoSocketIsThere() {
        long before = storedNotifications();
        JsonNode body = post("/emit/notification", TENANT_A, "{\"salesmanId\":\"offline-s\",\"message\":\"m\"}").ok();
        assertThat(body.path("notificationId").asText()).isNotBlank();
        assertThat(body.path("delivered").asInt()).isZero();
        assertThat(storedNotifications()).isEqualTo(before + 1);
    }

    @Test
    void broadcastRefusesReservedNamesAndNonAdmins() {
        for (String reserved : List.of("connect", "disconnect", "error", "authenticated", "location:updated",
                "notification", "alert", "dashboard:refresh", "visit:created")) {
            post("/broadcast", ADMIN, "{\"event\":\"" + reserved + "\",\"data\":{}}")
                    .invalid("event", "\"" + reserved + "\" is a reserved event name");
        }
        post("/broadcast", ADMIN, "{\"data\":{}}").invalid("event", "event must not be blank");
        post("/broadcast", TENANT_A, "{\"event\":\"maintenance\",\"data\":{}}").error(403, "forbidden");
        post("/broadcast", manager("tenant-a"), "{\"event\":\"maintenance\",\"data\":{}}").error(403, "forbidden");
        assertThat(post("/broadcast", ADMIN, "{\"event\":\"maintenance\",\"data\":{}}").ok()
                .path("delivered").asInt()).isZero();
    }

    // ---- bodies: JSON parsing through JsonExceptionMapper

    @Test
    void bodyThatIsNotJsonIsInvalidPayload() {
        post("/emit/alert", TENANT_A, "message=hello").invalid(null, "body is not valid JSON");
        post("/emit/alert", TENANT_A, "{\"message\":").invalid(null, "body is not valid JSON");
    }

    @Test
    void wrongTypesNameTheField() {
        post("/emit/alert", TENANT_A, "{\"message\":{\"text\":\"m\"}}").invalid("message", "message has the wrong type");
        post("/emit/dashboard-refresh", TENANT_A, "{\"scope\":[\"a\"]}").invalid("scope", "scope has the wrong type");
        post("/emit/notification", TENANT_A, "{\"salesmanId\":{\"id\":\"s1\"},\"message\":\"m\"}")
                .invalid("salesmanId", "salesmanId has the wrong type");
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        post("/emit/alert", TENANT_A, "{\"message\":\"m\",\"colour\":\"red\"}").invalid("colour", "unknown field colour");
    }

    @Test
    void missingOrNonJsonBodyIsInvalidPayload() {
        post("/emit/alert", TENANT_A, "").invalid(null, "request body is required");
        Answer plain = Answer.of(call(RESOURCES, "/emit/alert", TENANT_A)
                .post(Entity.entity("{\"message\":\"m\"}", MediaType.TEXT_PLAIN_TYPE)));
        plain.invalid(null, "request body must be application/json");
    }

    // ---- size limit through BodyLimitFilter

    @Test
    void bodyOverSixtyFourKibIsPayloadTooLarge() {
        String big = "{\"message\":\"m\",\"data\":{\"pad\":\"" + "x".repeat(65 * 1024) + "\"}}";
        Answer a = post("/emit/alert", TENANT_A, big);
        assertThat(a.error(413, "payload_too_large").has("field")).isFalse();
    }

    @Test
    void bodyJustUnderTheLimitIsAccepted() {
        String pad = "x".repeat(60 * 1024);
        String body = "{\"message\":\"m\",\"data\":{\"pad\":\"" + pad + "\"}}";
        assertThat(body.length()).isLessThan((int) RealtimeApplication.MAX_BODY_BYTES);
        assertThat(post("/emit/alert", TENANT_A, body).ok().path("delivered").asInt()).isZero();
    }

    // ---- paths and queries

    @Test
    void idsOutsideTheCharacterSetAreRefusedInPaths() {
        String message = " must match [A-Za-z0-9._-]{1,64}";
        get("/tenants/tenant%20a/connections", ADMIN).invalid("tenantId", "tenantId" + message);
        get("/tenants/" + "t".repeat(65) + "/online-salesmen", ADMIN).invalid("tenantId", "tenantId" + message);
        get("/salesmen/a:b/status", ADMIN).invalid("salesmanId", "salesmanId" + message);
        get("/salesmen/%C3%BC/locations", ADMIN).invalid("salesmanId", "salesmanId" + message);
    }

    @Test
    void locationQueryParametersAreChecked() {
        get("/salesmen/s1/locations?limit=abc", ADMIN).invalid("limit", "limit must be an integer");
        get("/salesmen/s1/locations?limit=0", ADMIN).invalid("limit", "limit must be an integer in 1..10000");
        get("/salesmen/s1/locations?limit=10001", ADMIN).invalid("limit", "limit must be an integer in 1..10000");
        get("/salesmen/s1/locations?from=-5", ADMIN).invalid("from", "from must not be negative");
        get("/salesmen/s1/locations?from=2000&to=1000", ADMIN).invalid("from", "from must not be after to");
        get("/salesmen/s1/locations?to=1.5", ADMIN).invalid("to", "to must be an integer");
    }

    @Test
    void salesmanNeverSeenIsNotFound() {
        get("/salesmen/never-seen/status", ADMIN).error(404, "not_found");
        get("/salesmen/never-seen/locations", ADMIN).error(404, "not_found");
        get("/salesmen/never-seen/status", TENANT_A).error(404, "not_found");
    }

    @Test
    void unknownRoutesAreJsonNotFound() {
        get("/nothing-here", ADMIN).error(404, "not_found");
        get("/tenants/tenant-a", ADMIN).error(404, "not_found");
        get("/nothing-here", null).error(404, "not_found");
        post("/emit/nothing", ADMIN, "{}").error(404, "not_found");
    }

    @Test
    void wrongMethodIsRefusedInTheErrorShape() {
        Answer a = get("/emit/alert", TENANT_A);
        assertThat(a.status()).isEqualTo(405);
        assertThat(a.body().path("success").asBoolean(true)).isFalse();
        assertThat(a.body().path("error").path("message").asText()).isEqualTo("method not allowed");
    }

    // ---- authentication and authorisation answers

    @Test
    void missingOrUnknownCredentialIsUnauthorizedWithABearerChallenge() {
        for (String credential : new String[]{null, "nope", "a.b.c", manager("tenant-a") + "x"}) {
            Response r = call(RESOURCES, "/stats", credential).get();
            assertThat(r.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer realm=\"salesmate-realtime\"");
            Answer.of(r).error(401, "unauthorized");
        }
        Answer.of(call(RESOURCES, "/stats", null).header("Authorization", "Basic " + ADMIN).get())
                .error(401, "unauthorized");
    }

    @Test
    void expiredManagerTokenIsUnauthorized() {
        String expired = new TokenService("resource-test-secret", Optional.empty(),
                Clock.offset(CLOCK, Duration.ofHours(-2))).mint("m", "tenant-a", Role.MANAGER, null, Duration.ofMinutes(5));
        get("/stats", expired).error(401, "unauthorized");
    }

    @Test
    void salesmanTokenIsForbidden() {
        String salesman = TOKENS.mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofMinutes(5));
        get("/stats", salesman).error(403, "forbidden");
        get("/tenants/tenant-a/connections", salesman).error(403, "forbidden");
        post("/emit/alert", salesman, "{\"message\":\"m\"}").error(403, "forbidden");
    }

    @Test
    void statsOfAnIdleServiceAreZero() {
        JsonNode stats = get("/stats", ADMIN).ok().path("stats");
        for (String name : List.of("totalConnections", "activeConnections", "messagesSent", "messagesReceived",
                "tenants", "salesmen", "rooms")) {
            assertThat(stats.path(name).isIntegralNumber()).as(name).isTrue();
            assertThat(stats.path(name).asLong()).as(name).isZero();
        }
        assertThat(get("/stats", TENANT_A).ok().path("stats").size()).isEqualTo(7);
    }

    @Test
    void emptyTenantListsNoConnections() {
        JsonNode body = get("/tenants/tenant-a/connections", TENANT_A).ok();
        assertThat(body.path("tenantId").asText()).isEqualTo("tenant-a");
        assertThat(body.path("count").asInt()).isZero();
        assertThat(body.path("connections").isArray()).isTrue();
        get("/tenants/tenant-b/connections", TENANT_A).error(403, "forbidden");
    }

    // ---- a database that fails

    @Test
    void databaseFailureIsUnavailableWithoutSql() {
        Answer a = Answer.of(call(BROKEN_DB, "/salesmen/s1/status", ADMIN).get());
        a.error(503, "unavailable");
        Answer n = Answer.of(call(BROKEN_DB, "/emit/notification", TENANT_A)
                .post(Entity.entity("{\"salesmanId\":\"s1\",\"message\":\"m\"}", MediaType.APPLICATION_JSON_TYPE)));
        n.error(503, "unavailable");
    }
}
