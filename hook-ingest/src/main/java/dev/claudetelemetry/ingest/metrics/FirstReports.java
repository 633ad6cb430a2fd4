package dev.claudetelemetry.ingest.metrics;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Remembers which keys were already reported, so that what arrives twice counts once: a tool call
 * reported twice (Claude Code sends PostToolUseFailure and then PostToolUse for one failed call),
 * and a hook event the client delivered again under its event key (a retry after a lost answer or a
 * 503, or the pod's hand-off after one). Bounded in size and time: the repeat arrives within
 * seconds of the first report, so forgetting old keys is safe.
 */
final class FirstReports {

  private final int maxTracked;
  private final long ttlNanos;
  private final LongSupplier clock;

  /** Insertion order is age order, since an entry is never updated. */
  private final LinkedHashMap<String, Long> countedAt = new LinkedHashMap<>();

  FirstReports(int maxTracked, Duration ttl, LongSupplier nanoClock) {
    this.maxTracked = maxTracked;
    this.ttlNanos = ttl.toNanos();
    this.clock = nanoClock;
  }

  /** True the first time a key is reported (within the ttl); false for every repeat. */
  synchronized boolean firstReport(String key) {
    long now = clock.getAsLong();
    forgetExpired(now);
    if (countedAt.putIfAbsent(key, now) != null) {
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
