package dev.claudetelemetry.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FirstReportsTests {

  private final AtomicLong clock = new AtomicLong();

  @Test
  void shouldReportACallOnlyOnce() {
    FirstReports ledger = new FirstReports(10, Duration.ofMinutes(1), clock::get);
    assertThat(ledger.firstReport("a")).isTrue();
    assertThat(ledger.firstReport("a")).isFalse();
    assertThat(ledger.firstReport("b")).isTrue();
  }

  @Test
  void shouldForgetCallsAfterTheirTimeToLive() {
    FirstReports ledger = new FirstReports(10, Duration.ofSeconds(60), clock::get);
    ledger.firstReport("a");
    clock.addAndGet(Duration.ofSeconds(30).toNanos());
    ledger.firstReport("b");
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    assertThat(ledger.firstReport("c")).isTrue();
    assertThat(ledger.size()).isEqualTo(2); // a expired, b and c remain
    assertThat(ledger.firstReport("b")).isFalse();
    assertThat(ledger.firstReport("a")).isTrue();
  }

  @Test
  void shouldStayWithinItsBoundForgettingTheOldestFirst() {
    FirstReports ledger = new FirstReports(3, Duration.ofHours(1), clock::get);
    for (String key : new String[] {"a", "b", "c", "d"}) {
      ledger.firstReport(key);
    }
    assertThat(ledger.size()).isEqualTo(3);
    assertThat(ledger.firstReport("d")).isFalse();
    assertThat(ledger.firstReport("a")).isTrue();
  }
}
