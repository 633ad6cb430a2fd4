package dev.claudetelemetry.ingest.spool;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A write-ahead log of events on disk: hook-ingest appends each event here before it answers the
 * hook, delivers from here, and after a crash or restart delivers whatever transcript-service had
 * not acknowledged.
 *
 * <p>The directory holds segment files {@code <20-digit number>.seg} of records ({@link
 * SpoolRecords}) and the acknowledged position ({@link SpoolCursor}). One writer thread appends: it
 * takes every append waiting, writes them with one gathering write, then syncs once for all of them
 * (group commit), so the number of syncs follows the disk's speed, not the event rate. Each start
 * writes to a new segment, never after the tail of an old one (which a crash may have torn). One
 * consumer thread reads; a segment is deleted once the acknowledged position has passed it.
 *
 * <p>Bounded in bytes: an append that would take the segment files beyond {@code maxBytes} is
 * refused ({@link NotSpooledException.Reason#FULL}), never an older, already acknowledged event
 * dropped.
 */
public final class Spool implements AutoCloseable {

  /** How far an append must have got before its future completes. */
  public enum Durability {
    /** Handed to the kernel: survives hook-ingest being killed, not the node failing. */
    WRITTEN,
    /** Synced to the disk: survives the node failing too. */
    SYNCED
  }

  private static final Logger LOG = Logger.getLogger(Spool.class);
  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.seg");
  private static final int MAX_GROUP = 4096;

  private record Append(byte[] payload, Durability durability, CompletableFuture<Void> done) {
    long bytes() {
      return SpoolRecords.HEADER_BYTES + (long) payload.length;
    }
  }

  private final SpoolOptions options;
  private final Path dir;
  private final HookMetrics metrics;

  /** Every segment file, by number, with its size once it is sealed (the active one: -1). */
  private final ConcurrentSkipListMap<Long, Long> segments = new ConcurrentSkipListMap<>();

  /** Bytes of segment files plus appends accepted and not yet written: what the bound limits. */
  private final AtomicLong usedBytes = new AtomicLong();

  /** Events on disk (or about to be) that were not acknowledged yet. */
  private final AtomicLong unacknowledged = new AtomicLong();

  private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();

  /** Queued by {@link #close()} after the last append it let in: the writer ends there. */
  private static final Append END = new Append(new byte[0], Durability.WRITTEN, null);

  private final LinkedBlockingQueue<SyncRequest> syncQueue = new LinkedBlockingQueue<>();
  private static final SyncRequest STOP = new SyncRequest(null, List.of(), false);
  private final Object appendLock = new Object();
  private final Object progress = new Object();
  private final Thread writer;
  private final Thread syncer;
  private volatile boolean closed;

  // The writer thread's own.
  private FileChannel active;
  private long activeSegment;
  private long activeSize;

  /** End of what has been written to the active segment; the reader never reads past it. */
  private volatile Position written;

  // Guarded by progress: records written so far, and the count at which a waiting consumer wants to
  // be woken (it sleeps through the writes before, see awaitProgress).
  private long writtenRecords;
  private long wakeAtRecords = Long.MAX_VALUE;

  // The consumer thread's own.
  private final long firstNewSegment;
  private Position acknowledged;
  private final SpoolCursor cursor;
  private Position consumed;
  private SegmentReader reader;
  private long readerSegment = -1;
  private SegmentReader.Entry lookahead;
  private boolean scanned;

  private Spool(SpoolOptions options, HookMetrics metrics, Position start, long firstNewSegment) {
    this.options = options;
    this.dir = options.dir();
    this.metrics = metrics;
    this.acknowledged = start;
    this.cursor = new SpoolCursor(options.dir());
    this.consumed = start;
    this.firstNewSegment = firstNewSegment;
    this.writer = new Thread(this::writeLoop, "hook-spool-writer");
    this.writer.setDaemon(true);
    this.syncer = new Thread(this::syncLoop, "hook-spool-syncer");
    this.syncer.setDaemon(true);
  }

  /**
   * Opens the spool in {@code options.dir()}, creating it if need be. Fails only when the directory
   * cannot be used at all; damaged content is skipped and counted when it is read.
   */
  public static Spool open(SpoolOptions options, HookMetrics metrics) throws IOException {
    Path dir = options.dir();
    Files.createDirectories(dir);
    TreeMap<Long, Long> found = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        Matcher name = SEGMENT.matcher(file.getFileName().toString());
        if (name.matches()) {
          found.put(Long.parseLong(name.group(1)), Files.size(file));
        }
      }
    }
    Optional<Position> cursor = SpoolCursor.read(dir);
    if (cursor.isEmpty() && Files.exists(dir.resolve(SpoolCursor.FILE))) {
      LOG.warn("the spool's acknowledged position is damaged: delivering every segment again");
    }
    long newSegment =
        Math.max(found.isEmpty() ? 0 : found.lastKey(), cursor.map(Position::segment).orElse(0L))
            + 1;
    if (cursor.isPresent()) {
      // Delivered before the last stop, but not deleted then.
      for (long delivered : new ArrayList<>(found.headMap(cursor.get().segment()).keySet())) {
        Files.deleteIfExists(dir.resolve(name(delivered)));
        found.remove(delivered);
      }
    }
    Position start = new Position(newSegment, 0);
    if (!found.isEmpty()) {
      long oldest = found.firstKey();
      start =
          cursor.isPresent() && cursor.get().segment() == oldest
              ? cursor.get()
              : new Position(oldest, 0);
    }
    Spool spool = new Spool(options, metrics, start, newSegment);
    spool.segments.putAll(found);
    found.values().forEach(spool.usedBytes::addAndGet);
    spool.activeSegment = newSegment - 1;
    spool.roll();
    metrics.spool(spool.usedBytes::get, options.maxBytes());
    spool.syncer.start();
    spool.writer.start();
    return spool;
  }

  static String name(long segment) {
    return String.format("%020d.seg", segment);
  }

  // ---- appending (any thread) ----

  /**
   * Appends one event; the future completes once it is {@code durability} far, or fails with {@link
   * NotSpooledException} when the spool is full, closed or could not write it.
   */
  public CompletableFuture<Void> append(byte[] payload, Durability durability) {
    Append append = new Append(payload, durability, new CompletableFuture<>());
    if (payload.length > SpoolRecords.MAX_PAYLOAD_BYTES) {
      return CompletableFuture.failedFuture(
          new NotSpooledException(NotSpooledException.Reason.FULL, "event larger than a record"));
    }
    synchronized (appendLock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new NotSpooledException(NotSpooledException.Reason.CLOSED, "the spool is closed"));
      }
      if (usedBytes.addAndGet(append.bytes()) > options.maxBytes()) {
        usedBytes.addAndGet(-append.bytes());
        return CompletableFuture.failedFuture(
            new NotSpooledException(
                NotSpooledException.Reason.FULL,
                "the spool holds " + options.maxBytes() + " bytes at most"));
      }
      unacknowledged.incrementAndGet();
      queue.add(append);
    }
    return append.done();
  }

  // ---- the writer and the syncer ----

  /**
   * What the syncer is to do: sync {@code channel}, then complete {@code waiting}; close the
   * channel after that when {@code sealed} (the writer has moved on to the next segment).
   */
  private record SyncRequest(FileChannel channel, List<Append> waiting, boolean sealed) {}

  /**
   * Sleeps until an append arrives (no polling: an idle spool costs no CPU), writes what is
   * waiting, and ends at {@link #END}, which {@code close()} queues behind every append it
   * accepted.
   */
  private void writeLoop() {
    List<Append> group = new ArrayList<>();
    try {
      boolean end = false;
      while (!end) {
        group.add(queue.take());
        queue.drainTo(group, MAX_GROUP - 1);
        end = group.remove(END);
        writeGroup(group);
        group.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sealActive();
      syncQueue.add(STOP);
    }
  }

  private void writeGroup(List<Append> group) {
    List<Append> batch = new ArrayList<>(group.size());
    long batchBytes = 0;
    for (Append append : group) {
      if (active != null
          && activeSize + batchBytes > 0
          && activeSize + batchBytes + append.bytes() > options.segmentBytes()) {
        write(batch, batchBytes);
        batch.clear();
        batchBytes = 0;
        try {
          roll();
        } catch (IOException e) {
          LOG.errorf("could not begin a new spool segment: %s", e.toString());
        }
      }
      batch.add(append);
      batchBytes += append.bytes();
    }
    write(batch, batchBytes);
  }

  /**
   * Writes the batch with one gathering write and hands it to the syncer; appends that only needed
   * the write complete now. The writer does not wait for the sync: while the syncer syncs one
   * group, the next is written, and the syncer's next sync covers all of it.
   */
  private void write(List<Append> batch, long bytes) {
    if (batch.isEmpty()) {
      return;
    }
    long before = activeSize;
    try {
      if (active == null) {
        roll();
      }
      ByteBuffer[] buffers = new ByteBuffer[batch.size() * 2];
      for (int i = 0; i < batch.size(); i++) {
        byte[] payload = batch.get(i).payload();
        buffers[2 * i] = SpoolRecords.header(payload);
        buffers[2 * i + 1] = ByteBuffer.wrap(payload);
      }
      long left = bytes;
      while (left > 0) {
        left -= active.write(buffers);
      }
    } catch (IOException e) {
      LOG.errorf("could not write %d events to the spool: %s", batch.size(), e.toString());
      // Nothing of the batch counts as spooled; what did reach the file is a damaged tail the
      // reader skips, so the segment is sealed here and the next append begins a new one.
      long actual = before;
      try {
        actual = active == null ? before : active.size();
      } catch (IOException ignored) {
        // the size stays unknown: count as if nothing was written
      }
      usedBytes.addAndGet(actual - before - bytes);
      unacknowledged.addAndGet(-batch.size());
      activeSize = actual;
      sealActive();
      NotSpooledException failure =
          new NotSpooledException(NotSpooledException.Reason.FAILED, e.toString());
      batch.forEach(append -> append.done().completeExceptionally(failure));
      return;
    }
    activeSize += bytes;
    publish(batch.size());
    for (Append append : batch) {
      if (append.durability() == Durability.WRITTEN) {
        append.done().complete(null);
      }
    }
    syncQueue.add(new SyncRequest(active, new ArrayList<>(batch), false));
  }

  /** Seals the active segment (if any) and begins the next one. */
  private void roll() throws IOException {
    sealActive();
    long next = activeSegment + 1;
    FileChannel channel =
        FileChannel.open(
            dir.resolve(name(next)),
            // Numbers above every segment found at start: an existing file of this name can only
            // be the empty leftover of a roll that failed after creating it.
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    syncDirectory();
    active = channel;
    activeSegment = next;
    activeSize = 0;
    segments.put(next, -1L);
    publish(0);
  }

  /** The writer is done with the active segment: the syncer syncs and closes it. */
  private void sealActive() {
    if (active == null) {
      return;
    }
    segments.put(activeSegment, activeSize);
    syncQueue.add(new SyncRequest(active, List.of(), true));
    active = null;
  }

  private void syncLoop() {
    List<SyncRequest> requests = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        requests.add(syncQueue.take());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      syncQueue.drainTo(requests);
      stop = requests.remove(STOP);
      sync(requests);
      requests.clear();
    }
  }

  /** One sync per channel for every request waiting: the group commit. */
  private void sync(List<SyncRequest> requests) {
    Map<FileChannel, IOException> failures = new IdentityHashMap<>();
    List<FileChannel> synced = new ArrayList<>();
    for (SyncRequest request : requests) {
      if (synced.stream().anyMatch(c -> c == request.channel())) {
        continue;
      }
      synced.add(request.channel());
      int events = 0;
      for (SyncRequest same : requests) {
        if (same.channel() == request.channel()) {
          events += same.waiting().size();
        }
      }
      long started = System.nanoTime();
      try {
        request.channel().force(false);
        metrics.spoolSynced(events, System.nanoTime() - started);
      } catch (IOException e) {
        LOG.errorf("could not sync %d events in the spool: %s", events, e.toString());
        failures.put(request.channel(), e);
      }
    }
    for (SyncRequest request : requests) {
      IOException failure = failures.get(request.channel());
      for (Append append : request.waiting()) {
        if (failure == null) {
          append.done().complete(null);
        } else {
          // Written but perhaps not durable: not acknowledged to its hook (an append already
          // answered as WRITTEN stays answered: completing a future twice does nothing).
          append
              .done()
              .completeExceptionally(
                  new NotSpooledException(NotSpooledException.Reason.FAILED, failure.toString()));
        }
      }
      if (request.sealed()) {
        try {
          request.channel().close();
        } catch (IOException e) {
          LOG.debugf("closing a spool segment: %s", e.toString());
        }
      }
    }
  }

  /** A new or deleted file is durable only once its directory is synced. */
  private void syncDirectory() {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      LOG.debugf("could not sync the spool directory: %s", e.toString());
    }
  }

  /** A new end of what was written: {@code records} more, or a new segment begun (0). */
  private void publish(int records) {
    synchronized (progress) {
      written = new Position(activeSegment, activeSize);
      writtenRecords += records;
      if (records == 0 || writtenRecords >= wakeAtRecords) {
        progress.notifyAll();
      }
    }
  }

  // ---- reading (the one consumer thread) ----

  /** Records read for delivery, and the position just past them. */
  public record Read(List<byte[]> records, long bytes, Position end) {}

  /**
   * Up to {@code maxRecords} records and {@code maxBytes} of them (one record alone may exceed it).
   * Waits up to {@code idleNanos} for a first record, then up to {@code lingerNanos} for more;
   * returns at once when {@code stopping} says so and nothing is at hand.
   */
  public Read read(
      int maxRecords, long maxBytes, long lingerNanos, long idleNanos, BooleanSupplier stopping)
      throws InterruptedException {
    if (!scanned) {
      scanned = true;
      long found = countFrom(acknowledged);
      if (found > 0) {
        metrics.spoolReplayed(found);
        unacknowledged.addAndGet(found);
        LOG.infof("delivering %d events spooled before this start", found);
      }
    }
    List<byte[]> records = new ArrayList<>();
    long bytes = 0;
    long deadline = System.nanoTime() + idleNanos;
    while (records.size() < maxRecords) {
      Position seen = written;
      SegmentReader.Entry next = peek();
      if (next == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || stopping.getAsBoolean()) {
          break;
        }
        // Woken by the first record, or once a full batch is there; a batch that is not full waits
        // out its linger in one sleep instead of waking for every event written meanwhile.
        awaitProgress(seen, left, records.isEmpty() ? 1 : maxRecords - records.size());
        continue;
      }
      if (!records.isEmpty() && bytes + next.payload().length > maxBytes) {
        break;
      }
      lookahead = null;
      consumed = new Position(readerSegment, next.end());
      records.add(next.payload());
      bytes += next.payload().length;
      if (records.size() == 1) {
        deadline = System.nanoTime() + lingerNanos;
      }
    }
    return new Read(records, bytes, consumed);
  }

  /**
   * transcript-service has taken (or refused for good) every record up to {@code end}, {@code
   * events} of them: the position is saved and segments wholly before it are deleted.
   */
  public void acknowledge(Position end, int events) {
    unacknowledged.addAndGet(-events);
    if (end.compareTo(acknowledged) <= 0) {
      return;
    }
    acknowledged = end;
    try {
      cursor.write(end);
    } catch (IOException e) {
      LOG.warnf("could not save the spool's acknowledged position: %s", e.toString());
    }
    boolean deleted = false;
    for (Map.Entry<Long, Long> segment : segments.headMap(end.segment()).entrySet()) {
      try {
        Files.deleteIfExists(dir.resolve(name(segment.getKey())));
        deleted = true;
      } catch (IOException e) {
        LOG.warnf("could not delete delivered spool segment %d: %s", segment.getKey(), e);
        continue;
      }
      segments.remove(segment.getKey());
      usedBytes.addAndGet(-segment.getValue());
    }
    if (deleted) {
      syncDirectory();
    }
  }

  /** Events appended (or found at start) and not acknowledged yet. */
  public long unacknowledged() {
    return unacknowledged.get();
  }

  /** Bytes the segment files take, with the appends accepted and not yet written. */
  public long usedBytes() {
    return usedBytes.get();
  }

  /** The next intact record after what was consumed, without consuming it; null if none yet. */
  private SegmentReader.Entry peek() {
    if (lookahead != null) {
      return lookahead;
    }
    while (true) {
      Position limit = written;
      long segment = consumed.segment();
      boolean sealed = segment < limit.segment();
      try {
        if (reader == null || readerSegment != segment) {
          closeReader();
          reader = SegmentReader.open(dir.resolve(name(segment)), consumed.offset(), this::corrupt);
          readerSegment = segment;
        }
        SegmentReader.Entry entry = reader.next(sealed ? reader.size() : limit.offset());
        if (entry != null) {
          lookahead = entry;
          return entry;
        }
      } catch (NoSuchFileException e) {
        LOG.warnf("spool segment %d is missing; going on with the next", segment);
      } catch (IOException e) {
        if (!sealed) {
          LOG.warnf("could not read the active spool segment: %s", e.toString());
          return null;
        }
        LOG.errorf("could not read spool segment %d, skipping its rest: %s", segment, e);
        corrupt(Math.max(0, segments.getOrDefault(segment, 0L) - consumed.offset()));
      }
      if (!sealed) {
        return null;
      }
      Long next = segments.higherKey(segment);
      closeReader();
      consumed = new Position(next == null ? limit.segment() : next, 0);
    }
  }

  private void corrupt(long bytes) {
    if (bytes > 0) {
      LOG.warnf("skipped %d damaged bytes in the spool", bytes);
      metrics.spoolCorrupt(bytes);
    }
  }

  /** Records from {@code from} to the end of the segments found at start (all sealed). */
  private long countFrom(Position from) {
    long count = 0;
    for (long segment : segments.subMap(from.segment(), firstNewSegment).keySet()) {
      long offset = segment == from.segment() ? from.offset() : 0;
      try (SegmentReader scan = SegmentReader.open(dir.resolve(name(segment)), offset, n -> {})) {
        long size = scan.size();
        while (scan.next(size) != null) {
          count++;
        }
      } catch (IOException e) {
        LOG.debugf("counting spool segment %d: %s", segment, e.toString());
      }
    }
    return count;
  }

  /**
   * Waits up to {@code nanos} for {@code records} more records than were written when the end was
   * {@code seen} (a new segment, {@link #wake()} and the time running out end it too); at once when
   * something was written since {@code seen}, which the caller has not read yet.
   */
  private void awaitProgress(Position seen, long nanos, int records) throws InterruptedException {
    synchronized (progress) {
      if (!written.equals(seen)) {
        return;
      }
      wakeAtRecords = writtenRecords + records;
      try {
        TimeUnit.NANOSECONDS.timedWait(progress, nanos);
      } finally {
        wakeAtRecords = Long.MAX_VALUE;
      }
    }
  }

  /** Wakes a consumer waiting in {@link #read} (it then sees {@code stopping}). */
  public void wake() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  private void closeReader() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        LOG.debugf("closing a spool reader: %s", e.toString());
      }
      reader = null;
      readerSegment = -1;
    }
  }

  /**
   * Takes no more appends, writes and syncs those accepted, and closes the files. Whatever was not
   * acknowledged stays for the next start.
   */
  @Override
  public void close() {
    synchronized (appendLock) {
      if (!closed) {
        closed = true;
        queue.add(END);
      }
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
      syncer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeReader();
    try {
      cursor.close();
    } catch (IOException e) {
      LOG.debugf("closing the spool's acknowledged position: %s", e.toString());
    }
  }
}
