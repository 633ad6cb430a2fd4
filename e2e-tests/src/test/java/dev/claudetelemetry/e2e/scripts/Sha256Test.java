package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sync's SHA-256 (hook-client/src/sha256.h) against the JDK's, both ways it computes it: with
 * the CPU's SHA extensions (used when cpuid reports them; on a CPU without them both columns are
 * the portable code) and the portable code, each fed in random pieces, under the sanitizers of the
 * harness (target/json-check). transcript-service compares the sync's digest with its own, so a
 * wrong one would be recorded as a rewritten transcript.
 */
class Sha256Test {
  private static final Path HARNESS = RepoPaths.root().resolve("hook-client/target/json-check");

  @Test
  void shouldHashExactlyAsTheJdkDoesWithAndWithoutTheShaExtensions() throws Exception {
    Random random = new Random(20261207);
    List<byte[]> cases = new ArrayList<>();
    for (int length : new int[] {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 4096}) {
      cases.add(bytes(random, length));
    }
    for (int i = 0; i < 300; i++) {
      cases.add(bytes(random, random.nextInt(i < 250 ? 700 : 100_000)));
    }
    StringBuilder input = new StringBuilder();
    for (byte[] c : cases) {
      input.append(HexFormat.of().formatHex(c)).append('\n');
    }
    assertThat(HARNESS).as("built by hook-client (mvn package)").isExecutable();
    Process process = new ProcessBuilder(HARNESS.toString(), "sha256").start();
    Thread writer =
        new Thread(
            () -> {
              try (var stdin = process.getOutputStream()) {
                stdin.write(input.toString().getBytes(StandardCharsets.US_ASCII));
              } catch (java.io.IOException ignored) {
                // the harness died: its missing lines fail the test
              }
            });
    writer.start();
    List<String> lines =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
            .lines()
            .toList();
    writer.join();
    assertThat(process.waitFor()).isZero();
    assertThat(lines).hasSize(cases.size());
    for (int i = 0; i < cases.size(); i++) {
      String expected =
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cases.get(i)));
      assertThat(lines.get(i))
          .as("%d bytes", cases.get(i).length)
          .isEqualTo(expected + " " + expected);
    }
  }

  private static byte[] bytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
