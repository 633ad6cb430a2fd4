package dev.claudetelemetry.e2e.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.e2e.claude.ClaudeCli;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.e2e.fakeapi.RecordedRequest;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import dev.claudetelemetry.e2e.pod.EmulatedPod.Service;
import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.e2e.pod.PodFixture;
import dev.claudetelemetry.e2e.pod.PodServices;
import dev.claudetelemetry.e2e.pod.PodSession;
import dev.claudetelemetry.testsupport.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The audit trail through outages, with the real Claude Code CLI in the emulated pod and
 * hook-ingest spooling as the chart runs it: a session runs while transcript-service is down (the
 * guard keeps deciding), hook-ingest is then killed with SIGKILL holding that session's events in
 * its spool, both come back, and a later session runs normally. Every hook event of both sessions
 * is in PostgreSQL, each once, with its decision. Then a session whose hook-ingest is killed with
 * SIGKILL between two of its turns and started again before the next, and which ends while
 * transcript-service is down: its hook events arrive once each (those fired while hook-ingest was
 * dead through claude-hook's hand-off to the transcript-sweep container), and its transcript
 * arrives through the pod's transcript sweep (claude-transcript-sweep, the chart's transcript-sweep
 * container) once transcript-service is back, since no later event of that session will ever sync
 * it.
 */
