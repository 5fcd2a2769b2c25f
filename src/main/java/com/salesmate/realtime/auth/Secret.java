package com.salesmate.realtime.auth;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A configured secret or key: never shorter than {@link #minLength()} and never a {@code ${VAR}} the substitutor left
 * as it was (an environment variable the operator forgot). Null is fine (not configured); empty only when
 * {@link #emptyMeansGenerate()}. The message names the setting (the validation path), never the value, so the
 * service stops at start (and {@code check} fails) saying which setting to fix.
 */
@Target({ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Secret.Check.class)
public @interface Secret {
    String message() default "";

    int minLength() default 16;

    /** Empty means "not configured": the service generates the value (JWT secret, admin key). */
    boolean emptyMeansGenerate() default false;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<Secret, String> {
        private int minLength;
        private boolean emptyMeansGenerate;

        @Override
        public void initialize(Secret secret) {
            this.minLength = secret.minLength();
            this.emptyMeansGenerate = secret.emptyMeansGenerate();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String problem = problem(value);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            // no message interpolation of the value: the message is a fixed text
            context.buildConstraintViolationWithTemplate(problem.replace("$", "\\$").replace("{", "\\{"))
                    .addConstraintViolation();
            return false;
        }

        private String problem(String value) {
            if (value == null || (emptyMeansGenerate && value.isBlank())) {
                return null;
            }
            if (value.contains("${")) {
                return "is an unexpanded placeholder ${...}: set the environment variable it names";
            }
            if (value.isBlank()) {
                return "is empty: set it (or its environment variable)";
            }
            if (value.length() < minLength) {
                return "is shorter than " + minLength + " characters";
            }
            return null;
        }
    }
}
