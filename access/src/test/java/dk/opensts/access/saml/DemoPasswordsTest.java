package dk.opensts.access.saml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoPasswordsTest {

    private final TestIdentityProvider.DemoPasswords passwords = new TestIdentityProvider.DemoPasswords();

    @Test
    void theRightPasswordMatchesAndNothingElseDoes() {
        String stored = passwords.encode("aktoer1");
        assertThat(passwords.matches("aktoer1", stored)).isTrue();
        assertThat(passwords.matches("aktoer2", stored)).isFalse();
        assertThat(passwords.matches("aktoer1 ", stored)).isFalse();
        assertThat(passwords.matches("", stored)).isFalse();
        assertThat(passwords.matches(null, stored)).isFalse();
        assertThat(passwords.matches("aktoer1", null)).isFalse();
        assertThat(passwords.matches("aktoer1", "no-separator")).isFalse();
        assertThat(passwords.matches("æøå", passwords.encode("æøå"))).isTrue();
    }

    @Test
    void eachEncodingHasItsOwnSalt() {
        String a = passwords.encode("same");
        String b = passwords.encode("same");
        assertThat(a).isNotEqualTo(b).doesNotContain("same");
        assertThat(passwords.matches("same", a)).isTrue();
        assertThat(passwords.matches("same", b)).isTrue();
    }
}
