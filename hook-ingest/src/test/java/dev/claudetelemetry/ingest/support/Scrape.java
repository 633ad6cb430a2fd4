package dev.claudetelemetry.ingest.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads one sample from hook-ingest's own {@code /q/metrics} (Prometheus text format), which is
 * served on the management interface only.
 */
public final class Scrape {

  private final String text;

  private Scrape(String text) {
    this.text = text;
  }

  /**
   * A request to the management interface, where /q/metrics and /q/health live: the port the test
   * run bound ({@code quarkus.management.test-port=0} resolves to a free one).
   */
  public static RequestSpecification management() {
    return given()
        .port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class));
  }

  public static Scrape now() {
    return new Scrape(
        management()
            .accept("text/plain; version=0.0.4")
            .get("/q/metrics")
            .then()
            .statusCode(200)
            .extract()
            .asString());
  }

  /**
   * The sum of the samples of {@code name} that have the given labels (k, v, k, v), whatever their
   * other labels; 0 when there is none (yet).
   */
  public double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String lineName = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      if (!lineName.equals(name)) {
        continue;
      }
      Map<String, String> actual = new TreeMap<>();
      if (brace >= 0) {
        String inner = line.substring(brace + 1, line.lastIndexOf('}'));
        for (String pair : inner.split(",")) {
          if (pair.isBlank()) {
            continue;
          }
          int eq = pair.indexOf('=');
          actual.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
        }
      }
      if (actual.entrySet().containsAll(wanted.entrySet())) {
        sum += Double.parseDouble(line.substring(space + 1));
      }
    }
    return sum;
  }
}