class OutagePodTest {
  private static final ObjectMapper JSON = new ObjectMapper();
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
    try (PodFixture fixture = startPod(work)) {
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
      delete(work);
    }
  }

  /**
   * hook-ingest is killed with SIGKILL in the middle of a session while transcript-service is down
   * (so the acknowledged events exist only in hook-ingest's spool), and the session ends before
   * transcript-service is back. The fake API holds the session between turns so that the kill and
   * the restart fall exactly between two tool calls.
   *
   * <p>While hook-ingest is dead, the next tool call's PreToolUse gets no answer: claude-guard
   * denies it with its own reason (fail closed), Claude Code hands that reason to the model, and
   * the guard hands the PreToolUse, marked with the deny it applied, to the pod's transcript-sweep
   * container. The other hooks of that turn (claude-hook) get refused connections for longer than
   * their retry budget and hand their events there too; the sweep delivers them all to the
   * restarted hook-ingest. The test asserts that every event hook-ingest received (counted by the
   * killed process before the kill and by the new one after it, handed-off events included) is
   * stored exactly once, that every batch of tool calls has its PostToolBatch stored, the one fired
   * while hook-ingest was dead included, and that the call the guard blocked alone is recorded as a
   * fail-closed deny.
   */
  @Test
  void shouldRecordEveryHookEventAndEveryTranscriptLineOfASessionCutByAKillAndAnOutage()
      throws Exception {
    assertThat(ClaudeCli.installedVersion()).isEqualTo(ClaudeCli.pinnedVersion());
    Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ctkill");
    try (PodFixture fixture = startPod(work)) {
      PodServices services = fixture.services;
      services.stop(Service.TRANSCRIPT_SERVICE);
      String scenario = "killed-mid-session";
      PodSession session = fixture.session(scenario);
      // The chart's transcript-sweep container: a loop of its own, here every second, for files
      // unchanged for 2 s.
      ManagedProcess sweep =
          fixture.pod.startTranscriptSweep(session.home().resolve(".claude/projects"), 1, 2);
      fixture.api.script(
          scenario,
          List.of(
              Turn.bash("echo before the kill"),
              Turn.bash("echo while hook-ingest is dead"),
              Turn.bash("echo after the restart"),
              Turn.finalText("done")));
      FakeMessagesApi.Hold killHere = fixture.api.hold(scenario, 1);
      FakeMessagesApi.Hold restartHere = fixture.api.hold(scenario, 2);
      CompletableFuture<ClaudeResult> run =
          CompletableFuture.supplyAsync(() -> session.run("work through a crash"));

      assertThat(killHere.awaitReached(Duration.ofSeconds(150))).isTrue();
      MetricsSnapshot beforeKill = services.metrics(Service.HOOK_INGEST);
      double acknowledgedBeforeKill = beforeKill.sum("claude_hook_events_total", "user", USER);
      assertThat(acknowledgedBeforeKill).isPositive();
      assertThat(beforeKill.sum("claude_hook_forward_buffer_events"))
          .as("what hook-ingest acknowledged is in its spool only")
          .isEqualTo(acknowledgedBeforeKill);
      services.kill(Service.HOOK_INGEST);
      killHere.release();

      assertThat(restartHere.awaitReached(Duration.ofSeconds(150))).isTrue();
      services.start(Service.HOOK_INGEST);
      restartHere.release();

      ClaudeResult result = run.get(150, TimeUnit.SECONDS);
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.deniedToolUseIds())
          .as("only the call made while hook-ingest was dead")
          .hasSize(1);
      assertThat(fixture.api.toolResults(scenario))
          .extracting(RecordedRequest.ToolResult::content)
          .anySatisfy(content -> assertThat(content).contains("hook-ingest could not be reached"))
          .anySatisfy(content -> assertThat(content).contains("after the restart"));
      awaitSessionEnd(services);
      // The events claude-hook handed off while hook-ingest was dead reach the new process through
      // the sweep; once none waits, that process has counted every event it will get.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> handedOffWaiting(fixture.pod.handoffSpool()) == 0);
      double acknowledgedAfterRestart =
          services.metrics(Service.HOOK_INGEST).sum("claude_hook_events_total", "user", USER);
      Path transcript = session.transcript(result.sessionId());
      List<String> lines = Files.readAllLines(transcript);
      assertThat(lines).hasSizeGreaterThan(5);

      // transcript-service comes back after the session is over.
      services.start(Service.TRANSCRIPT_SERVICE);
      long acknowledged = (long) (acknowledgedBeforeKill + acknowledgedAfterRestart);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stored(services, result.sessionId()) >= acknowledged);
      String transcriptUrl =
          PodServices.url(
              Service.TRANSCRIPT_SERVICE, "/v1/sessions/" + result.sessionId() + "/transcript");
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  String stored = fixture.pod.get(transcriptUrl, PodServices.READ_TOKEN);
                  return stored != null && stored.lines().count() >= lines.size();
                });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "the transcript's "
                + lines.size()
                + " lines did not arrive; transcript-service has "
                + fixture.pod.get(
                    PodServices.url(
                        Service.TRANSCRIPT_SERVICE,
                        "/v1/transcripts/" + result.sessionId() + "/files/main"),
                    PodServices.ALICE_TOKEN)
                + "\nthe sweep's log:\n"
                + sweep.logTail(30)
                + "\ntranscript-service's log:\n"
                + services.logTail(Service.TRANSCRIPT_SERVICE, 30),
            e);
      }

      assertThat(stored(services, result.sessionId())).isEqualTo(acknowledged);
      assertThat(
              services.psql(
                  "SELECT count(*) - count(DISTINCT payload::text) FROM hook_events WHERE session_id = '"
                      + result.sessionId()
                      + "'"))
          .as("no event stored twice")
          .isEqualTo("0");
      // Events in: Claude Code fires one PostToolBatch per batch of tool calls, whatever became of
      // the calls; the fake API scripted three. The one fired while hook-ingest was dead went
      // through claude-hook's hand-off, and that call's PreToolUse through claude-guard's.
      assertThat(
              services.psql(
                  "SELECT count(*) FROM hook_events WHERE event_name = 'PostToolBatch'"
                      + " AND session_id = '"
                      + result.sessionId()
                      + "'"))
          .as("every batch's PostToolBatch, the one fired while hook-ingest was dead included")
          .isEqualTo("3");
      assertThat(
              services.psql(
                  "SELECT string_agg(event_name || ' ' || verdict || ' ' || decision_source, ',')"
                      + " FROM hook_events WHERE session_id = '"
                      + result.sessionId()
                      + "' AND payload->'tool_input'->>'command' = 'echo while hook-ingest is dead'"))
          .as("the call claude-guard blocked alone, recorded once with the deny it applied")
          .isEqualTo("PreToolUse deny fail-closed");
      assertThat(sweep.logTail(200)).containsPattern("[1-9][0-9]* delivered");
      // The agent can connect to the hand-off socket, but not remove it or bind its own there.
      assertThatThrownBy(
              () ->
                  fixture.pod.exec(
                      List.of("rm", "-f", "/run/claude-telemetry/hook-handoff/hook.sock"),
                      Duration.ofSeconds(10)))
          .hasMessageContaining("Read-only file system");
      assertThat(
              services.metrics(Service.HOOK_INGEST).sum("claude_hook_spool_replayed_events_total"))
          .as("the killed process's events, from its spool")
          .isEqualTo(acknowledgedBeforeKill);
      assertThat(jsonLines(fixture.pod.get(transcriptUrl, PodServices.READ_TOKEN).lines().toList()))
          .as("every line of the transcript, in order, each once")
          .containsExactlyElementsOf(jsonLines(lines));
      assertThat(
              services.psql(
                  "SELECT count(*) || ' ' || count(DISTINCT byte_offset) FROM transcript_lines"
                      + " WHERE file_id = 'main' AND session_id = '"
                      + result.sessionId()
                      + "'"))
          .isEqualTo(lines.size() + " " + lines.size());
    } finally {
      delete(work);
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

  /**
   * The pod with hook-ingest (spooling), policy-service and transcript-service, as the chart runs
   * them.
   */
  private static PodFixture startPod(Path work) {
    return PodFixture.start(
        work,
        IDENTITY,
        EnumSet.of(Service.HOOK_INGEST, Service.POLICY_SERVICE, Service.TRANSCRIPT_SERVICE));
  }

  private static void delete(Path work) throws java.io.IOException {
    try (var paths = Files.walk(work)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static List<JsonNode> jsonLines(List<String> lines) throws Exception {
    List<JsonNode> parsed = new java.util.ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        parsed.add(JSON.readTree(line));
      }
    }
    return parsed;
  }

  /** Hook events handed off to the transcript-sweep container that it has not delivered yet. */
  private static long handedOffWaiting(Path spool) throws java.io.IOException {
    try (var files = Files.list(spool)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
  }

  /** Rows of the session's hook events in PostgreSQL. */
  private static long stored(PodServices services, String session) {
    return Long.parseLong(
        services
            .psql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'")
            .strip());
  }
}
