package dk.opensts.access.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

class SamlPagesTest {

    @Test
    void escapesTheFiveMarkupCharactersAndLeavesBase64AsItIs() {
        assertThat(SamlPages.esc("<a href=\"x\">Tom & Jerry's</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
        String base64 = "PHNhbWxwOlJlc3BvbnNlIElEPSJfMSIvPg+/==";
        assertThat(SamlPages.esc(base64)).isSameAs(base64);
        assertThat(SamlPages.esc("Søren Æblø")).isEqualTo("Søren Æblø");
        assertThat(SamlPages.esc(null)).isEmpty();
    }

    @Test
    void serverTimingIsTheHandlersOwnTimeInMillisecondsWithOneDecimal() {
        long start = System.nanoTime() - 12_345_678;
        String header = ContextHandlerController.timed(ResponseEntity.ok("x"), start).getHeaders().getFirst("Server-Timing");
        assertThat(header).matches("ch;desc=\"context handler\";dur=[0-9]+\\.[0-9]");
        assertThat(Double.parseDouble(header.substring(header.indexOf("dur=") + 4))).isBetween(12.3, 10_000.0);
    }
}
