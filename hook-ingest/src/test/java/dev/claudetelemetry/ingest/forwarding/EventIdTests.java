package dev.claudetelemetry.ingest.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A keyed event's id is the name-based UUID that transcript-service and the hand-off rely on. */
class EventIdTests {

  @Test
  void shouldBeTheStandardNameBasedUuidOfUserAndKey() {
    Random random = new Random(20);
    for (int i = 0; i < 1_000; i++) {
      byte[] name = new byte[random.nextInt(200)];
      random.nextBytes(name);
      assertThat(Forwarding.nameUuid(name)).isEqualTo(UUID.nameUUIDFromBytes(name));
    }
    String key = "0123456789abcdef0123456789abcdef";
    assertThat(Forwarding.eventId("alice", key))
        .isEqualTo(
            UUID.nameUUIDFromBytes(
                    ("claude-hook-event\nalice\n" + key).getBytes(StandardCharsets.UTF_8))
                .toString())
        .isNotEqualTo(Forwarding.eventId("bob", key));
  }
}
