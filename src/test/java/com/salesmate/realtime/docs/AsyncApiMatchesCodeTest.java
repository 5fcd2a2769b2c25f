package com.salesmate.realtime.docs;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.salesmate.realtime.api.AlertEmitRequest;
import com.salesmate.realtime.api.Authenticated;
import com.salesmate.realtime.api.ConnectError;
import com.salesmate.realtime.api.DashboardRefreshRequest;
import com.salesmate.realtime.api.DomainEventRequest;
import com.salesmate.realtime.api.ErrorEvent;
import com.salesmate.realtime.api.ErrorResponse;
import com.salesmate.realtime.api.JoinReply;
import com.salesmate.realtime.api.JoinSalesmanRequest;
import com.salesmate.realtime.api.JoinTenantRequest;
import com.salesmate.realtime.api.LocationBatchReply;
import com.salesmate.realtime.api.LocationBatchRequest;
import com.salesmate.realtime.api.LocationPoint;
import com.salesmate.realtime.api.LocationReply;
import com.salesmate.realtime.api.LocationUpdated;
import com.salesmate.realtime.api.NotificationAckReply;
import com.salesmate.realtime.api.NotificationAckRequest;
import com.salesmate.realtime.api.NotificationEvent;
import com.salesmate.realtime.api.PresenceEvent;
import com.salesmate.realtime.api.TypingEvent;
import com.salesmate.realtime.api.TypingReply;
import com.salesmate.realtime.api.TypingRequest;
import com.salesmate.realtime.api.VisitEvent;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.hub.WireJson;
import com.salesmate.realtime.hub.WriteBacklog;
import com.salesmate.realtime.resources.EmitAdmission;
import com.salesmate.realtime.resources.EmitResource;
import com.salesmate.realtime.webhooks.Webhooks;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/asyncapi.yaml against the code: the event names of {@link Events} (received and sent) are exactly the
 * document's, and each event's payload and ack schema has the fields, required fields, JSON types and (for what
 * clients send) the validation ranges of the record the code reads or writes. Payloads the REST emitters build as maps
 * (alert, dashboard refresh, domain events) are taken from {@link EmitResource} itself.
 */
class AsyncApiMatchesCodeTest {
    private static final Path DOCUMENT = Path.of("docs/asyncapi.yaml");

    /** The {@code authenticate} payload: read field by field from the JSON tree in {@code Authenticator.verifyAuthenticate}. */
    record AuthenticatePayload(@NotNull String token, String tenantId, String salesmanId, String userId) {
    }

    /** The CONNECT packet's {@code auth}: read field by field in {@code Authentication.onConnect}/{@code bound}. */
    record ConnectAuth(String token, String pid, String offset) {
    }

    /** The CONNECT answer: {@code ClientHeadSession}'s private {@code ConnectAnswer}, {@code pid} only with recovery. */
    record ConnectAnswer(String sid, @JsonInclude(JsonInclude.Include.NON_NULL) String pid) {
    }

    /** What each client event is read into ({@code PointReader} reads each location point into LocationPoint). */
    private static final Map<String, Class<?>> CLIENT_PAYLOADS = Map.of(
            Events.AUTHENTICATE, AuthenticatePayload.class,
            Events.JOIN_TENANT, JoinTenantRequest.class,
            Events.JOIN_SALESMAN, JoinSalesmanRequest.class,
            Events.LOCATION_UPDATE, LocationPoint.class,
            Events.LOCATION_BATCH, LocationBatchRequest.class,
            Events.TYPING, TypingRequest.class,
            Events.STOP_TYPING, TypingRequest.class,
            Events.NOTIFICATION_ACK, NotificationAckRequest.class);

    /** The success ack of each client event (refusals are {@link ErrorResponse}). */
    private static final Map<String, Class<?>> ACKS = Map.of(
            Events.AUTHENTICATE, Authenticated.class,
            Events.JOIN_TENANT, JoinReply.class,
            Events.JOIN_SALESMAN, JoinReply.class,
            Events.LOCATION_UPDATE, LocationReply.class,
            Events.LOCATION_BATCH, LocationBatchReply.class,
            Events.TYPING, TypingReply.class,
            Events.STOP_TYPING, TypingReply.class,
            Events.NOTIFICATION_ACK, NotificationAckReply.class);

