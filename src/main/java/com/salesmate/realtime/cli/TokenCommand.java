package com.salesmate.realtime.cli;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.auth.SecretStore;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.core.Role;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** {@code token}: mints a client JWT with the configured secret, for development and tests. */
public class TokenCommand extends ConfiguredCommand<RealtimeConfiguration> {

    public TokenCommand() {
        super("token", "Mints a client JWT (HS256 with the configured or generated JWT secret)");
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--tenant").required(true).help("tenantId claim");
        subparser.addArgument("--user").required(true).help("sub claim (user id)");
        subparser.addArgument("--role").choices("salesman", "manager").setDefault("salesman").help("role claim");
        subparser.addArgument("--salesman").help("salesmanId claim (required for role salesman)");
        subparser.addArgument("--ttl").setDefault("1h").help("lifetime, e.g. 30m, 12h, 7d");
    }

    @Override
    protected void run(Bootstrap<RealtimeConfiguration> bootstrap, Namespace namespace, RealtimeConfiguration config) {
        String tenant = Ids.require("tenant", namespace.getString("tenant"));
        String user = Ids.require("user", namespace.getString("user"));
        Role role = Role.fromWire(namespace.getString("role")).orElseThrow();
        String salesman = namespace.getString("salesman");
        if (role == Role.SALESMAN) {
            Ids.require("salesman", salesman);
        }
        Duration ttl = io.dropwizard.util.Duration.parse(namespace.getString("ttl")).toJavaDuration();
        String secret = new SecretStore(Path.of(config.getDataDir()), false)
                .resolve(config.getAuth().getJwtSecret(), "jwt-secret", "JWT_SECRET");
        TokenService tokens = new TokenService(secret, Optional.empty(), Clock.systemUTC(),
                config.getAuth().tokenPolicy());
        System.out.println(tokens.mint(user, tenant, role, role == Role.SALESMAN ? salesman : null, ttl));
    }
}
