package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * values.yaml is documented key by key: every value sits under a helm-docs `# --` comment (its own
 * or its group's).
 */
class ValuesDocumentationTest {

  private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z][\\w.-]*):(.*)$");

  private record Key(int indent, String path, boolean documented) {}

  static List<String> undocumented(String valuesYaml) {
    List<String> undocumented = new ArrayList<>();
    Deque<Key> parents = new ArrayDeque<>();
    boolean commentAbove = false;
    for (String line : valuesYaml.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("# --")) {
        commentAbove = true;
        continue;
      }
      if (trimmed.startsWith("#")) {
        continue; // continuation of a comment, or a plain note
      }
      Matcher key = KEY.matcher(line);
      if (!key.matches()) {
        if (!trimmed.isEmpty()) {
          commentAbove = false; // list items and flow continuations belong to the key above
        }
        continue;
      }
      int indent = key.group(1).length();
      while (!parents.isEmpty() && parents.peek().indent() >= indent) {
        parents.pop();
      }
      boolean covered = commentAbove || parents.stream().anyMatch(Key::documented);
      String path = (parents.isEmpty() ? "" : parents.peek().path() + ".") + key.group(2);
      String value = key.group(3).strip();
      if (!value.isEmpty() && !value.startsWith("#") && !covered) {
        undocumented.add(path);
      }
      parents.push(new Key(indent, path, covered));
      commentAbove = false;
    }
    return undocumented;
  }

  @Test
  void shouldDocumentEveryValue() {
    assertThat(undocumented(RepoFiles.text("helm/claude-telemetry/values.yaml"))).isEmpty();
  }

  @Test
  void shouldNoticeAnUndocumentedValue() {
    assertThat(
            undocumented(
                """
        hookIngest:
          # -- Pods.
          replicas: 2
          image: hook-ingest
          guard:
            # -- Fail mode.
            failMode: closed
        # -- Resources, documented as a group.
        resources:
          requests: {cpu: 1}
        """))
        .containsExactly("hookIngest.image");
  }
}
