package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.Identity;
import io.dropwizard.auth.Authenticator;

import java.util.Optional;

/** Bearer credential to caller: an API key first, else a JWT. Unknown or bad credentials give empty (401). */
public class CallerAuthenticator implements Authenticator<String, Caller> {
    private final ApiKeys apiKeys;
    private final TokenService tokens;

    public CallerAuthenticator(ApiKeys apiKeys, TokenService tokens) {
        this.apiKeys = apiKeys;
        this.tokens = tokens;
    }

    @Override
    public Optional<Caller> authenticate(String credential) {
        Optional<Caller> byKey = apiKeys.lookup(credential);
        if (byKey.isPresent()) {
            return byKey;
        }
        if (credential.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            Identity identity = tokens.verify(credential);
            Caller.Kind kind = identity.isManager() ? Caller.Kind.MANAGER : Caller.Kind.SALESMAN;
            return Optional.of(new Caller(kind, identity.tenantId(), identity.userId()));
        } catch (TokenException e) {
            return Optional.empty();
        }
    }
}
