package com.salesmate.realtime.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
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

/** Verifies client JWTs (HS256 with the shared secret; RS256 when a public key is configured) and mints HS256 ones. */
public class TokenService {
    public static final String CLAIM_TENANT = "tenantId";
    public static final String CLAIM_ROLE = "role";
    public static final String CLAIM_SALESMAN = "salesmanId";

    private final Algorithm hmac;
    private final JWTVerifier hmacVerifier;
    private final JWTVerifier rsaVerifier;
    private final Clock clock;

    public TokenService(String secret, Optional<RSAPublicKey> rsaPublicKey, Clock clock) {
        this.clock = clock;
        this.hmac = Algorithm.HMAC256(secret);
        this.hmacVerifier = verifier(hmac, clock);
        this.rsaVerifier = rsaPublicKey.map(key -> verifier(Algorithm.RSA256(key, null), clock)).orElse(null);
    }

    private static JWTVerifier verifier(Algorithm algorithm, Clock clock) {
        JWTVerifier.BaseVerification verification = (JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withClaimPresence("sub")
                .withClaimPresence("exp")
                .withClaimPresence(CLAIM_TENANT)
                .withClaimPresence(CLAIM_ROLE)
                .acceptLeeway(0);
        return verification.build(clock);
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
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token is invalid: " + e.getMessage());
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
        return new Identity(userId, tenantId, role.get(), salesmanId, jwt.getExpiresAtAsInstant());
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
        return builder.sign(hmac);
    }
}
