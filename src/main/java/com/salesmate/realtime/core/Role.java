package com.salesmate.realtime.core;

import java.util.Optional;

/** Token roles. */
public enum Role {
    SALESMAN("salesman"),
    MANAGER("manager");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Role> fromWire(String value) {
        for (Role role : values()) {
            if (role.wire.equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
