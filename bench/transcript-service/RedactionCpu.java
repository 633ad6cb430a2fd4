import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.transcript.redaction.Redactor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Redaction alone, as the upload path runs it: every line of DIR parsed, then the built-in rules'
 * Redactor.redactInPlace timed with the thread's CPU time (not wall time, so other work on the
 * machine does not count), PASSES times over the same lines; the first passes include the JIT
 * compiler's work. The digest of the redacted lines tells two builds apart that redact differently.
 *
 * <p>usage: java -cp "transcript-service/target/quarkus-app/app/*:transcript-service/target/quarkus-app/lib/main/*" \
 * bench/transcript-service/RedactionCpu.java DIR [PASSES]
 */
public class RedactionCpu {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    List<byte[]> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir).sorted()) {
      for (Path file : files.toList()) {
        for (String line : Files.readAllLines(file)) {
          lines.add(line.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    Redactor redactor = new Redactor(Redactor.withExtras(Map.of()));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int pass = 1; pass <= passes; pass++) {
      List<JsonNode> trees = new ArrayList<>(lines.size());
      for (byte[] line : lines) {
        trees.add(json.readTree(line));
      }
      Map<String, Integer> counts = new TreeMap<>();
      long start = threads.getCurrentThreadCpuTime();
      for (JsonNode tree : trees) {
        redactor.redactInPlace(tree).forEach((kind, n) -> counts.merge(kind, n, Integer::sum));
      }
      long cpu = threads.getCurrentThreadCpuTime() - start;
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (JsonNode tree : trees) {
        digest.update(json.writeValueAsBytes(tree));
      }
      System.out.printf(
          "pass %d: %d lines, %.1f us CPU per line, redactions %s, digest %s%n",
          pass,
          lines.size(),
          cpu / 1000.0 / lines.size(),
          counts,
          HexFormat.of().formatHex(digest.digest(), 0, 8));
    }
  }
}
