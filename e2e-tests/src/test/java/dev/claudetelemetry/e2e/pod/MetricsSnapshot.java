package dev.claudetelemetry.e2e.pod;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a /q/metrics page (Prometheus text format), queried by name and labels. */
public final class MetricsSnapshot {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One series: its name, labels and value. */
  public record Series(String name, Map<String, String> labels, double value) {
    public boolean has(String label, String value) {
      return value.equals(labels.get(label));
    }
  }

  private final Map<String, Series> series;

  private MetricsSnapshot(Map<String, Series> series) {
    this.series = series;
  }

  public static MetricsSnapshot parse(String text) {
    Map<String, Series> all = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
      all.put(key, new Series(m.group(1), Map.copyOf(labels), Double.parseDouble(m.group(4))));
    }
    return new MetricsSnapshot(all);
  }

  /** The sum of every series named {@code name} whose labels match. */
  public double sum(String name, Predicate<Series> filter) {
    return series.values().stream()
        .filter(s -> s.name().equals(name))
        .filter(filter)
        .mapToDouble(Series::value)
        .sum();
  }

  /**
   * The sum over series named {@code name} with these label values ({@code "label", "value", ...}).
   */
  public double sum(String name, String... labelValues) {
    return sum(
        name,
        s -> {
          for (int i = 0; i < labelValues.length; i += 2) {
            if (!s.has(labelValues[i], labelValues[i + 1])) {
              return false;
            }
          }
          return true;
        });
  }

  /** How much each matching series grew since {@code before}, summed. */
  public double delta(MetricsSnapshot before, String name, String... labelValues) {
    return sum(name, labelValues) - before.sum(name, labelValues);
  }

  public Iterable<Series> all() {
    return series.values();
  }
}
