package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The console settings as config.yml gives them: empty (or unset, null) means the defaults; {@code none}: no tiles. */
class ConsoleFactoryTest {
    private static ConsoleFactory read(String json) throws Exception {
        return new ObjectMapper().readValue(json, ConsoleFactory.class);
    }

    @Test
    void emptyOrUnsetMeansThePagesHostAndOpenStreetMap() throws Exception {
        for (String json : new String[]{"{}", "{\"socketUrl\":\"\",\"tileUrl\":\"\",\"tileAttribution\":\"\"}",
                "{\"socketUrl\":null,\"tileUrl\":null,\"tileAttribution\":null}"}) {
            ConsoleFactory c = read(json);
            assertThat(c.socketUrl()).as(json).isNull();
            assertThat(c.tileUrl()).as(json).isEqualTo(ConsoleFactory.OSM_TILES);
            assertThat(c.tileAttribution()).as(json).contains("OpenStreetMap");
        }
    }

    @Test
    void aPublicSocketUrlAndOwnTilesAreTakenAsGivenAndNoneMeansNoTiles() throws Exception {
        ConsoleFactory own = read("{\"socketUrl\":\" https://rt.example.com \",\"tileUrl\":\"https://tiles.example.com/{z}/{x}/{y}.png\"}");
        assertThat(own.socketUrl()).isEqualTo("https://rt.example.com");
        assertThat(own.tileUrl()).isEqualTo("https://tiles.example.com/{z}/{x}/{y}.png");
        assertThat(own.tileAttribution()).as("OpenStreetMap's only with its tiles").isEmpty();

        ConsoleFactory none = read("{\"tileUrl\":\"none\",\"tileAttribution\":\"© Example\"}");
        assertThat(none.tileUrl()).isNull();
        assertThat(none.tileAttribution()).isEqualTo("© Example");
    }
}
