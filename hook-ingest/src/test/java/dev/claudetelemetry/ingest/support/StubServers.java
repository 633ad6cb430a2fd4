package dev.claudetelemetry.ingest.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts the policy-service stub and the events receiver on loopback and points hook-ingest at
 * them. The guard keeps its shipped timeout: a shorter one would fail calls closed whenever the
 * machine is busy. The stub's {@code slow} answer does not race that timeout either: it is held
 * until the test, having seen hook-ingest's timeout answer, releases it.
 */
public class StubServers implements QuarkusTestResourceLifecycleManager {

  public static final String TOKEN = "test-hook-token";
  public static final String TRANSCRIPT_TOKEN = "test-transcript-token";

  private static StubPolicyService policy;
  private static EventReceiver receiver;

  public static StubPolicyService policy() {
    return policy;
  }

  public static EventReceiver receiver() {
    return receiver;
  }

  @Override
  public Map<String, String> start() {
    try {
      policy = new StubPolicyService();
      receiver = new EventReceiver();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "ingest.token",
        TOKEN,
        "ingest.guard.policy-url",
        policy.url(),
        "ingest.guard.policy-token",
        "test-policy-token",
        "ingest.forward.url",
        receiver.url(),
        "ingest.forward.token",
        TRANSCRIPT_TOKEN,
        "ingest.forward.linger",
        "20ms");
  }

  @Override
  public void stop() {
    policy.close();
    receiver.close();
  }
}
