package dev.claudetelemetry.servicesupport.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void shouldReadWhatInstantParseReadsAndNothingElse() {
    assertThat(Timestamps.parse("2025-11-20T10:00:00.123Z"))
        .isEqualTo(Instant.parse("2025-11-20T10:00:00.123Z"));
    assertThat(Timestamps.parse("2025-11-20T10:00:00Z"))
        .isEqualTo(Instant.parse("2025-11-20T10:00:00Z"));
    assertThat(Timestamps.parse("2024-02-29T23:59:59.999999999Z"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.999999999Z"));
    assertThat(Timestamps.parse("1969-12-31T23:59:59.5Z"))
        .isEqualTo(Instant.parse("1969-12-31T23:59:59.5Z"));
    assertThat(Timestamps.parse("2025-11-20T10:00:00+02:00"))
        .as("offsets go the slow way")
        .isEqualTo(Instant.parse("2025-11-20T08:00:00Z"));
    for (String invalid :
        new String[] {
          "2025-02-30T10:00:00.000Z",
          "2025-13-01T10:00:00Z",
          "2025-11-20T10:60:00Z",
          "2025-11-20 10:00:00Z",
          "2025-11-20T10:00:00.1234567890Z",
          "2025-11-20T10:00:0aZ",
          "yesterday",
          "",
          "+10000-01-01T00:00:00Z",
          "-0001-01-01T00:00:00Z"
        }) {
      assertThat(Timestamps.parse(invalid)).as(invalid).isNull();
    }
    assertThat(Timestamps.parse(null)).isNull();
  }

  @Test
  void shouldAgreeWithInstantParseOnRandomInstants() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      Instant instant =
          Instant.ofEpochSecond(
              random.nextLong(-62_135_596_800L, 253_402_300_799L), random.nextInt(1_000_000_000));
      String text = DateTimeFormatter.ISO_INSTANT.format(instant);
      assertThat(Timestamps.parse(text)).as(text).isEqualTo(instant);
      String millis = text.length() > 24 ? text.substring(0, 23) + "Z" : text;
      assertThat(Timestamps.parse(millis)).as(millis).isEqualTo(Instant.parse(millis));
    }
  }
}
