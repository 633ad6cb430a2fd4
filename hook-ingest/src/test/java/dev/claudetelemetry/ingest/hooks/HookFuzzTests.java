package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Mutations;
import dev.claudetelemetry.ingest.support.StubServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated hook inputs over real HTTP: every answer is 200 or a 4xx problem, never a 5xx. */
@QuarkusTest
@WithTestResource(StubServers.class)
class HookFuzzTests {

  @Test
  void shouldNeverAnswerWithAServerError() {
    long seed = Long.getLong("fuzz.seed", 7L);
    int iterations = Integer.getInteger("fuzz.http.iterations", 400);
    Random random = new Random(seed);
    List<byte[]> corpus = Fixtures.corpus();
    int ok = 0;
    for (int i = 0; i < iterations; i++) {
      byte[] body = Mutations.mutate(corpus.get(random.nextInt(corpus.size())), random);
      var response =
          given()
              .header("Authorization", "Bearer " + StubServers.TOKEN)
              .contentType("application/json")
              .body(body)
              .post("/v1/hooks");
      int status = response.statusCode();
      assertThat(status)
          .as("seed %d iteration %d body %s", seed, i, Base64.getEncoder().encodeToString(body))
          .isIn(200, 400, 413);
      if (status == 200) {
        ok++;
        assertThat(response.contentType()).startsWith("application/json");
      } else {
        assertThat(response.contentType()).startsWith("application/problem+json");
      }
    }
    assertThat(ok).isGreaterThan(iterations / 20);
  }
}
