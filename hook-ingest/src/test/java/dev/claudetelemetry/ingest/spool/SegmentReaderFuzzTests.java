package dev.claudetelemetry.ingest.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment reader reads what a crash, a full disk or bit rot left behind. Seeded damage (flipped
 * bytes, torn tails, zeroed and overwritten ranges, inserted garbage) to segments of random
 * records: reading never fails, returns only records that were written, in order, returns every
 * record the damage did not touch, and accounts for every byte of the file as either a record or
 * skipped damage. {@code -Dfuzz.seed=...}, {@code -Dfuzz.iterations=...} explore further.
 */
class SegmentReaderFuzzTests {

  @TempDir Path dir;

  /** One record as written: its payload and where its bytes are in the (damaged) file. */
  private static final class Written {
    final byte[] payload;
    long start;
    long end;
    boolean damaged;

    Written(byte[] payload, long start) {
      this.payload = payload;
      this.start = start;
      this.end = start + SpoolRecords.HEADER_BYTES + payload.length;
    }

    boolean overlaps(long from, long to) {
      return from < end && to > start;
    }
  }

  @Test
  void shouldRecoverEveryUndamagedRecordAndAccountForEveryByte() throws IOException {
    long seed = Long.getLong("fuzz.seed", 20261207L);
    int iterations = Integer.getInteger("fuzz.iterations", 3_000);
    Random random = new Random(seed);
    Path file = dir.resolve("segment");
    int damagedIterations = 0;
    for (int i = 0; i < iterations; i++) {
      List<Written> records = new ArrayList<>();
      byte[] bytes = segment(random, records);
      bytes = damage(bytes, records, random);
      Files.write(file, bytes);

      List<byte[]> read = new ArrayList<>();
      AtomicLong skipped = new AtomicLong();
      try (SegmentReader reader = SegmentReader.open(file, 0, skipped::addAndGet)) {
        SegmentReader.Entry entry;
        while ((entry = reader.next(reader.size())) != null) {
          read.add(entry.payload());
        }
        assertThat(reader.position()).isEqualTo(bytes.length);
      } catch (RuntimeException | IOException e) {
        fail("seed " + seed + ", iteration " + i, e);
      }

      String where = "seed " + seed + ", iteration " + i;
      long readBytes = read.stream().mapToLong(p -> SpoolRecords.HEADER_BYTES + p.length).sum();
      assertThat(readBytes + skipped.get())
          .as(where + ": every byte accounted for")
          .isEqualTo(bytes.length);
      // Only records that were written, in the order written.
      int next = 0;
      for (byte[] payload : read) {
        while (next < records.size() && !Arrays.equals(records.get(next).payload, payload)) {
          assertThat(records.get(next).damaged)
              .as(where + ": an undamaged record was skipped")
              .isTrue();
          next++;
        }
        assertThat(next).as(where + ": a record that was never written").isLessThan(records.size());
        next++;
      }
      for (; next < records.size(); next++) {
        assertThat(records.get(next).damaged).as(where + ": an undamaged record was lost").isTrue();
      }
      // A tail cut at a record boundary leaves nothing damaged to skip; the accounting above
      // proves every other damage was counted.
      if (skipped.get() > 0) {
        damagedIterations++;
      }
    }
    assertThat(damagedIterations)
        .as("the damage exercises the skipping")
        .isGreaterThan(iterations / 2);
  }

  private static byte[] segment(Random random, List<Written> records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int count = random.nextInt(30);
    for (int r = 0; r < count; r++) {
      byte[] payload = payload(random);
      records.add(new Written(payload, out.size()));
      ByteBuffer header = SpoolRecords.header(payload);
      out.write(header.array(), 0, header.remaining());
      out.write(payload);
    }
    return out.toByteArray();
  }

  /** Mostly JSON text as the spool holds; sometimes arbitrary bytes, which may contain a magic. */
  private static byte[] payload(Random random) {
    if (random.nextInt(10) == 0) {
      byte[] bytes = new byte[random.nextInt(200)];
      random.nextBytes(bytes);
      return bytes;
    }
    StringBuilder text =
        new StringBuilder("{\"id\":\"").append(random.nextLong()).append("\",\"e\":\"");
    int length = random.nextInt(300);
    for (int c = 0; c < length; c++) {
      text.append(random.nextInt(8) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
    }
    return text.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] damage(byte[] bytes, List<Written> records, Random random) {
    int kinds = random.nextInt(4); // 0: an intact segment now and then
    byte[] damaged = bytes;
    for (int k = 0; k < kinds && damaged.length > 0; k++) {
      switch (random.nextInt(5)) {
        case 0 -> { // flipped bits
          int at = random.nextInt(damaged.length);
          damaged[at] ^= (byte) (1 + random.nextInt(255));
          mark(records, at, at + 1);
        }
        case 1 -> { // a tail torn by a crash mid-write
          int at = random.nextInt(damaged.length);
          damaged = Arrays.copyOf(damaged, at);
          for (Written record : records) {
            if (record.end > at) {
              record.damaged = true;
            }
          }
        }
        case 2, 3 -> { // a range zeroed (unwritten blocks) or overwritten with garbage
          int from = random.nextInt(damaged.length);
          int to = Math.min(damaged.length, from + 1 + random.nextInt(64));
          byte[] fill = new byte[to - from];
          if (random.nextBoolean()) {
            random.nextBytes(fill);
          }
          if (!Arrays.equals(fill, Arrays.copyOfRange(damaged, from, to))) {
            System.arraycopy(fill, 0, damaged, from, fill.length);
            mark(records, from, to);
          }
        }
        default -> { // garbage inserted
          int at = random.nextInt(damaged.length + 1);
          byte[] garbage = new byte[1 + random.nextInt(40)];
          random.nextBytes(garbage);
          byte[] longer = new byte[damaged.length + garbage.length];
          System.arraycopy(damaged, 0, longer, 0, at);
          System.arraycopy(garbage, 0, longer, at, garbage.length);
          System.arraycopy(damaged, at, longer, at + garbage.length, damaged.length - at);
          damaged = longer;
          for (Written record : records) {
            if (record.start < at && at < record.end) {
              record.damaged = true;
            }
            if (record.start >= at) {
              record.start += garbage.length;
              record.end += garbage.length;
            }
          }
        }
      }
    }
    return damaged;
  }

  private static void mark(List<Written> records, long from, long to) {
    for (Written record : records) {
      if (record.overlaps(from, to)) {
        record.damaged = true;
      }
    }
  }
}
