package com.salesmate.realtime.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JWT verification of SPEC 3 with a fixed clock: signature, expiry, claims, id syntax, roles. */
class TokenServiceTest {
    private static final String SECRET = "unit-test-secret";
    private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");

    private static TokenService at(Instant now) {
        return new TokenService(SECRET, Optional.empty(), Clock.fixed(now, ZoneOffset.UTC));
    }

    private final TokenService tokens = at(NOW);

    private static void assertRefused(TokenService service, String token, ErrorCode code) {
        assertThatThrownBy(() -> service.verify(token))
                .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    /** A hand-made HS256 token, for claims the mint method would never produce. */
    private static com.auth0.jwt.JWTCreator.Builder raw(String sub, String tenantId, String role, String salesmanId) {
        var b = JWT.create().withExpiresAt(Date.from(NOW.plusSeconds(3600)));
        if (sub != null) {
            b.withSubject(sub);
        }
        if (tenantId != null) {
            b.withClaim("tenantId", tenantId);
        }
        if (role != null) {
            b.withClaim("role", role);
        }
        if (salesmanId != null) {
            b.withClaim("salesmanId", salesmanId);
        }
        return b;
    }

    @Test
    void aValidSalesmanTokenGivesItsIdentity() throws Exception {
        Identity id = tokens.verify(tokens.mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofHours(1)));
        assertThat(id.userId()).isEqualTo("u1");
        assertThat(id.tenantId()).isEqualTo("tenant-a");
        assertThat(id.role()).isEqualTo(Role.SALESMAN);
        assertThat(id.salesmanId()).isEqualTo("s1");
        // the socket lives until the token's expiry plus the leeway this node grants
        assertThat(id.expiresAt()).isEqualTo(NOW.plusSeconds(3600 + 30));
    }

    @Test
    void aValidManagerTokenHasNoSalesmanIdEvenIfTheTokenCarriesOne() throws Exception {
        Identity id = tokens.verify(raw("m1", "tenant-a", "manager", "s1").sign(Algorithm.HMAC256(SECRET)));
        assertThat(id.role()).isEqualTo(Role.MANAGER);
        assertThat(id.salesmanId()).isNull();
    }

