package dev.claudetelemetry.transcript.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Plain JUnit: the {@link Redactor}'s shortcuts (one pass for every keyword, hint and literal;
 * rules tried only where their keywords occur) redact exactly as trying every rule in order on the
 * whole text does, on the recorded transcripts and on text holding secrets of every kind.
 */
class RedactorPrefilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<RedactionPattern> PATTERNS =
      Redactor.withExtras(Map.of("internal-ticket", "TICKET-SECRET-[0-9]{6}"));
  private static final Redactor REDACTOR = new Redactor(PATTERNS);

  /**
   * The meaning of a pattern list, without shortcuts: each pattern in turn, on the text the ones
   * before left, if one of its keywords occurs in the original text (any ASCII case) and {@link
   * RedactionPattern#worthTrying} says so; every match found by scanning the whole text.
   */
  static Redaction everyRule(List<RedactionPattern> patterns, String text) {
    String lowerOriginal = asciiLower(text);
    Map<String, Integer> counts = new HashMap<>();
    String current = text;
    for (RedactionPattern pattern : patterns) {
      if (!pattern.keywords().isEmpty()
          && pattern.keywords().stream().noneMatch(lowerOriginal::contains)) {
        continue;
      }
      if (!pattern.worthTrying(current)) {
        continue;
      }
      boolean named = pattern.hasSecretGroup();
      Matcher matcher = pattern.pattern().matcher(current);
      StringBuilder out = new StringBuilder();
      int last = 0;
      int found = 0;
      while (matcher.find()) {
        int group = pattern.secretGroupOf(matcher, named);
        int start = named ? matcher.start("secret") : matcher.start(group);
        int end = named ? matcher.end("secret") : matcher.end(group);
        if (start < 0 || start < last) {
          continue;
        }
        String secret = current.substring(start, end);
        int lineStart = current.lastIndexOf('\n', start - 1) + 1;
        int lineEnd = current.indexOf('\n', end);
        String line = current.substring(lineStart, lineEnd < 0 ? current.length() : lineEnd);
        if (!pattern.isSecret(secret, matcher.group(), line)) {
          continue;
        }
        out.append(current, last, start).append("[REDACTED:").append(pattern.kind()).append(']');
        last = end;
        found++;
      }
      if (found > 0) {
        current = out.append(current, last, current.length()).toString();
        counts.merge(pattern.kind(), found, Integer::sum);
      }
    }
    return new Redaction(current, counts);
  }

  private static String asciiLower(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return out.toString();
  }

  @Test
  void shouldRedactTheRecordedTranscriptsAsTryingEveryRuleDoes() throws IOException {
    List<String> corpus = new ArrayList<>();
    try (Stream<Path> files =
        Files.list(RepoPaths.root().resolve("testdata/claude-code/transcripts"))) {
      for (Path file : files.sorted().toList()) {
        for (String line : Files.readAllLines(file)) {
          corpus.add(line);
          strings(JSON.readTree(line), corpus);
        }
      }
    }
    assertThat(corpus).hasSizeGreaterThan(1000);
    assertSameAsEveryRule(corpus);
  }

  @Test
  void shouldRedactSecretsOfEveryKindAsTryingEveryRuleDoes() {
    Random random = new Random(18);
    List<String> samples = new ArrayList<>();
    for (RedactionPattern pattern : PATTERNS) {
      for (int n = 0; n < 6; n++) {
        String sample = RegexSamples.sample(pattern.pattern().pattern(), random);
        String keyword =
            pattern.keywords().isEmpty()
                ? ""
                : pattern.keywords().get(random.nextInt(pattern.keywords().size()));
        samples.add(n % 2 == 0 ? keyword + " = " + sample : sample);
      }
    }
    List<String> corpus = new ArrayList<>(samples);
    RedactorTest.secrets().forEach(arguments -> corpus.add((String) arguments.get()[1]));
    // Secrets among other secrets and prose, in mixed case, on one line and across lines, so
    // that an earlier pattern's marker and a later pattern's hints and keywords meet.
    String[] glue = {" ", "\n", "\\n", "\"", "'", ", ", "=", ":", "\n\n", "\t"};
    for (int n = 0; n < 3000; n++) {
      StringBuilder text = new StringBuilder();
      for (int k = 1 + random.nextInt(5); k > 0; k--) {
        String part = samples.get(random.nextInt(samples.size()));
        text.append(
            switch (random.nextInt(4)) {
              case 0 -> part.toUpperCase(Locale.ROOT);
              case 1 -> mixedCase(part, random);
              default -> part;
            });
        text.append(glue[random.nextInt(glue.length)]);
        if (random.nextInt(3) == 0) {
          text.append("curl -s https://example.com -H 'Accept: json' - é — ");
        }
      }
      corpus.add(text.toString());
    }
    Set<String> kinds = new HashSet<>();
    int changed = 0;
    for (String text : corpus) {
      Redaction expected = everyRule(PATTERNS, text);
      kinds.addAll(expected.counts().keySet());
      changed += expected.changed() ? 1 : 0;
    }
    assertThat(changed).as("texts with something to redact").isGreaterThan(corpus.size() / 2);
    assertThat(kinds).as("kinds redacted").hasSizeGreaterThan(PATTERNS.size() * 9 / 10);
    assertSameAsEveryRule(corpus);
  }

  /** Hints are exact and keywords any case: a text in mixed case tells the two apart. */
  private static String mixedCase(String text, Random random) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return out.toString();
  }

  private static void assertSameAsEveryRule(List<String> corpus) {
    for (String text : corpus) {
      Redaction expected = everyRule(PATTERNS, text);
      Redaction actual = REDACTOR.redact(text);
      assertThat(actual.text()).as("redacting %s", text).isEqualTo(expected.text());
      assertThat(actual.counts()).as("counts for %s", text).isEqualTo(expected.counts());
    }
  }

  private static void strings(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.textValue());
    }
    node.forEach(child -> strings(child, out));
  }
}