    /** The record each server event is written from. */
    private static final Map<String, Class<?>> SERVER_PAYLOADS = Map.ofEntries(
            entry(Events.AUTHENTICATED, Authenticated.class),
            entry(Events.AUTH_ERROR, ErrorResponse.class),
            entry(Events.ERROR, ErrorEvent.class),
            entry(Events.LOCATION_UPDATED, LocationUpdated.class),
            entry(Events.SALESMAN_ONLINE, PresenceEvent.class),
            entry(Events.SALESMAN_OFFLINE, PresenceEvent.class),
            entry(Events.NOTIFICATION, NotificationEvent.class),
            entry(Events.TYPING, TypingEvent.class),
            entry(Events.STOP_TYPING, TypingEvent.class),
            entry(Events.VISIT_ARRIVED, VisitEvent.class),
            entry(Events.VISIT_CHECKED_IN, VisitEvent.class),
            entry(Events.VISIT_CHECKED_OUT, VisitEvent.class));

    /** Server events built as maps by {@link EmitResource}: checked against what it hands to the publisher. */
    private static final Set<String> EMITTED_BY_REST = Set.of(Events.ALERT, Events.DASHBOARD_REFRESH,
            Events.VISIT_CREATED, Events.VISIT_UPDATED, Events.ORDER_CREATED, Events.TARGET_PROGRESS);

    /** List elements the record types as JSON but the code reads as another record. */
    private static final Map<String, Class<?>> ITEMS = Map.of("LocationBatchRequest.points", LocationPoint.class);

    /**
     * Components left out when null (class-level {@code NON_NULL}) that every instance the code builds sets: always
     * written, so required.
     */
    private static final Set<String> ALWAYS_SET = Set.of("Error.code", "Error.message", "VisitEvent.tenantId",
            "VisitEvent.salesmanId", "VisitEvent.siteId", "VisitEvent.visitId");

