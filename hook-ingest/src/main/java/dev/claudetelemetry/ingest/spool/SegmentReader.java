package dev.claudetelemetry.ingest.spool;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Reads the records of one segment file in order. What is not an intact record (a tail torn by a
 * crash mid-write, flipped bits, garbage) is skipped up to the next intact record and reported to
 * {@code corrupt} with its length in bytes; reading never fails on content.
 */
public final class SegmentReader implements Closeable {

  /** One record: its payload and the offset just past it. */
  public record Entry(byte[] payload, long end) {}

  private static final int SCAN_CHUNK = 64 * 1024;

  private final FileChannel channel;
  private final LongConsumer corrupt;
  private final ByteBuffer header = ByteBuffer.allocate(SpoolRecords.HEADER_BYTES);
  private long position;

  private SegmentReader(FileChannel channel, long position, LongConsumer corrupt) {
    this.channel = channel;
    this.position = position;
    this.corrupt = corrupt;
  }

  public static SegmentReader open(Path file, long offset, LongConsumer corrupt)
      throws IOException {
    return new SegmentReader(FileChannel.open(file, StandardOpenOption.READ), offset, corrupt);
  }

  public long size() throws IOException {
    return channel.size();
  }

  public long position() {
    return position;
  }

  /**
   * The next intact record that ends at or before {@code limit}, or null when there is none before
   * it; damaged bytes on the way are skipped and reported.
   */
  public Entry next(long limit) throws IOException {
    while (position < limit) {
      byte[] payload = recordAt(position, limit);
      if (payload != null) {
        Entry entry = new Entry(payload, position + SpoolRecords.HEADER_BYTES + payload.length);
        position = entry.end();
        return entry;
      }
      long resume = nextRecordFrom(position + 1, limit);
      corrupt.accept(resume - position);
      position = resume;
    }
    return null;
  }

  /**
   * The payload of the intact record starting at {@code at} and ending by {@code limit}, else null.
   */
  private byte[] recordAt(long at, long limit) throws IOException {
    if (limit - at < SpoolRecords.HEADER_BYTES) {
      return null;
    }
    header.clear();
    readFully(header, at);
    header.flip();
    if (header.getInt() != SpoolRecords.MAGIC) {
      return null;
    }
    int length = header.getInt();
    int crc = header.getInt();
    if (length < 0
        || length > SpoolRecords.MAX_PAYLOAD_BYTES
        || length > limit - at - SpoolRecords.HEADER_BYTES) {
      return null;
    }
    byte[] payload = new byte[length];
    readFully(ByteBuffer.wrap(payload), at + SpoolRecords.HEADER_BYTES);
    return SpoolRecords.crc(length, payload) == crc ? payload : null;
  }

  /** Where the next intact record starts at or after {@code from}; {@code limit} when none does. */
  private long nextRecordFrom(long from, long limit) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(SCAN_CHUNK);
    long start = from;
    while (limit - start >= SpoolRecords.HEADER_BYTES) {
      chunk.clear();
      chunk.limit((int) Math.min(SCAN_CHUNK, limit - start));
      readFully(chunk, start);
      int length = chunk.position();
      for (int i = 0; i + 4 <= length; i++) {
        if (chunk.getInt(i) == SpoolRecords.MAGIC && recordAt(start + i, limit) != null) {
          return start + i;
        }
      }
      // The last three bytes may begin a magic that the next chunk completes.
      start += length - 3;
    }
    return limit;
  }

  private void readFully(ByteBuffer buffer, long at) throws IOException {
    long offset = at;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, offset);
      if (read < 0) {
        throw new EOFException("segment ended at " + offset);
      }
      offset += read;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
