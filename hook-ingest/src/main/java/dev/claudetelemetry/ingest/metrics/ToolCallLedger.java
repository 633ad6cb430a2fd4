package dev.claudetelemetry.ingest.metrics;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Remembers which tool calls already have their outcome counted, so a call reported twice (Claude
 * Code sends PostToolUseFailure and then PostToolUse for one failed call) counts once. Bounded in
 * size and time: the duplicate arrives milliseconds after the first report, so forgetting old calls
 * is safe.
 */
final class ToolCallLedger {

  private final int maxTracked;
  private final long ttlNanos;
  private final LongSupplier clock;

  /** Insertion order is age order, since an entry is never updated. */
  private final LinkedHashMap<String, Long> countedAt = new LinkedHashMap<>();

  ToolCallLedger(int maxTracked, Duration ttl, LongSupplier nanoClock) {
    this.maxTracked = maxTracked;
    this.ttlNanos = ttl.toNanos();
    this.clock = nanoClock;
  }

  /** True the first time a call is reported (within the ttl); false for every repeat. */
  synchronized boolean firstReport(String callKey) {
    long now = clock.getAsLong();
    forgetExpired(now);
    if (countedAt.putIfAbsent(callKey, now) != null) {
      return false;
    }
    if (countedAt.size() > maxTracked) {
      Iterator<String> oldest = countedAt.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  synchronized int size() {
    return countedAt.size();
  }

  private void forgetExpired(long now) {
    Iterator<Map.Entry<String, Long>> oldest = countedAt.entrySet().iterator();
    while (oldest.hasNext() && now - oldest.next().getValue() > ttlNanos) {
      oldest.remove();
    }
  }
}