    private static final Set<String> CONSTRAINTS = Set.of("pattern", "minLength", "maxLength", "minItems", "maxItems",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");

    /** Who writes a payload: a client (read leniently, validated by annotations) or this server (written as is). */
    private enum Writer { CLIENT, SERVER }

    private static JsonNode doc;

    @BeforeAll
    static void load() throws Exception {
        doc = new ObjectMapper(new YAMLFactory()).readTree(DOCUMENT.toFile());
        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
    }

    // ---------------------------------------------------------------- event names

    @Test
    void everyEventNameOfTheCodeIsInTheDocumentAndNoOther() throws Exception {
        Set<String> constants = new TreeSet<>();
        for (Field f : Events.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(constants).as("event constants of Events").hasSizeGreaterThanOrEqualTo(20);
        assertThat(constants).as("every constant is received or sent")
                .isEqualTo(new TreeSet<>(union(Events.INBOUND, Events.OUTBOUND)));

        assertThat(eventNames("receive")).as("events the server receives").isNotEmpty()
                .isEqualTo(new TreeSet<>(Events.INBOUND));
        assertThat(eventNames("send")).as("events the server sends").isNotEmpty()
                .isEqualTo(new TreeSet<>(Events.OUTBOUND));

        Set<String> inChannel = new TreeSet<>();
        for (JsonNode m : channelMessages().values()) {
            if ("EVENT".equals(m.path("x-socketio-packet").asText())) {
                inChannel.add(m.path("name").asText());
            }
        }
        assertThat(inChannel).as("EVENT messages of the channel").isEqualTo(new TreeSet<>(constants));
    }

    @Test
    void everyChannelMessageBelongsToAnOperationAndEveryOperationToTheChannel() {
        Set<String> used = new TreeSet<>();
        operations().forEach((id, op) -> {
            assertThat(op.path("channel").path("$ref").asText()).as(id).isEqualTo("#/channels/root");
            assertThat(op.path("action").asText()).as(id).isIn("send", "receive");
            op.path("messages").forEach(m -> used.add(m.path("$ref").asText()));
        });
        Set<String> declared = channelMessages().keySet().stream().map(k -> "#/channels/root/messages/" + k)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(declared).hasSizeGreaterThanOrEqualTo(Events.OWN.size());
        assertThat(used).isEqualTo(declared);
    }

    @Test
    void theListsOfThisTestCoverEveryEvent() {
        assertThat(CLIENT_PAYLOADS.keySet()).isNotEmpty().isEqualTo(Events.INBOUND);
        assertThat(ACKS.keySet()).isEqualTo(Events.INBOUND);
        assertThat(union(SERVER_PAYLOADS.keySet(), EMITTED_BY_REST)).isEqualTo(Events.OUTBOUND);
        assertThat(SERVER_PAYLOADS.keySet()).doesNotContainAnyElementsOf(EMITTED_BY_REST);
    }

    // ---------------------------------------------------------------- payloads and acks

    @Test
    void clientPayloadsMatchTheRecordsTheyAreReadInto() {
        assertThat(CLIENT_PAYLOADS).isNotEmpty();
        CLIENT_PAYLOADS.forEach((event, type) -> {
            JsonNode message = message("receive", event);
            matches(message.path("payload"), type, Writer.CLIENT, event);
        });
    }

    @Test
    void acksAreTheReplyRecordOrTheErrorShape() {
        assertThat(ACKS).isNotEmpty();
        ACKS.forEach((event, type) -> {
            JsonNode oneOf = message("receive", event).path("x-ack").path("payload").path("oneOf");
            assertThat(oneOf.size()).as(event + " x-ack.payload.oneOf").isEqualTo(2);
            matches(oneOf.get(0), type, Writer.SERVER, event + " ack");
            assertThat(oneOf.get(1).path("$ref").asText()).as(event + " error ack")
                    .isEqualTo("#/components/schemas/ErrorAck");
        });
        matches(schema("ErrorAck"), ErrorResponse.class, Writer.SERVER, "ErrorAck");
    }

    @Test
    void serverPayloadsMatchTheRecordsTheyAreWrittenFrom() {
        assertThat(SERVER_PAYLOADS).isNotEmpty();
        SERVER_PAYLOADS.forEach((event, type) ->
                matches(message("send", event).path("payload"), type, Writer.SERVER, event));
    }

    @Test
    void handshakePacketsMatchWhatTheCodeReadsAndWrites() {
        Map<String, JsonNode> byPacket = new TreeMap<>();
        channelMessages().forEach((key, m) -> {
            String packet = m.path("x-socketio-packet").asText();
            if (!"EVENT".equals(packet)) {
                byPacket.put(packet + " " + key, m);
            }
        });
        assertThat(byPacket.keySet()).containsExactly("CONNECT connectAnswer", "CONNECT connectAuth",
                "CONNECT_ERROR connectError");
        matches(byPacket.get("CONNECT connectAuth").path("payload"), ConnectAuth.class, Writer.CLIENT, "connect auth");
        matches(byPacket.get("CONNECT connectAnswer").path("payload"), ConnectAnswer.class, Writer.SERVER,
                "connect answer");
        matches(byPacket.get("CONNECT_ERROR connectError").path("payload"), ConnectError.class, Writer.SERVER,
                "connect_error");
    }

    @Test
    void restEmittedPayloadsAreWhatEmitResourceSends() {
        Capture publisher = new Capture();
        EmitResource emit = new EmitResource(publisher, null, new Webhooks(null, null, null, null,
                Clock.systemUTC(), null, Duration.ofSeconds(2)), // not started: no endpoints, never touches a database
                Clock.fixed(Instant.ofEpochMilli(1_733_000_000_000L), ZoneOffset.UTC),
                new EmitAdmission(new WriteBacklog(10_000), Duration.ofSeconds(1), 1, new MetricRegistry()));
        Caller admin = Caller.admin();
        var data = JsonNodeFactory.instance.objectNode().put("orderId", "o-1");

        emit.alert(admin, new AlertEmitRequest("t1", "hello", null, null));
        emit.alert(admin, new AlertEmitRequest("t1", "hello", "critical", data));
        emit.dashboardRefresh(admin, new DashboardRefreshRequest("t1", null));
        emit.dashboardRefresh(admin, new DashboardRefreshRequest("t1", "orders"));
        for (String event : Events.DOMAIN) {
            emit.event(admin, new DomainEventRequest("t1", event, data, null, null));
            emit.event(admin, new DomainEventRequest("t1", event, data, "managers", null));
            emit.event(admin, new DomainEventRequest("t1", event, data, "salesman", "s1"));
        }
        assertThat(publisher.sent.stream().map(Sent::event).collect(Collectors.toSet())).isEqualTo(EMITTED_BY_REST);

        Map<String, Set<String>> seenFields = new TreeMap<>();
        for (Sent sent : publisher.sent) {
            JsonNode schema = resolve(message("send", sent.event()).path("payload"));
            JsonNode written = sent.json();
            Set<String> fields = names(written);
            assertThat(fields).as(sent.event() + " " + written + " has the schema's properties")
                    .isSubsetOf(names(schema.path("properties")));
            assertThat(fields).as(sent.event() + " " + written + " has the required properties")
                    .containsAll(texts(schema.path("required")));
            assertThat(schema.path("additionalProperties").asBoolean(true)).as(sent.event()).isFalse();
            written.fields().forEachRemaining(f -> assertThat(jsonTypeFits(resolve(schema.path("properties")
                    .path(f.getKey())), f.getValue())).as(sent.event() + "." + f.getKey() + " = " + f.getValue())
                    .isTrue());
            seenFields.computeIfAbsent(sent.event(), e -> new TreeSet<>()).addAll(fields);
        }
        seenFields.forEach((event, fields) -> assertThat(fields).as(event + ": every documented property is sent")
                .isEqualTo(names(resolve(message("send", event).path("payload")).path("properties"))));
    }

    // ---------------------------------------------------------------- enums

    @Test
    void enumsAreTheCodesValues() {
        Set<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toSet());
        assertThat(texts(schema("SocketErrorCode").path("enum"))).isNotEmpty().isSubsetOf(codes)
                .contains(ErrorCode.UNAUTHENTICATED.code(), ErrorCode.FORBIDDEN.code(),
                        ErrorCode.INVALID_PAYLOAD.code(), ErrorCode.RATE_LIMITED.code(), ErrorCode.UNAVAILABLE.code(),
                        ErrorCode.INVALID_TOKEN.code(), ErrorCode.EXPIRED_TOKEN.code(),
                        ErrorCode.CLAIMS_MISMATCH.code());
        assertThat(texts(schema("ErrorEvent").path("properties").path("event").path("enum")))
                .as("error.event names a client event").isEqualTo(Events.INBOUND);
        Set<String> roles = Arrays.stream(Role.values()).map(Role::wire).collect(Collectors.toSet());
        assertThat(texts(schema("Authenticated").path("properties").path("role").path("enum"))).isEqualTo(roles);
        assertThat(texts(schema("TypingEvent").path("properties").path("from").path("properties").path("role")
                .path("enum"))).isEqualTo(roles);
        String severities = accessorAnnotation(AlertEmitRequest.class, "severity", Pattern.class).regexp();
        assertThat(texts(schema("AlertEvent").path("properties").path("severity").path("enum")))
                .isEqualTo(Set.of(severities.split("\\|")));
    }

    // ---------------------------------------------------------------- the comparison

    /**
     * The schema (after $refs) against record {@code type}: the same property names; required = what the code requires
     * (client) or always writes (server); the JSON type of each component, null allowed where the code takes or sends
     * it; for client payloads the validation ranges of its annotations; nested records and lists recursively.
     */
    private static void matches(JsonNode schemaOrRef, Class<?> type, Writer writer, String where) {
        JsonNode schema = resolve(schemaOrRef);
        String at = where + " (" + type.getSimpleName() + ")";
        assertThat(type.isRecord()).as(at).isTrue();
        assertThat(schema.path("type").asText()).as(at + " type").isEqualTo("object");
        assertThat(schema.path("additionalProperties").isBoolean()).as(at + " additionalProperties").isTrue();
        assertThat(schema.path("additionalProperties").asBoolean())
                .as(at + ": unknown fields are ignored in what clients send; the server sends only these")
                .isEqualTo(writer == Writer.CLIENT);
        RecordComponent[] components = type.getRecordComponents();
        assertThat(components).as(at).isNotEmpty();
        Set<String> fields = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        for (RecordComponent c : components) {
            fields.add(c.getName());
            if (isRequired(type, c, writer)) {
                required.add(c.getName());
            }
        }
        assertThat(names(schema.path("properties"))).as(at + " properties").isEqualTo(fields);
        assertThat(texts(schema.path("required"))).as(at + " required").isEqualTo(required);
        for (RecordComponent c : components) {
            String name = at + "." + c.getName();
            JsonNode property = resolve(schema.path("properties").path(c.getName()));
            Class<?> raw = c.getType();
            Set<String> types = types(property);
            String expected = jsonType(raw);
            if (expected == null) {
                assertThat(property.has("type")).as(name + ": any JSON, no type").isFalse();
                continue;
            }
            Set<String> withoutNull = new TreeSet<>(types);
            withoutNull.remove("null");
            assertThat(withoutNull).as(name + " type").containsExactly(expected);
            Boolean nullable = nullable(type, c, writer, required.contains(c.getName()));
            if (nullable != null) {
                assertThat(types.contains("null")).as(name + " allows null").isEqualTo(nullable);
            }
            if (writer == Writer.CLIENT) {
                assertThat(constraintsOf(property)).as(name + " validation").isEqualTo(constraintsOf(type, c));
            }
            if (raw.isRecord()) {
                matches(property, raw, writer, where + "." + c.getName());
            } else if (List.class.isAssignableFrom(raw)) {
                Class<?> element = ITEMS.getOrDefault(type.getSimpleName() + "." + c.getName(),
                        elementType(c.getGenericType()));
                JsonNode items = property.path("items");
                if (element.isRecord()) {
                    matches(items, element, writer, where + "." + c.getName() + "[]");
                } else {
                    assertThat(types(resolve(items))).as(name + " items").containsExactly(jsonType(element));
                }
            }
        }
    }

    private static boolean isRequired(Class<?> type, RecordComponent c, Writer writer) {
        if (writer == Writer.CLIENT) {
            return c.getAccessor().isAnnotationPresent(NotNull.class)
                    || c.getAccessor().isAnnotationPresent(NotBlank.class);
        }
        return c.getType().isPrimitive() || !leftOutWhenNull(type, c)
                || ALWAYS_SET.contains(type.getSimpleName() + "." + c.getName());
    }

    /**
     * Whether JSON null is a valid value: a client may send null for what it may leave out; the server never writes
     * null for a primitive or a component it leaves out when null, and may for a boxed number or boolean. Null: the
     * code does not say (a server-written string), the document decides.
     */
    private static Boolean nullable(Class<?> type, RecordComponent c, Writer writer, boolean required) {
        if (writer == Writer.CLIENT) {
            return !required;
        }
        if (c.getType().isPrimitive() || leftOutWhenNull(type, c)) {
            return false;
        }
        if (Number.class.isAssignableFrom(c.getType()) || c.getType() == Boolean.class) {
            return true;
        }
        return null;
    }

    private static boolean leftOutWhenNull(Class<?> type, RecordComponent c) {
        JsonInclude own = c.getAccessor().getAnnotation(JsonInclude.class);
        JsonInclude onType = type.getAnnotation(JsonInclude.class);
        JsonInclude include = own != null ? own : onType;
        return include != null && include.value() == JsonInclude.Include.NON_NULL;
    }

    /** The validation keywords a client payload's component has by its annotations. */
    private static Map<String, String> constraintsOf(Class<?> type, RecordComponent c) {
        Map<String, String> expected = new TreeMap<>();
        var accessor = c.getAccessor();
        boolean list = Collection.class.isAssignableFrom(c.getType());
        Pattern pattern = accessor.getAnnotation(Pattern.class);
        if (pattern != null) {
            String regexp = pattern.regexp();
            expected.put("pattern", regexp.contains("|") ? "^(" + regexp + ")$" : "^" + regexp + "$");
        }
        Size size = accessor.getAnnotation(Size.class);
        if (size != null) {
            if (size.min() > 0) {
                expected.put(list ? "minItems" : "minLength", Integer.toString(size.min()));
            }
            if (size.max() < Integer.MAX_VALUE) {
                expected.put(list ? "maxItems" : "maxLength", Integer.toString(size.max()));
            }
        }
        DecimalMin decimalMin = accessor.getAnnotation(DecimalMin.class);
        if (decimalMin != null) {
            expected.put(decimalMin.inclusive() ? "minimum" : "exclusiveMinimum", number(decimalMin.value()));
        }
        DecimalMax decimalMax = accessor.getAnnotation(DecimalMax.class);
        if (decimalMax != null) {
            expected.put(decimalMax.inclusive() ? "maximum" : "exclusiveMaximum", number(decimalMax.value()));
        }
        Min min = accessor.getAnnotation(Min.class);
        if (min != null) {
            expected.put("minimum", number(Long.toString(min.value())));
        }
        Max max = accessor.getAnnotation(Max.class);
        if (max != null) {
            expected.put("maximum", number(Long.toString(max.value())));
        }
        if (accessor.isAnnotationPresent(PositiveOrZero.class)) {
            expected.put("minimum", "0");
        }
        if (accessor.isAnnotationPresent(Positive.class)) {
            expected.put("exclusiveMinimum", "0");
        }
        return expected;
    }

    /** The validation keywords the document gives a property, numbers normalised. */
    private static Map<String, String> constraintsOf(JsonNode property) {
        Map<String, String> found = new TreeMap<>();
        for (String keyword : CONSTRAINTS) {
            JsonNode value = property.get(keyword);
            if (value != null) {
                found.put(keyword, value.isNumber() ? number(value.decimalValue().toPlainString()) : value.asText());
            }
        }
        return found;
    }

    private static String number(String value) {
        return new BigDecimal(value).stripTrailingZeros().toPlainString();
    }

    /** The JSON type of a Java type; null for JsonNode (any JSON). */
    private static String jsonType(Class<?> raw) {
        if (raw == String.class) {
            return "string";
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            return "number";
        }
        if (raw == long.class || raw == Long.class || raw == int.class || raw == Integer.class) {
            return "integer";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return "array";
        }
        if (raw.isRecord()) {
            return "object";
        }
        if (JsonNode.class.isAssignableFrom(raw)) {
            return null;
        }
        throw new AssertionError("no JSON type for " + raw + ": teach the test");
    }

    private static Class<?> elementType(Type generic) {
        Type arg = ((ParameterizedType) generic).getActualTypeArguments()[0];
        return arg instanceof Class<?> c ? c : (Class<?>) ((ParameterizedType) arg).getRawType();
    }

    /** Whether a written JSON value is one of the schema's types (a schema without a type takes anything). */
    private static boolean jsonTypeFits(JsonNode property, JsonNode value) {
        Set<String> types = types(property);
        if (types.isEmpty()) {
            return true;
        }
        String actual = value.isNull() ? "null" : value.isTextual() ? "string" : value.isIntegralNumber() ? "integer"
                : value.isNumber() ? "number" : value.isBoolean() ? "boolean" : value.isArray() ? "array" : "object";
        return types.contains(actual) || ("integer".equals(actual) && types.contains("number"));
    }

    // ---------------------------------------------------------------- reading the document

    /** The event names of the EVENT messages of every operation with {@code action}. */
    private static Set<String> eventNames(String action) {
        Set<String> names = new TreeSet<>();
        operations().forEach((id, op) -> {
            if (action.equals(op.path("action").asText())) {
                op.path("messages").forEach(ref -> {
                    JsonNode m = resolve(ref);
                    if ("EVENT".equals(m.path("x-socketio-packet").asText())) {
                        names.add(m.path("name").asText());
                    }
                });
            }
        });
        return names;
    }

    /** The one EVENT message named {@code event} among the messages of the operations with {@code action}. */
    private static JsonNode message(String action, String event) {
        List<JsonNode> found = new ArrayList<>();
        operations().forEach((id, op) -> {
            if (action.equals(op.path("action").asText())) {
                op.path("messages").forEach(ref -> {
                    JsonNode m = resolve(ref);
                    if (event.equals(m.path("name").asText()) && "EVENT".equals(m.path("x-socketio-packet").asText())) {
                        found.add(m);
                    }
                });
            }
        });
        assertThat(found).as(action + " " + event).hasSize(1);
        return found.get(0);
    }

    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new LinkedHashMap<>();
        doc.path("operations").fields().forEachRemaining(e -> ops.put(e.getKey(), e.getValue()));
        assertThat(ops).as("operations").isNotEmpty();
        return ops;
    }

