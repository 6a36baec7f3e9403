package dk.opensts.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/** The loops accept and refuse exactly what Spring Security's regular expressions do. */
class HeaderChecksTest {

    private static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    private static final Pattern VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");
    private static final DefaultBearerTokenResolver SPRING = new DefaultBearerTokenResolver();

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> anyText = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<String> tokenLike = Arbitraries.strings()
                .withChars("abzAZ09-._~+/=\t \u0000\u007f\u00e6\u2028\u0378")
                .ofMaxLength(30);
        Arbitrary<String> prefix = Arbitraries.of("Bearer ", "bearer ", "BEARER ", "Bearer", "Bearer  ", "Basic ", "");
        return Arbitraries.oneOf(anyText, net.jqwik.api.Combinators.combine(prefix, tokenLike).as(String::concat));
    }

    @Property(tries = 3000)
    void characterRulesMatchTheFirewallsPatterns(@ForAll("headers") String s) {
        assertThat(HeaderChecks.assignedAndNotControl(s)).as("name %s", s).isEqualTo(NAMES.matcher(s).matches());
        assertThat(HeaderChecks.headerValue(s)).as("value %s", s).isEqualTo(VALUES.matcher(s).matches());
    }

    @Property(tries = 3000)
    void bearerTokensAreReadAsSpringReadsThem(@ForAll("headers") String header) {
        assertThat(outcome(() -> HeaderChecks.bearerToken(request(header))))
                .isEqualTo(outcome(() -> SPRING.resolve(request(header))));
    }

    @Test
    void examples() {
        assertThat(HeaderChecks.bearerToken(request("Bearer abc.DEF-_~+/x=="))).isEqualTo("abc.DEF-_~+/x==");
        assertThat(HeaderChecks.bearerToken(request("bEaReR a"))).isEqualTo("a");
        assertThat(HeaderChecks.bearerToken(request("Basic dXNlcjpwdw=="))).isNull();
        assertThat(HeaderChecks.bearerToken(new MockHttpServletRequest())).isNull();
        for (String bad : new String[] {"Bearer", "Bearer ", "Bearer a b", "Bearer =abc", "Bearer a=b", "Bearer  a",
                "Bearer\ta", "Bearer a\u00e6"}) {
            assertThatThrownBy(() -> HeaderChecks.bearerToken(request(bad))).as(bad)
                    .isInstanceOf(OAuth2AuthenticationException.class);
        }
        assertThat(HeaderChecks.headerValue("a\tb")).isTrue();
        assertThat(HeaderChecks.assignedAndNotControl("a\tb")).isFalse();
        assertThat(HeaderChecks.headerValue("a\u0000")).isFalse();
        assertThat(HeaderChecks.headerValue("\ud83d\ude00 \u00e6")).isTrue();
    }

    private static MockHttpServletRequest request(String authorization) {
        MockHttpServletRequest r = new MockHttpServletRequest();
        r.addHeader("Authorization", authorization);
        return r;
    }

    private static String outcome(java.util.function.Supplier<String> call) {
        try {
            return "token:" + call.get();
        } catch (OAuth2AuthenticationException e) {
            return "refused:" + e.getError().getErrorCode();
        }
    }
}
