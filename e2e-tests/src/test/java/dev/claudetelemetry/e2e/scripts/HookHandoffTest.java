package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudetelemetry.testsupport.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * claude-hook's retries and its hand-off to the pod's transcript-sweep container
 * (claude-transcript-sweep with a hand-off directory, listening on the socket that {@code
 * CLAUDE_HOOK_HANDOFF_SOCKET} names in the managed settings): an event hook-ingest refuses for a
 * moment is sent again with the same key; one it does not take within the hook's timeout waits on
 * the sweep's disk and reaches hook-ingest later, with the same key and the pod's token; what else
 * arrives on the socket (the agent can connect to it) is refused unless it is one JSON object of a
 * bounded size with a well-formed header. The real CLI and a SIGKILLed hook-ingest: {@code
 * sessions.OutagePodTest}.
 */
class HookHandoffTest {
  private static final String KEY_HEADER = "X-Claude-Hook-Event-Key";

  @Test
  void shouldSendTheEventAgainWithTheSameKeyUntilHookIngestTakesIt() {
    String input = PodScript.fixture("PostToolUse-Bash.json");
    AtomicInteger calls = new AtomicInteger();
    try (StubServer ingest =
        new StubServer(
            r ->
                calls.incrementAndGet() <= 2
                    ? new StubServer.Response(503, "{\"status\":503}")
                    : new StubServer.Response(200, "{}"))) {
      PodScript.Outcome outcome =
          PodScript.run("claude-hook", input, ClaudeGuardTest.setup(ingest.url()));

      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout() + outcome.stderr()).isEmpty();
      assertThat(ingest.requests).hasSize(3);
      assertThat(ingest.requests).allSatisfy(r -> assertThat(r.bodyText()).isEqualTo(input));
      assertThat(ingest.requests.stream().map(r -> r.header(KEY_HEADER)).distinct().toList())
          .as("one key for every attempt of the event")
          .singleElement()
          .asString()
          .matches("[0-9a-f]{32}");
    }
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, "{}"))) {
      PodScript.run("claude-hook", input, ClaudeGuardTest.setup(ingest.url()));
      PodScript.run("claude-hook", input, ClaudeGuardTest.setup(ingest.url()));
      assertThat(ingest.requests.stream().map(r -> r.header(KEY_HEADER)).distinct())
          .as("a new key for every event")
          .hasSize(2);
    }
  }

  @Test
  void shouldNotSendAgainWhatHookIngestRefusedAsABadBody() {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(413, "{}"))) {
      PodScript.Outcome outcome =
          PodScript.run(
              "claude-hook", PodScript.fixture("Stop.json"), ClaudeGuardTest.setup(ingest.url()));
      assertThat(outcome.exitCode()).isZero();
      assertThat(ingest.requests).hasSize(1);
    }
  }

  /**
   * hook-ingest answers 503 (not recorded) for longer than the hook's timeout: the event goes to
   * the sweep, which keeps it on its disk and delivers it, with the same key and the pod's own
   * token, once hook-ingest takes it.
   */
  @Test
  void shouldHandTheEventToTheSweepWhichDeliversItOnceHookIngestIsBack(@TempDir Path dir)
      throws Exception {
    String input = PodScript.fixture("UserPromptSubmit.json");
    AtomicBoolean up = new AtomicBoolean(false);
    try (StubServer ingest = new StubServer(takenWhen(up));
        Sweep sweep = Sweep.start(dir, ingest.url())) {
      PodScript.Outcome outcome = PodScript.run("claude-hook", input, sweep.hookSetup());
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout() + outcome.stderr()).isEmpty();
      String key = ingest.requests.get(0).header(KEY_HEADER);
      assertThat(ingest.requests).isNotEmpty().allMatch(r -> key.equals(r.header(KEY_HEADER)));
      assertThat(sweep.spooled())
          .as("on the sweep's disk, under its key")
          .singleElement()
          .satisfies(
              file -> {
                assertThat(file.getFileName().toString()).endsWith("-" + key + ".json");
                assertThat(Files.readString(file)).isEqualTo(input);
              });

      int triedBefore = ingest.requests.size();
      up.set(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> sweep.spooled().isEmpty());
      List<StubServer.Request> delivered =
          ingest.requests.subList(triedBefore, ingest.requests.size()).stream()
              .filter(r -> key.equals(r.header(KEY_HEADER)))
              .toList();
      assertThat(delivered)
          .as("delivered once it was taken, with the pod's token and the event's key")
          .last()
          .satisfies(
              r -> {
                assertThat(r.pathAndQuery()).isEqualTo("/v1/hooks");
                assertThat(r.header("Authorization")).isEqualTo("Bearer pod-token-1");
                assertThat(r.bodyText()).isEqualTo(input);
              });
      assertThat(sweep.log()).contains("1 delivered");
    }
  }

  /**
   * claude-guard with no hook-ingest to ask denies (fail closed) and hands the PreToolUse to the
   * sweep, marked with the decision it applied, under the key of its own request: the call it
   * blocked is delivered later, once. A guard whose hook-ingest refused the pod's token (401) or
   * the body (4xx) hands nothing off: the sweep would get the same answer.
   */
  @Test
  void shouldHandOffWhatTheGuardDecidedWithoutHookIngest(@TempDir Path dir) throws Exception {
    String input = PodScript.fixture("PreToolUse-Bash.json");
    AtomicBoolean up = new AtomicBoolean(false);
    try (StubServer ingest = new StubServer(takenWhen(up));
        Sweep sweep = Sweep.start(dir, ingest.url())) {
      PodScript.Outcome outcome =
          PodScript.run(
              "claude-guard",
              input,
              sweep.hookSetup().managed("CLAUDE_GUARD_TIMEOUT_SECONDS", "0.5"));
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout()).contains("\"permissionDecision\":\"deny\"");
      String key = ingest.requests.get(0).header(KEY_HEADER);
      assertThat(key).matches("[0-9a-f]{32}");
      assertThat(sweep.spooled())
          .singleElement()
          .satisfies(
              file -> {
                assertThat(file.getFileName().toString()).endsWith("-" + key + ".json");
                String handed = Files.readString(file);
                assertThat(handed)
                    .startsWith("{\"claude_telemetry_client_decision\":\"deny\",")
                    .endsWith(input.substring(input.indexOf('{') + 1));
              });

      up.set(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> sweep.spooled().isEmpty());
      assertThat(ingest.requests.get(ingest.requests.size() - 1))
          .satisfies(
              r -> {
                assertThat(r.header(KEY_HEADER)).isEqualTo(key);
                assertThat(r.bodyText()).contains("\"claude_telemetry_client_decision\":\"deny\"");
              });
    }
    for (int status : new int[] {401, 413}) {
      Path other = Files.createDirectories(dir.resolve("refused-" + status));
      try (StubServer ingest = new StubServer(r -> new StubServer.Response(status, "{}"));
          Sweep sweep = Sweep.start(other, ingest.url())) {
        PodScript.Outcome outcome = PodScript.run("claude-guard", input, sweep.hookSetup());
        assertThat(outcome.stdout()).contains("\"permissionDecision\":\"deny\"");
        assertThat(sweep.spooled()).as("HTTP %d: nothing handed off", status).isEmpty();
      }
    }
  }

  /** No sweep in the pod (no socket): the hook gives up after its timeout and exits 0, silent. */
  @Test
  void shouldExitQuietlyWhenThereIsNoHandOff(@TempDir Path dir) {
    PodScript.Outcome outcome =
        PodScript.run(
            "claude-hook",
            PodScript.fixture("Stop.json"),
            ClaudeGuardTest.setup("http://127.0.0.1:" + FreePorts.next())
                .managed("CLAUDE_HOOK_TIMEOUT_SECONDS", "0.3")
                .managed("CLAUDE_HOOK_HANDOFF_SOCKET", dir.resolve("none.sock").toString()));
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.stdout() + outcome.stderr()).isEmpty();
  }

  /**
   * The agent can connect to the socket: anything but a well-formed header and one JSON object of
   * at most 1 MiB, exactly as long as announced, is refused and nothing is kept; a well-formed
   * event is kept like any other (the agent could post it with its own token anyway).
   */
  @Test
  void shouldRefuseMalformedAndOversizedHandOffs(@TempDir Path dir) throws Exception {
    String key = "0123456789abcdef0123456789abcdef";
    String event = "{\"hook_event_name\":\"Stop\",\"session_id\":\"planted\"}";
    byte[] large = new byte[(1 << 20) + 1];
    java.util.Arrays.fill(large, (byte) ' ');
    large[0] = '{';
    large[large.length - 1] = '}';
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(503, "{}"));
        Sweep sweep = Sweep.start(dir, ingest.url())) {
      assertThat(sweep.send(bytes("GET / HTTP/1.0\r\n\r\n"))).startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/1 " + key + " 5\n[1,2]"))).startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/1 " + key + " 3\nabc"))).startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/1 NOTAKEY" + key.substring(7) + " 2\n{}")))
          .startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/2 " + key + " 2\n{}"))).startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/1 " + key + " 100\n{}")))
          .as("shorter than announced")
          .startsWith("no ");
      assertThat(sweep.send(bytes("claude-hook-handoff/1 " + key + " 99999999999999999999\n{}")))
          .startsWith("no ");
      ByteArrayOutputStream oversized = new ByteArrayOutputStream();
      oversized.writeBytes(bytes("claude-hook-handoff/1 " + key + " " + large.length + "\n"));
      oversized.writeBytes(large);
      assertThat(sweep.send(oversized.toByteArray())).startsWith("no ");
      assertThat(sweep.spooled()).isEmpty();

      assertThat(
              sweep.send(
                  bytes("claude-hook-handoff/1 " + key + " " + event.length() + "\n" + event)))
          .isEqualTo("ok\n");
      assertThat(sweep.spooled())
          .singleElement()
          .satisfies(f -> assertThat(Files.readString(f)).isEqualTo(event));
      assertThat(sweep.log()).contains("hook hand-off refused");
    }
  }

  /**
   * What waits survives a restart of the sweep's container (its volume stays); a full spool refuses
   * new hand-offs and keeps what it has.
   */
  @Test
  void shouldKeepWhatWaitsAcrossARestartAndRefuseWhenFull(@TempDir Path dir) throws Exception {
    String event = "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\"}";
    String key = "00000000000000000000000000000abc";
    AtomicBoolean up = new AtomicBoolean(false);
    try (StubServer ingest = new StubServer(takenWhen(up))) {
      try (Sweep sweep = Sweep.start(dir, ingest.url())) {
        assertThat(sweep.send(handoff(key, event))).isEqualTo("ok\n");
      }
      try (Sweep restarted = Sweep.start(dir, ingest.url())) {
        assertThat(restarted.spooled()).hasSize(1);
        up.set(true);
        await().atMost(Duration.ofSeconds(30)).until(() -> restarted.spooled().isEmpty());
        assertThat(ingest.requests)
            .filteredOn(r -> key.equals(r.header(KEY_HEADER)))
            .last()
            .satisfies(r -> assertThat(r.bodyText()).isEqualTo(event));
      }
      up.set(false);
      Path spool = dir.resolve("spool");
      for (int i = 0; i < 4096; i++) {
        Files.writeString(
            spool.resolve(String.format("%013d-%032x.json", 1_000_000_000_000L + i, i)), event);
      }
      try (Sweep full = Sweep.start(dir, ingest.url())) {
        assertThat(full.send(handoff(key, event))).isEqualTo("no hand-off spool full\n");
        assertThat(full.spooled()).hasSize(4096);
        assertThat(full.log()).contains("hook hand-off refused: no hand-off spool full");
      }
    }
  }

  /**
   * Random mutations of valid hand-offs (bytes flipped, inserted, cut): every one is answered "ok"
   * or "no …", the sweep keeps running, and exactly the ones answered "ok" are kept, each one JSON
   * object.
   */
  @Test
  void shouldAnswerEveryMutatedHandOffAndKeepOnlyValidOnes(@TempDir Path dir) throws Exception {
    java.util.Random random = new java.util.Random(Long.getLong("fuzz.seed", System.nanoTime()));
    String[] bodies = {
      "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\"}",
      PodScript.fixture("PostToolUse-Bash.json"),
      "{\"a\":[1,2,{\"b\":\"\\u00e9\"}],\"c\":null}"
    };
    int ok = 0;
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(503, "{}"));
        Sweep sweep = Sweep.start(dir, ingest.url())) {
      for (int i = 0; i < 300; i++) {
        byte[] valid =
            handoff(
                String.format("%016x%016x", random.nextLong(), random.nextLong()),
                bodies[random.nextInt(bodies.length)]);
        byte[] input = mutate(valid, random);
        String answer = sweep.send(input);
        assertThat(answer)
            .as("answer to %s", new String(input, StandardCharsets.UTF_8))
            .matches("(ok|no [A-Za-z -]+)\n");
        if (answer.equals("ok\n")) {
          ok++;
        }
      }
      assertThat(sweep.process().isAlive()).isTrue();
      assertThat(sweep.spooled()).hasSize(ok);
      for (Path file : sweep.spooled()) {
        assertThat(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(file.toFile())
                    .isObject())
            .isTrue();
      }
    }
    assertThat(ok).as("some survive their mutation").isPositive();
  }

  /** Nothing changed a quarter of the time; else one to three flips, inserts or cuts. */
  private static byte[] mutate(byte[] valid, java.util.Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(valid);
    byte[] bytes = out.toByteArray();
    if (random.nextInt(4) == 0) {
      return bytes;
    }
    for (int n = 1 + random.nextInt(3); n > 0 && bytes.length > 0; n--) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(3)) {
        case 0 -> bytes[at] = (byte) random.nextInt(256);
        case 1 -> {
          byte[] longer = new byte[bytes.length + 1];
          System.arraycopy(bytes, 0, longer, 0, at);
          longer[at] = (byte) "0123456789 \n{}\"a".charAt(random.nextInt(16));
          System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
          bytes = longer;
        }
        default -> bytes = java.util.Arrays.copyOf(bytes, at);
      }
    }
    return bytes;
  }

  /** hook-ingest taking events (200) while {@code up}, else answering 503 (not recorded). */
  private static StubServer.Handler takenWhen(AtomicBoolean up) {
    return r ->
        up.get()
            ? new StubServer.Response(200, "{}")
            : new StubServer.Response(503, "{\"status\":503}");
  }

  private static byte[] handoff(String key, String body) {
    return bytes(
        "claude-hook-handoff/1 "
            + key
            + " "
            + body.getBytes(StandardCharsets.UTF_8).length
            + "\n"
            + body);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * claude-transcript-sweep with a hand-off directory, as the chart's transcript-sweep container.
   */
  record Sweep(Process process, Path socket, Path spool, Path logFile, String ingestUrl)
      implements AutoCloseable {

    static Sweep start(Path dir, String ingestUrl) throws IOException {
      Path socket = dir.resolve("handoff/hook.sock");
      Path spool = Files.createDirectories(dir.resolve("spool"));
      Files.createDirectories(socket.getParent());
      // A previous run's socket would look ready before this one listens.
      Files.deleteIfExists(socket);
      Path projects = Files.createDirectories(dir.resolve("projects"));
      Path log = dir.resolve("sweep.log");
      Process process =
          new ProcessBuilder(
                  PodScript.commandWith(
                      new PodScript.Setup()
                          .managed("HOOK_INGEST_URL", ingestUrl)
                          .managed("CLAUDE_TELEMETRY_TOKEN", "pod-token-1")
                          .managed("CLAUDE_HOOK_HANDOFF_SOCKET", socket.toString()),
                      List.of(
                          PodScript.path("claude-transcript-sweep").toString(),
                          projects.toString(),
                          "1",
                          "0",
                          spool.toString())))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
      return new Sweep(process, socket, spool, log, ingestUrl);
    }

    /** The settings of a claude-hook in the same pod: a short timeout, this sweep's socket. */
    PodScript.Setup hookSetup() {
      return ClaudeGuardTest.setup(ingestUrl)
          .managed("CLAUDE_HOOK_TIMEOUT_SECONDS", "0.5")
          .managed("CLAUDE_HOOK_HANDOFF_SOCKET", socket.toString());
    }

    List<Path> spooled() throws IOException {
      try (Stream<Path> files = Files.list(spool)) {
        return files.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
      }
    }

    String log() throws IOException {
      return Files.readString(logFile);
    }

    /** Writes {@code data} to the socket, closes the writing side, returns the answer. */
    String send(byte[] data) throws IOException {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(socket));
        try {
          ByteBuffer buffer = ByteBuffer.wrap(data);
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          channel.shutdownOutput();
        } catch (IOException refusedEarly) {
          // The sweep may answer and close before reading everything (an oversized body).
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(256);
        try {
          while (channel.read(in) > 0) {
            answer.write(in.array(), 0, in.position());
            in.clear();
          }
        } catch (IOException resetAfterTheAnswer) {
          // A peer that closed with our bytes unread: Linux gives its answer, then ECONNRESET.
          answer.write(in.array(), 0, in.position());
        }
        return answer.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
