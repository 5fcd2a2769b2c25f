package com.salesmate.realtime.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The id syntax of SPEC 1: [A-Za-z0-9._-]{1,64}. */
class IdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "tenant-a", "s1", "A.b_c-9", "0b5e3a52-2c1f-4c7e-9d0a-1f2e3d4c5b6a"})
    void acceptsIdsOfTheAllowedCharacters(String id) {
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(Ids.require("tenantId", id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a:b", "tenant-b:salesman:x", "a b", "a/b", "ä", "a\nb", "a*", "../x", "a%3Ab"})
    void refusesOtherCharacters(String id) {
        assertThat(Ids.isValid(id)).isFalse();
    }

    @Test
    void allowsAtMost64Characters() {
        assertThat(Ids.isValid("x".repeat(64))).isTrue();
        assertThat(Ids.isValid("x".repeat(65))).isFalse();
    }

    @Test
    void nullIsInvalid() {
        assertThat(Ids.isValid(null)).isFalse();
    }

    @Test
    void requireNamesTheFieldInAnInvalidPayloadError() {
        assertThatThrownBy(() -> Ids.require("salesmanId", "a:b"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PAYLOAD);
                    assertThat(e.field()).isEqualTo("salesmanId");
                });
    }
}