    @Test
    void anExpiredTokenIsExpiredToken() {
        String token = tokens.mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofMinutes(5));
        // past its exp and the 30 s leeway
        assertRefused(at(NOW.plus(Duration.ofMinutes(5)).plusSeconds(31)), token, ErrorCode.EXPIRED_TOKEN);
    }

    @Test
    void aTokenIsValidUpToItsExpiry() throws Exception {
        String token = tokens.mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofMinutes(5));
        assertThat(at(NOW.plus(Duration.ofMinutes(5)).minusSeconds(1)).verify(token).userId()).isEqualTo("u1");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsInvalid() {
        String token = new TokenService("another-secret", Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC))
                .mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofHours(1));
        assertRefused(tokens, token, ErrorCode.INVALID_TOKEN);
    }

    @Test
    void aTamperedPayloadIsInvalid() {
        String token = tokens.mint("u1", "tenant-a", Role.SALESMAN, "s1", Duration.ofHours(1));
        String other = tokens.mint("u1", "tenant-b", Role.SALESMAN, "s1", Duration.ofHours(1));
        String[] a = token.split("\\.");
        String[] b = other.split("\\.");
        assertRefused(tokens, b[0] + "." + b[1] + "." + a[2], ErrorCode.INVALID_TOKEN);
    }

    @Test
    void garbageAndEmptyTokensAreInvalid() {
        assertRefused(tokens, "not-a-jwt", ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, "", ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, null, ErrorCode.INVALID_TOKEN);
    }

    @Test
    void anUnsignedTokenIsInvalid() {
        assertRefused(tokens, raw("u1", "tenant-a", "salesman", "s1").sign(Algorithm.none()), ErrorCode.INVALID_TOKEN);
    }

    @Test
    void aSalesmanTokenWithoutSalesmanIdIsInvalid() {
        assertRefused(tokens, tokens.mint("u1", "tenant-a", Role.SALESMAN, null, Duration.ofHours(1)),
                ErrorCode.INVALID_TOKEN);
    }

    @Test
    void idsOutsideTheAllowedSyntaxAreInvalid() {
        assertRefused(tokens, tokens.mint("u1", "a:b", Role.MANAGER, null, Duration.ofHours(1)), ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, tokens.mint("u 1", "tenant-a", Role.MANAGER, null, Duration.ofHours(1)),
                ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, tokens.mint("u1", "tenant-a", Role.SALESMAN, "tenant-b:salesman:x", Duration.ofHours(1)),
                ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, tokens.mint("u1", "x".repeat(65), Role.MANAGER, null, Duration.ofHours(1)),
                ErrorCode.INVALID_TOKEN);
    }

    @Test
    void aRoleOtherThanSalesmanOrManagerIsInvalid() {
        Algorithm hs = Algorithm.HMAC256(SECRET);
        assertRefused(tokens, raw("u1", "tenant-a", "admin", null).sign(hs), ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, raw("u1", "tenant-a", "Manager", null).sign(hs), ErrorCode.INVALID_TOKEN);
    }

    @Test
    void missingRequiredClaimsAreInvalid() {
        Algorithm hs = Algorithm.HMAC256(SECRET);
        assertRefused(tokens, raw(null, "tenant-a", "manager", null).sign(hs), ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, raw("u1", null, "manager", null).sign(hs), ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, raw("u1", "tenant-a", null, null).sign(hs), ErrorCode.INVALID_TOKEN);
        assertRefused(tokens, JWT.create().withSubject("u1").withClaim("tenantId", "tenant-a")
                .withClaim("role", "manager").sign(hs), ErrorCode.INVALID_TOKEN);
    }

    @Test
    void rs256IsRefusedWithoutAConfiguredKeyAndAcceptedWithIt() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String token = raw("u1", "tenant-a", "salesman", "s1")
                .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));

        assertRefused(tokens, token, ErrorCode.INVALID_TOKEN);

        TokenService withKey = new TokenService(SECRET, Optional.of((RSAPublicKey) pair.getPublic()),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(withKey.verify(token).salesmanId()).isEqualTo("s1");
        // and HS256 still works beside it
        assertThat(withKey.verify(tokens.mint("m1", "tenant-a", Role.MANAGER, null, Duration.ofHours(1))).userId())
                .isEqualTo("m1");
    }

    /** An issuer whose clock runs {@code ahead} of this node's. */
    private static TokenService issuerAhead(Duration ahead, TokenService.Policy policy) {
        return new TokenService(SECRET, Optional.empty(), Clock.fixed(NOW.plus(ahead), ZoneOffset.UTC), policy);
    }

    private static void assertRefused(TokenService service, String token, ErrorCode code, String message) {
        assertThatThrownBy(() -> service.verify(token))
                .isInstanceOfSatisfying(TokenException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void issuersClocksMayDriftByTheLeeway() throws Exception {
        // iat (and nbf) 20 s ahead of this node: accepted with the default 30 s leeway
        String ahead = raw("u1", "tenant-a", "manager", null).withIssuedAt(Date.from(NOW.plusSeconds(20)))
                .withNotBefore(Date.from(NOW.plusSeconds(20))).sign(Algorithm.HMAC256(SECRET));
        assertThat(tokens.verify(ahead).tenantId()).isEqualTo("tenant-a");
        // 60 s ahead is past the leeway
        String farAhead = raw("u1", "tenant-a", "manager", null).withIssuedAt(Date.from(NOW.plusSeconds(60)))
                .sign(Algorithm.HMAC256(SECRET));
        assertRefused(tokens, farAhead, ErrorCode.INVALID_TOKEN, "token is not valid yet");
        // expired 20 s ago: still accepted; 60 s ago: expired
        String justExpired = issuerAhead(Duration.ofSeconds(-80), TokenService.Policy.DEFAULTS)
                .mint("u1", "tenant-a", Role.MANAGER, null, Duration.ofSeconds(60));
        assertThat(tokens.verify(justExpired).expiresAt()).isEqualTo(NOW.plusSeconds(-20 + 30));
        String expired = issuerAhead(Duration.ofSeconds(-120), TokenService.Policy.DEFAULTS)
                .mint("u1", "tenant-a", Role.MANAGER, null, Duration.ofSeconds(60));
        assertRefused(tokens, expired, ErrorCode.EXPIRED_TOKEN, "token has expired");
        // no leeway configured: the issuer's 20 s are refused
        TokenService strict = new TokenService(SECRET, Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC),
                new TokenService.Policy(Duration.ZERO, "", ""));
        assertRefused(strict, ahead, ErrorCode.INVALID_TOKEN, "token is not valid yet");
    }

    @Test
    void aConfiguredIssuerAndAudienceBindTokensToThisService() throws Exception {
        TokenService.Policy bound = new TokenService.Policy(Duration.ofSeconds(30), "https://id.salesmate.example",
                "salesmate-realtime");
        TokenService service = new TokenService(SECRET, Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC), bound);
        // minted here (the token command): carries both, accepted
        assertThat(service.verify(service.mint("u1", "tenant-a", Role.MANAGER, null, Duration.ofHours(1))).userId())
                .isEqualTo("u1");
        Algorithm hs = Algorithm.HMAC256(SECRET);
        assertRefused(service, raw("u1", "tenant-a", "manager", null).sign(hs), ErrorCode.INVALID_TOKEN,
                "token has no issuer; this service requires one");
        assertRefused(service, raw("u1", "tenant-a", "manager", null).withIssuer("https://evil.example")
                .withAudience("salesmate-realtime").sign(hs), ErrorCode.INVALID_TOKEN, "token issuer is not accepted");
        assertRefused(service, raw("u1", "tenant-a", "manager", null).withIssuer("https://id.salesmate.example")
                .withAudience("another-service").sign(hs), ErrorCode.INVALID_TOKEN, "token audience is not accepted");
        assertRefused(service, raw("u1", "tenant-a", "manager", null).withIssuer("https://id.salesmate.example")
                .sign(hs), ErrorCode.INVALID_TOKEN, "token has no audience; this service requires one");
        // without the settings, the same foreign issuer is of no concern
        assertThat(tokens.verify(raw("u1", "tenant-a", "manager", null).withIssuer("https://evil.example").sign(hs))
                .userId()).isEqualTo("u1");
    }

    @Test
    void refusalsAreFixedTextsNeverTheLibrarysMessage() {
        String foreign = new TokenService("another-secret-of-someone", Optional.empty(),
                Clock.fixed(NOW, ZoneOffset.UTC)).mint("u1", "tenant-a", Role.MANAGER, null, Duration.ofHours(1));
        assertRefused(tokens, foreign, ErrorCode.INVALID_TOKEN, "token signature is invalid");
        assertRefused(tokens, raw("u1", null, "manager", null).sign(Algorithm.HMAC256(SECRET)),
                ErrorCode.INVALID_TOKEN, "token lacks a required claim (sub, exp, tenantId, role)");
        // a claim of the wrong type: the library would quote the claim's content
        assertRefused(tokens, JWT.create().withSubject("u1").withClaim("tenantId", "tenant-a").withClaim("role", "manager")
                .withClaim("exp", "<script>").sign(Algorithm.HMAC256(SECRET)), ErrorCode.INVALID_TOKEN,
                "token is malformed");
        assertRefused(tokens, "a.b.c", ErrorCode.INVALID_TOKEN, "token is malformed");
    }
}