    private static Map<String, JsonNode> channelMessages() {
        Map<String, JsonNode> messages = new LinkedHashMap<>();
        doc.path("channels").path("root").path("messages").fields()
                .forEachRemaining(e -> messages.put(e.getKey(), resolve(e.getValue())));
        assertThat(messages).as("messages of channel root").isNotEmpty();
        return messages;
    }

    private static JsonNode schema(String name) {
        JsonNode schema = doc.path("components").path("schemas").path(name);
        assertThat(schema.isMissingNode()).as("schema " + name).isFalse();
        return schema;
    }

    private static JsonNode resolve(JsonNode node) {
        int hops = 0;
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            JsonNode target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part);
            }
            assertThat(target.isMissingNode()).as("dangling " + ref).isFalse();
            assertThat(++hops).as("$ref chain " + ref).isLessThan(10);
            node = target;
        }
        return node;
    }

    private static Set<String> types(JsonNode schema) {
        JsonNode type = schema.path("type");
        return type.isArray() ? texts(type) : type.isTextual() ? Set.of(type.asText()) : Set.of();
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static <A extends java.lang.annotation.Annotation> A accessorAnnotation(Class<?> type, String component,
                                                                                   Class<A> annotation) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(component)) {
                return c.getAccessor().getAnnotation(annotation);
            }
        }
        throw new AssertionError(type + " has no " + component);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------- a publisher that keeps what it is given

    private record Sent(String event, JsonNode json) {
    }

    private static final class Capture implements Publisher {
        private final WireJson wire = new WireJson();
        private final ObjectMapper mapper = new ObjectMapper();
        final List<Sent> sent = new ArrayList<>();

        @Override
        public Delivery toRoom(String tenantId, String room, String event, Object payload) {
            try {
                sent.add(new Sent(event, mapper.readTree(wire.write(payload)))); // as the wire writes it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Delivery.local(0);
        }

        @Override
        public Delivery toRoomExceptUser(String tenantId, String room, String event, Object payload, String except) {
            return toRoom(tenantId, room, event, payload);
        }

        @Override
        public void toRooms(String tenantId, List<String> rooms, String event, Object payload) {
            throw new AssertionError("not used by these emits");
        }

        @Override
        public Delivery toEveryone(String event, Object payload) {
            throw new AssertionError("not used by these emits");
        }

        @Override
        public int toSocket(Connection connection, String event, Object payload) {
            throw new AssertionError("not used by these emits");
        }
    }
}
