package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.resources.OpenApiResource;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.auth.Auth;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.model.Parameter.Source;
import org.glassfish.jersey.server.model.Parameter;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written OpenAPI document, as served, against the Jersey resource model of the running service: the same
 * (method, path) pairs both ways, the same path and query parameters, request body schemas with the fields and
 * required fields of the body records, and the bearer scheme and error shape on every operation.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class OpenApiMatchesResourcesTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** One resource method of the running service, keyed "METHOD /full/path". */
    record Endpoint(String key, ResourceMethod method) {
    }

    private static JsonNode doc;
    private static Map<String, Endpoint> endpoints;

    @BeforeAll
    static void load() throws Exception {
        Response r = EXT.client().target("http://127.0.0.1:" + EXT.getLocalPort() + OpenApiResource.PATH)
                .request().get(); // no credential: the document is public
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getMediaType().toString()).startsWith("application/json");
        doc = new ObjectMapper().readTree(r.readEntity(String.class));
        endpoints = new LinkedHashMap<>();
        Stream.concat(EXT.getEnvironment().jersey().getResourceConfig().getInstances().stream().map(Object::getClass),
                        EXT.getEnvironment().jersey().getResourceConfig().getClasses().stream())
                .filter(c -> c.isAnnotationPresent(Path.class))
                .filter(c -> c != OpenApiResource.class)
                .distinct()
                .forEach(c -> collect(Resource.from(c), "", endpoints));
    }

    private static void collect(Resource resource, String parent, Map<String, Endpoint> into) {
        String path = join(parent, resource.getPath());
        for (ResourceMethod m : resource.getResourceMethods()) {
            String key = m.getHttpMethod() + " " + path;
            assertThat(into).as("duplicate endpoint").doesNotContainKey(key);
            into.put(key, new Endpoint(key, m));
        }
        for (Resource child : resource.getChildResources()) {
            collect(child, path, into);
        }
    }

    private static String join(String a, String b) {
        String joined = ("/" + a + "/" + (b == null ? "" : b)).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    private static String server() {
        return doc.path("servers").path(0).path("url").asText();
    }

    private static Map<String, JsonNode> documentedOperations() {
        Map<String, JsonNode> ops = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> op = methods.next();
                if (HTTP_METHODS.contains(op.getKey())) {
                    ops.put(op.getKey().toUpperCase() + " " + join(server(), path.getKey()), op.getValue());
                }
            }
        }
        return ops;
    }

    private static JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            JsonNode target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part);
            }
            assertThat(target.isMissingNode()).as("dangling " + ref).isFalse();
            node = target;
        }
        return node;
    }

    @Test
    void documentIsOpenApi3WithTheApiServerAndBearerScheme() {
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(server()).isEqualTo("/api/websocket");
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearer");
        assertThat(scheme.path("type").asText()).isEqualTo("http");
        assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
        assertThat(doc.path("security").path(0).has("bearer")).isTrue();
    }

    @Test
    void everyResourceMethodIsDocumentedAndEveryDocumentedOperationExists() {
        assertThat(endpoints).as("resource model was read").hasSizeGreaterThanOrEqualTo(10);
        assertThat(new TreeSet<>(documentedOperations().keySet()))
                .containsExactlyElementsOf(new TreeSet<>(endpoints.keySet()));
    }

    @Test
    void pathAndQueryParametersMatchTheResourceMethods() {
        Map<String, JsonNode> ops = documentedOperations();
        for (Endpoint e : endpoints.values()) {
            JsonNode op = ops.get(e.key());
            assertThat(op).as(e.key() + " is documented").isNotNull();
            for (Source source : List.of(Source.PATH, Source.QUERY)) {
                String in = source == Source.PATH ? "path" : "query";
                Set<String> declared = e.method().getInvocable().getParameters().stream()
                        .filter(p -> p.getSource() == source)
                        .map(Parameter::getSourceName)
                        .collect(Collectors.toCollection(TreeSet::new));
                Set<String> documented = new TreeSet<>();
                op.path("parameters").forEach(p -> {
                    JsonNode param = resolve(p);
                    if (in.equals(param.path("in").asText())) {
                        documented.add(param.path("name").asText());
                        if (source == Source.PATH) {
                            assertThat(param.path("required").asBoolean()).as(e.key() + " " + param).isTrue();
                        }
                    }
                });
                assertThat(documented).as(e.key() + " " + in + " parameters").isEqualTo(declared);
            }
        }
    }

    @Test
    void requestBodiesHaveTheFieldsAndRequiredFieldsOfTheBodyRecords() {
        Map<String, JsonNode> ops = documentedOperations();
        int bodies = 0;
        for (Endpoint e : endpoints.values()) {
            List<Class<?>> entities = e.method().getInvocable().getParameters().stream()
                    // Jersey files an entity with constraint annotations under UNKNOWN; @Auth is the caller, not a body
                    .filter(p -> p.getSource() == Source.ENTITY || p.getSource() == Source.UNKNOWN)
                    .filter(p -> !p.isAnnotationPresent(Auth.class))
                    .<Class<?>>map(Parameter::getRawType)
                    .toList();
            assertThat(ops).as(e.key() + " is documented").containsKey(e.key());
            JsonNode requestBody = ops.get(e.key()).path("requestBody");
            if (entities.isEmpty()) {
                assertThat(requestBody.isMissingNode()).as(e.key() + " takes no body").isTrue();
                continue;
            }
            bodies++;
            assertThat(entities).as(e.key()).hasSize(1);
            Class<?> type = entities.get(0);
            assertThat(type.isRecord()).as(type + " is a body record").isTrue();
            assertThat(requestBody.path("required").asBoolean()).as(e.key()).isTrue();
            JsonNode schema = resolve(requestBody.path("content").path("application/json").path("schema"));
            assertThat(schema.path("additionalProperties").asBoolean(true))
                    .as(e.key() + ": unknown fields are refused").isFalse();
            List<String> fields = new ArrayList<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) {
                fields.add(c.getName());
                if (c.getAccessor().isAnnotationPresent(NotNull.class) || c.getAccessor().isAnnotationPresent(NotBlank.class)) {
                    required.add(c.getName());
                }
            }
            List<String> documentedFields = new ArrayList<>();
            schema.path("properties").fieldNames().forEachRemaining(documentedFields::add);
            List<String> documentedRequired = new ArrayList<>();
            schema.path("required").forEach(n -> documentedRequired.add(n.asText()));
            assertThat(documentedFields).as(e.key() + " fields of " + type.getSimpleName())
                    .containsExactlyInAnyOrderElementsOf(fields);
            assertThat(documentedRequired).as(e.key() + " required fields of " + type.getSimpleName())
                    .containsExactlyInAnyOrderElementsOf(required);
        }
        assertThat(bodies).isEqualTo(7);
    }

    @Test
    void everyOperationAnswersSuccessAndDocumentsTheErrorShape() {
        JsonNode error = resolve(doc.path("components").path("schemas").path("Error"));
        assertThat(error.path("properties").path("error").path("properties").path("code").path("enum").toString())
                .contains("invalid_payload", "unauthorized", "forbidden", "not_found", "payload_too_large",
                        "rate_limited", "unavailable");
        documentedOperations().forEach((key, op) -> {
            assertThat(op.path("operationId").asText()).as(key).isNotBlank();
            JsonNode responses = op.path("responses");
            JsonNode success = resolve(responses.path("200").path("content").path("application/json").path("schema"));
            assertThat(success.path("properties").has("success")).as(key + " success answer").isTrue();
            Set<String> statuses = new TreeSet<>();
            responses.fieldNames().forEachRemaining(statuses::add);
            assertThat(statuses).as(key).contains("200", "401", "403");
            if (key.startsWith("POST")) {
                assertThat(statuses).as(key).contains("400", "413");
            }
            statuses.stream().filter(s -> !s.equals("200")).forEach(s -> {
                JsonNode schema = resolve(responses.path(s)).path("content").path("application/json").path("schema");
                assertThat(schema.path("$ref").asText()).as(key + " " + s).isEqualTo("#/components/schemas/Error");
            });
        });
    }
}
