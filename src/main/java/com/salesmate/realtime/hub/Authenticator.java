package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.auth.TokenException;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.persistence.DatabaseErrors;
import com.salesmate.realtime.persistence.SalesmanTenants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Turns what a client presents (a token, ids beside it) into an identity, or refuses with the contract's code. A
 * salesman id belongs to the first tenant it authenticated in ({@link SalesmanTenants}); a token naming it in another
 * tenant is refused ({@code invalid_token}, "salesman id belongs to another tenant"), never mixed with the first.
 */
public final class Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    static final String FOREIGN_SALESMAN = "salesman id belongs to another tenant";

    private final TokenService tokens;
    private final Revocations revocations;
    private final SalesmanTenants salesmen;

    public Authenticator(TokenService tokens, Revocations revocations, SalesmanTenants salesmen) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.salesmen = salesmen;
    }

    /** A valid token whose salesman or tenant has not been revoked by an operator. */
    Identity verify(Object token) throws TokenException {
        return bound(verifyToken(token));
    }

    /** {@link #verify} without the salesman's binding: the token and the revocations, no database. */
    Identity verifyToken(Object token) throws TokenException {
        if (!(token instanceof String s)) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "token must be a string");
        }
        Identity identity = tokens.verify(s);
        refuseRevoked(identity);
        return identity;
    }

    /**
     * Refuses {@code identity} when an operator has revoked it (its salesman or tenant). Checked with the token, and
     * again once the socket is admitted: the disconnect task revokes first and then closes the sockets it finds, so a
     * socket admitted after that sweep began was not found by it, and its check here sees the revocation.
     */
    void refuseRevoked(Identity identity) throws TokenException {
        var revoked = revocations.revokedUntil(identity);
        if (revoked.isPresent()) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "access revoked until " + revoked.get());
        }
    }

    /**
     * True when {@link #bound} needs the database for {@code identity}: a salesman whose binding is not in the cache
     * (the first connect of a salesman, or one not seen for long), which is a write transaction the first time.
     */
    boolean bindingNeedsDatabase(Identity identity) {
        return identity.isSalesman() && !salesmen.isCached(identity.salesmanId());
    }

    /**
     * The rest of {@link #verify} after {@link #verifyToken}: a salesman's tenant binding, made on first sight (in a
     * transaction of its own when not cached).
     */
    Identity bound(Identity identity) throws TokenException {
        if (!identity.isSalesman()) {
            return identity;
        }
        String owner;
        try {
            owner = salesmen.bindNow(identity.tenantId(), identity.salesmanId());
        } catch (RuntimeException e) {
            return unchecked(identity, e);
        }
        return owned(identity, owner);
    }

    /**
     * {@link #bound} without waiting for the database: a binding not cached goes into the binder's next group commit,
     * and the stage completes after it (on the binder's thread), exceptionally with a {@link TokenException} when the
     * salesman belongs to another tenant, or was revoked meanwhile. Empty when the binder has no room now: then
     * {@link #bound}.
     */
    Optional<CompletionStage<Identity>> boundLater(Identity identity) {
        if (!identity.isSalesman()) {
            return Optional.of(CompletableFuture.completedFuture(identity));
        }
        return salesmen.bind(identity.tenantId(), identity.salesmanId()).map(binding -> binding.handle(
                (owner, failure) -> {
                    try {
                        Identity checked = failure != null ? unchecked(identity, failure) : owned(identity, owner);
                        refuseRevoked(checked); // an operator may have revoked it while the binding was written
                        return checked;
                    } catch (TokenException e) {
                        throw new CompletionException(e);
                    }
                }));
    }

    private static Identity owned(Identity identity, String owner) throws TokenException {
        if (!owner.equals(identity.tenantId())) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, FOREIGN_SALESMAN);
        }
        return identity;
    }

    /**
     * The database is down: the binding cannot be read or made now. The socket is let in (its locations are refused
     * until the database is back anyway); the binding is made on its next authentication.
     */
    private static Identity unchecked(Identity identity, Throwable failure) throws TokenException {
        if (failure instanceof CompletionException wrapped && wrapped.getCause() != null) {
            failure = wrapped.getCause();
        }
        if (!DatabaseErrors.fromDatabase(failure)) {
            // not the database refusing (the binder stopping, a bug): nothing says the database is down, so the
            // socket is not let in unchecked; the client may connect again
            LOG.warn("salesman binding failed: {}", failure.toString());
            throw new TokenException(ErrorCode.UNAVAILABLE, "salesman binding could not be made now, try again");
        }
        LOG.warn("salesman binding not checked (database unavailable): {}", DatabaseErrors.describe(failure));
        return identity;
    }

    /** The {@code authenticate} payload: a token, and ids beside it that must equal its claims. */
    Identity verifyAuthenticate(JsonNode payload) throws TokenException {
        if (payload == null || !payload.isObject() || !payload.path("token").isTextual()) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "payload must be an object with a string token");
        }
        Identity identity = verify(payload.get("token").asText());
        requireClaim(payload, "tenantId", identity.tenantId());
        requireClaim(payload, "salesmanId", identity.salesmanId());
        requireClaim(payload, "userId", identity.userId());
        return identity;
    }

    private static void requireClaim(JsonNode payload, String field, String claim) throws TokenException {
        JsonNode given = payload.get(field);
        if (given != null && !given.isNull() && !(given.isTextual() && given.asText().equals(claim))) {
            throw new TokenException(ErrorCode.CLAIMS_MISMATCH, field + " does not match the token");
        }
    }
}
