package com.salesmate.realtime.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.DropwizardLayout;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import jakarta.validation.constraints.NotBlank;

import java.util.TimeZone;

/**
 * A plain-text layout with a name, so that config.yml can choose {@code layout.type: text} or {@code json} from one
 * environment variable (Dropwizard names only its JSON layouts). The default pattern carries the connection and
 * tenant from the logging context.
 */
@JsonTypeName("text")
public class TextLayoutFactory implements DiscoverableLayoutFactory<ILoggingEvent> {
    @JsonProperty
    @NotBlank
    private String pattern = "%-5p [%d{ISO8601,UTC}] %c{0} [%X{connection:--}/%X{tenant:--}]: %m%n%rEx";

    @Override
    public LayoutBase<ILoggingEvent> build(LoggerContext context, TimeZone timeZone) {
        DropwizardLayout layout = new DropwizardLayout(context, timeZone);
        layout.setPattern(pattern);
        return layout;
    }
}
