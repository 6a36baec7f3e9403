package dk.opensts.platform.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import tools.jackson.databind.json.JsonMapper;

class UnstorableTest {

    final JsonMapper json = JsonMapper.builder().build();

    @Test
    void theFirstNulIsNamedByItsJsonPointer() {
        assertThat(Unstorable.nulAt(json.readTree("{\"a\":[\"x\",{\"b/c~\":\"y\\u0000\"}],\"d\":\"\\u0000\"}")))
                .isEqualTo("/a/1/b~1c~0");
        assertThat(Unstorable.nulAt(json.readTree("{\"k\\u0000\":1}"))).isEqualTo("/k\0");
        assertThat(Unstorable.nulAt(json.readTree("\"\\u0000\""))).isEqualTo("/");
        assertThat(Unstorable.nulAt(json.readTree("{\"a\":\"\\\\u0000\",\"n\":0,\"z\":null}"))).isNull();
        assertThat(Unstorable.nulAt(json.readTree("[\"ok\"]"), "/filter")).isNull();
        assertThat(Unstorable.nulAt(json.readTree("[\"o\\u0000k\"]"), "/filter")).isEqualTo("/filter/0");
        assertThatThrownBy(() -> Unstorable.refuseNul(json.readTree("{\"name\":\"a\\u0000\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.fields().get(0).field()).isEqualTo("/name");
                });
    }

    @Test
    void theDatabasesRefusalsOfNulAreKnownAmongTheCauses() {
        assertThat(Unstorable.isCause(new DataIntegrityViolationException("COPY failed",
                new SQLException("unsupported Unicode escape sequence", "22P05")))).isTrue();
        assertThat(Unstorable.isCause(new RuntimeException(new SQLException("invalid byte sequence", "22021"))))
                .isTrue();
        assertThat(Unstorable.isCause(new DataIntegrityViolationException("dup",
                new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(Unstorable.isCause(new IllegalStateException("no"))).isFalse();
        assertThat(ProblemHandler.describe(new RuntimeException(new SQLException("x", "22P05"))).code())
                .isEqualTo(ErrorCode.VALIDATION_FAILED);
        // a time beyond the database's range
        ApiException time = ProblemHandler.describe(new RuntimeException(new SQLException("timestamp out of range", "22008")));
        assertThat(time.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
        assertThat(time.getMessage()).contains("years 1 to 9999");
    }

    record Dated(java.time.LocalDate day, java.time.Instant at) {
    }

    @Test
    void bodiesAreReadWithTimesOfTheYears1To9999Only() {
        JsonMapper mapper = JsonMapper.builder().addModule(Unstorable.timesInRange()).build();
        Dated ok = mapper.readValue("{\"day\":\"9999-12-31\",\"at\":\"0001-01-01T00:00:00Z\"}", Dated.class);
        assertThat(ok.day().getYear()).isEqualTo(9999);
        for (var bad : java.util.Map.of("/day", "{\"day\":\"+6000000-01-01\"}",
                "/at", "{\"at\":\"+294277-01-01T00:00:00Z\"}").entrySet()) {
            assertThatThrownBy(() -> mapper.readValue(bad.getValue(), Dated.class))
                    .satisfies(e -> {
                        ApiException a = ProblemHandler.describe(e);
                        assertThat(a.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                        assertThat(a.fields().get(0).field()).isEqualTo(bad.getKey());
                        assertThat(a.fields().get(0).reason()).isEqualTo(Unstorable.TIME_REASON);
                    });
        }
    }

    @Test
    void timesAreAcceptedFromTheYear1ToTheYear9999() {
        assertThat(Unstorable.inRange(java.time.Instant.parse("0001-01-01T00:00:00Z"))).isTrue();
        assertThat(Unstorable.inRange(java.time.Instant.parse("9999-12-31T23:59:59.999999Z"))).isTrue();
        assertThat(Unstorable.inRange(java.time.Instant.parse("0000-12-31T23:59:59Z"))).isFalse();
        assertThat(Unstorable.inRange(java.time.Instant.parse("+10000-01-01T00:00:00Z"))).isFalse();
        assertThat(Unstorable.inRange(java.time.Instant.parse("+294277-01-01T00:00:00Z"))).isFalse();
    }
}
