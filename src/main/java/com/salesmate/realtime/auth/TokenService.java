package com.salesmate.realtime.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.core.Role;

import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Verifies client JWTs (HS256 with the shared secret; RS256 when a public key is configured) and mints HS256 ones.
 * Token times ({@code exp}, {@code nbf}, {@code iat}) are checked with a leeway, since issuers' clocks drift; when an
 * issuer or audience is configured, tokens must carry it. Messages to clients are fixed texts, never the library's.
 */
public class TokenService {
    public static final String CLAIM_TENANT = "tenantId";
    public static final String CLAIM_ROLE = "role";
    public static final String CLAIM_SALESMAN = "salesmanId";

    /** What a token must satisfy beyond its signature: the clock leeway and, if not empty, issuer and audience. */
    public record Policy(Duration leeway, String issuer, String audience) {
        public static final Policy DEFAULTS = new Policy(Duration.ofSeconds(30), "", "");

        public Policy {
            if (leeway.isNegative()) {
                throw new IllegalArgumentException("leeway must not be negative");
            }
            issuer = issuer == null ? "" : issuer.trim();
            audience = audience == null ? "" : audience.trim();
        }
    }

    private final Algorithm hmac;
    private final JWTVerifier hmacVerifier;
    private final JWTVerifier rsaVerifier;
    private final Clock clock;
    private final Policy policy;

    public TokenService(String secret, Optional<RSAPublicKey> rsaPublicKey, Clock clock) {
        this(secret, rsaPublicKey, clock, Policy.DEFAULTS);
    }

    public TokenService(String secret, Optional<RSAPublicKey> rsaPublicKey, Clock clock, Policy policy) {
        this.clock = clock;
        this.policy = policy;
        this.hmac = Algorithm.HMAC256(secret);
        this.hmacVerifier = verifier(hmac, clock, policy);
        this.rsaVerifier = rsaPublicKey.map(key -> verifier(Algorithm.RSA256(key, null), clock, policy)).orElse(null);
    }

    private static JWTVerifier verifier(Algorithm algorithm, Clock clock, Policy policy) {
        var verification = JWT.require(algorithm)
                .withClaimPresence("sub")
                .withClaimPresence("exp")
                .withClaimPresence(CLAIM_TENANT)
                .withClaimPresence(CLAIM_ROLE)
                .acceptLeeway(policy.leeway().toSeconds());
        if (!policy.issuer().isEmpty()) {
            verification.withIssuer(policy.issuer());
        }
        if (!policy.audience().isEmpty()) {
            verification.withAudience(policy.audience());
        }
        return ((JWTVerifier.BaseVerification) verification).build(clock);
    }

    /** The fixed text a client is told for a refusal of the library; its own message may echo token content. */
    private static String refusal(JWTVerificationException e) {
        if (e instanceof SignatureVerificationException) {
            return "token signature is invalid";
        }
        if (e instanceof AlgorithmMismatchException) {
            return "token algorithm is not accepted";
        }
        if (e instanceof MissingClaimException missing) {
            return switch (missing.getClaimName()) {
                case "iss" -> "token has no issuer; this service requires one";
                case "aud" -> "token has no audience; this service requires one";
                default -> "token lacks a required claim (sub, exp, tenantId, role)";
            };
        }
        if (e instanceof IncorrectClaimException incorrect) {
            return switch (incorrect.getClaimName()) {
                case "iss" -> "token issuer is not accepted";
                case "aud" -> "token audience is not accepted";
                case "nbf", "iat" -> "token is not valid yet";
                default -> "token has a claim of the wrong type";
            };
        }
        return "token is invalid";
    }

    /** Verifies signature, expiry and claims; the claims must follow the contract's id and role rules. */
    public Identity verify(String token) throws TokenException {
        if (token == null || token.isBlank()) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token is required");
        }
        DecodedJWT jwt;
        try {
            DecodedJWT decoded = JWT.decode(token); // parsed once: the verifier checks this decoded form
            JWTVerifier verifier = hmacVerifier;
            if ("RS256".equals(decoded.getAlgorithm())) {
                if (rsaVerifier == null) {
                    throw new TokenException(ErrorCode.INVALID_TOKEN, "RS256 tokens are not accepted here");
                }
                verifier = rsaVerifier;
            }
            jwt = verifier.verify(decoded);
        } catch (TokenExpiredException e) {
            throw new TokenException(ErrorCode.EXPIRED_TOKEN, "token has expired");
        } catch (JWTDecodeException e) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token is malformed");
        } catch (JWTVerificationException e) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, refusal(e));
        }
        String userId = jwt.getSubject();
        String tenantId = jwt.getClaim(CLAIM_TENANT).asString();
        Optional<Role> role = Role.fromWire(jwt.getClaim(CLAIM_ROLE).asString());
        String salesmanId = jwt.getClaim(CLAIM_SALESMAN).asString();
        if (!Ids.isValid(userId) || !Ids.isValid(tenantId)) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token ids must match " + Ids.REGEX);
        }
        if (role.isEmpty()) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token role must be salesman or manager");
        }
        if (role.get() == Role.SALESMAN && !Ids.isValid(salesmanId)) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "a salesman token needs a salesmanId matching " + Ids.REGEX);
        }
        if (role.get() == Role.MANAGER) {
            salesmanId = null;
        }
        // the socket lives as long as this node accepts the token: its expiry plus the leeway
        return new Identity(userId, tenantId, role.get(), salesmanId,
                jwt.getExpiresAtAsInstant().plus(policy.leeway()));
    }

    /** Mints an HS256 token (development, tests and the {@code token} command). */
    public String mint(String userId, String tenantId, Role role, String salesmanId, Duration ttl) {
        Instant now = clock.instant();
        var builder = JWT.create()
                .withSubject(userId)
                .withClaim(CLAIM_TENANT, tenantId)
                .withClaim(CLAIM_ROLE, role.wire())
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl));
        if (salesmanId != null) {
            builder.withClaim(CLAIM_SALESMAN, salesmanId);
        }
        if (!policy.issuer().isEmpty()) {
            builder.withIssuer(policy.issuer());
        }
        if (!policy.audience().isEmpty()) {
            builder.withAudience(policy.audience());
        }
        return builder.sign(hmac);
    }
}
