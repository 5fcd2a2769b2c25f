package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.Identity;
import io.dropwizard.auth.Authenticator;

import java.util.Optional;

/** Bearer credential to caller: an API key first, else a JWT. Unknown, bad or revoked credentials give empty (401). */
public class CallerAuthenticator implements Authenticator<String, Caller> {
    private final ApiKeys apiKeys;
    private final TokenService tokens;
    private final Revocations revocations;

    public CallerAuthenticator(ApiKeys apiKeys, TokenService tokens, Revocations revocations) {
        this.apiKeys = apiKeys;
        this.tokens = tokens;
        this.revocations = revocations;
    }

    @Override
    public Optional<Caller> authenticate(String credential) {
        return identify(credential)
                .filter(caller -> caller.tenantId() == null || revocations.tenantRevokedUntil(caller.tenantId()).isEmpty());
    }

    private Optional<Caller> identify(String credential) {
        Optional<Caller> byKey = apiKeys.lookup(credential);
        if (byKey.isPresent()) {
            return byKey;
        }
        if (credential.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            Identity identity = tokens.verify(credential);
            if (revocations.revokedUntil(identity).isPresent()) {
                return Optional.empty();
            }
            Caller.Kind kind = identity.isManager() ? Caller.Kind.MANAGER : Caller.Kind.SALESMAN;
            return Optional.of(new Caller(kind, identity.tenantId(), identity.userId()));
        } catch (TokenException e) {
            return Optional.empty();
        }
    }
}
