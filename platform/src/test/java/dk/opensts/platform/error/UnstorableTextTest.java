package dk.opensts.platform.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import tools.jackson.databind.json.JsonMapper;

class UnstorableTextTest {

    final JsonMapper json = JsonMapper.builder().build();

    @Test
    void theFirstNulIsNamedByItsJsonPointer() {
        assertThat(UnstorableText.pointer(json.readTree("{\"a\":[\"x\",{\"b/c~\":\"y\\u0000\"}],\"d\":\"\\u0000\"}")))
                .isEqualTo("/a/1/b~1c~0");
        assertThat(UnstorableText.pointer(json.readTree("{\"k\\u0000\":1}"))).isEqualTo("/k\0");
        assertThat(UnstorableText.pointer(json.readTree("\"\\u0000\""))).isEqualTo("/");
        assertThat(UnstorableText.pointer(json.readTree("{\"a\":\"\\\\u0000\",\"n\":0,\"z\":null}"))).isNull();
        assertThat(UnstorableText.pointer(json.readTree("[\"ok\"]"), "/filter")).isNull();
        assertThat(UnstorableText.pointer(json.readTree("[\"o\\u0000k\"]"), "/filter")).isEqualTo("/filter/0");
        assertThatThrownBy(() -> UnstorableText.check(json.readTree("{\"name\":\"a\\u0000\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.fields().get(0).field()).isEqualTo("/name");
                });
    }

    @Test
    void theDatabasesRefusalsOfNulAreKnownAmongTheCauses() {
        assertThat(UnstorableText.isCause(new DataIntegrityViolationException("COPY failed",
                new SQLException("unsupported Unicode escape sequence", "22P05")))).isTrue();
        assertThat(UnstorableText.isCause(new RuntimeException(new SQLException("invalid byte sequence", "22021"))))
                .isTrue();
        assertThat(UnstorableText.isCause(new DataIntegrityViolationException("dup",
                new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(UnstorableText.isCause(new IllegalStateException("no"))).isFalse();
        assertThat(ProblemHandler.describe(new RuntimeException(new SQLException("x", "22P05"))).code())
                .isEqualTo(ErrorCode.VALIDATION_FAILED);
    }
}
