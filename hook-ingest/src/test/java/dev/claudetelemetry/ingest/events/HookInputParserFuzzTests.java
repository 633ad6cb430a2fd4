package dev.claudetelemetry.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.claudetelemetry.ingest.problem.RejectedException;
import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Mutations;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parser reads untrusted bytes: whatever arrives, it either accepts the input or refuses it
 * with a {@link RejectedException} (a 4xx), never anything else. Seeded, so a failure reproduces;
 * set {@code -Dfuzz.seed=...} and {@code -Dfuzz.iterations=...} to explore further.
 */
class HookInputParserFuzzTests {

  private final HookInputParser parser = new HookInputParser(64);

  @Test
  void shouldAcceptOrRefuseCleanlyWhateverTheBytes() {
    long seed = Long.getLong("fuzz.seed", 20261125L);
    int iterations = Integer.getInteger("fuzz.iterations", 20_000);
    Random random = new Random(seed);
    List<byte[]> corpus = Fixtures.corpus();
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < iterations; i++) {
      byte[] body = Mutations.mutate(corpus.get(random.nextInt(corpus.size())), random);
      try {
        HookInput input = parser.parse(body);
        assertThat(input.hookEventName()).isNotEmpty();
        assertThat(input.sessionId()).isNotEmpty();
        parser.write(input.json());
        accepted++;
      } catch (RejectedException expected) {
        assertThat(expected.getMessage()).isNotBlank();
        refused++;
      } catch (RuntimeException | StackOverflowError e) {
        fail(
            "seed "
                + seed
                + ", iteration "
                + i
                + ", body (base64) "
                + Base64.getEncoder().encodeToString(body),
            e);
      }
    }
    // The mutations must exercise both paths, or this test proves little.
    assertThat(accepted).isGreaterThan(iterations / 20);
    assertThat(refused).isGreaterThan(iterations / 4);
  }
}
