package dev.claudetelemetry.e2e.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudetelemetry.e2e.claude.ClaudeCli;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import dev.claudetelemetry.e2e.pod.EmulatedPod.Service;
import dev.claudetelemetry.e2e.pod.PodFixture;
import dev.claudetelemetry.e2e.pod.PodServices;
import dev.claudetelemetry.e2e.pod.PodSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit trail through outages, with the real Claude Code CLI in the emulated pod and
 * hook-ingest spooling as the chart runs it: a session runs while transcript-service is down (the
 * guard keeps deciding), hook-ingest is then killed with SIGKILL holding that session's events in
 * its spool, both come back, and a later session runs normally. Every hook event of both sessions
 * is in PostgreSQL, each once, with its decision.
 *
 * <p>Not covered here: the transcript lines of a session that ends while transcript-service is
 * down. claude-transcript-sync resends what the server has not acknowledged only on a later event
 * of the same session, so such a session's lines wait for it to be resumed.
 */
class OutagePodTest {
  private static final String USER = "alice";
  private static final String IDENTITY =
      """
      {"env": {"CLAUDE_TELEMETRY_USER": "%s", "CLAUDE_TELEMETRY_TOKEN": "%s",
               "OTEL_RESOURCE_ATTRIBUTES": "user.id=%s,user.email=%s@example.com"}}
      """
          .formatted(USER, PodServices.ALICE_TOKEN, USER, USER);

  @Test
  void shouldRecordEveryHookEventOnceThroughATranscriptServiceOutageAndASigkill() throws Exception {
    assertThat(ClaudeCli.installedVersion()).isEqualTo(ClaudeCli.pinnedVersion());
    // Not below /tmp: the shipped policy treats /tmp as scratch, and the session deletes outside
    // its
    // workspace to be denied.
    Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ctoutage");
    try (PodFixture fixture =
        PodFixture.start(
            work,
            IDENTITY,
            EnumSet.of(Service.HOOK_INGEST, Service.POLICY_SERVICE, Service.TRANSCRIPT_SERVICE))) {
      PodServices services = fixture.services;

      // 1. The audit trail is down for a whole session; the guard is not behind it.
      services.stop(Service.TRANSCRIPT_SERVICE);
      PodSession during = fixture.session("outage-during");
      Files.createDirectories(during.outside());
      Files.writeString(during.outside().resolve("keep.txt"), "keep\n");
      fixture.api.script(
          "outage-during",
          List.of(
              Turn.bash("echo while the audit trail is down"),
              Turn.bash("rm -rf " + during.outside()),
              Turn.finalText("done")));
      ClaudeResult first = during.run("work while transcript-service is down");
      assertThat(first.exitCode()).as(first.describe()).isZero();
      assertThat(first.deniedToolUseIds()).as("the guard kept deciding").hasSize(1);
      assertThat(during.outside().resolve("keep.txt")).exists();
      double received = awaitSessionEnd(services);
      assertThat(services.metrics(Service.HOOK_INGEST).sum("claude_hook_forward_buffer_events"))
          .as("every event of the session waits in the spool")
          .isEqualTo(received);

      // 2. hook-ingest is killed holding them; then both come back.
      services.kill(Service.HOOK_INGEST);
      services.start(Service.TRANSCRIPT_SERVICE);
      services.start(Service.HOOK_INGEST);

      // 3. A later session while PostgreSQL restarts under transcript-service.
      services.postgres(false);
      PodSession after = fixture.session("outage-after");
      fixture.api.script(
          "outage-after",
          List.of(Turn.bash("echo while PostgreSQL is down"), Turn.finalText("done")));
      ClaudeResult second = after.run("work while PostgreSQL restarts");
      assertThat(second.exitCode()).as(second.describe()).isZero();
      services.postgres(true);
      double receivedAfter = awaitSessionEnd(services);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stored(services, first.sessionId()) >= received);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stored(services, second.sessionId()) >= receivedAfter);
      for (String session : List.of(first.sessionId(), second.sessionId())) {
        assertThat(
                services.psql(
                    "SELECT count(*) - count(DISTINCT payload::text) FROM hook_events WHERE session_id = '"
                        + session
                        + "'"))
            .as("no event of session %s stored twice", session)
            .isEqualTo("0");
      }
      assertThat(stored(services, first.sessionId())).isEqualTo((long) received);
      assertThat(stored(services, second.sessionId())).isEqualTo((long) receivedAfter);
      assertThat(
              services.psql(
                  "SELECT verdict || ' ' || decision_source FROM hook_events WHERE session_id = '"
                      + first.sessionId()
                      + "' AND event_name = 'PreToolUse' AND payload->'tool_input'->>'command' LIKE 'rm -rf%'"))
          .as("the denial is in the audit trail with its decision")
          .isEqualTo("deny policy");
      assertThat(
              services.metrics(Service.HOOK_INGEST).sum("claude_hook_spool_replayed_events_total"))
          .isEqualTo(received);
    } finally {
      try (var paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * The hook events this hook-ingest process received from the user, once it has the session's
   * SessionEnd (Claude Code's one async hook, which may arrive after the CLI exits).
   */
  private static double awaitSessionEnd(PodServices services) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                services
                        .metrics(Service.HOOK_INGEST)
                        .sum("claude_hook_events_total", "event", "SessionEnd", "user", USER)
                    >= 1);
    return services.metrics(Service.HOOK_INGEST).sum("claude_hook_events_total", "user", USER);
  }

  /** Rows of the session's hook events in PostgreSQL. */
  private static long stored(PodServices services, String session) {
    return Long.parseLong(
        services
            .psql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'")
            .strip());
  }
}
