package dev.claudetelemetry.ingest.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The file {@code acknowledged} in the spool directory: the position up to which transcript-service
 * has taken every event, as one line {@code <segment> <offset> <crc32c of "segment offset">}.
 *
 * <p>It is saved after every delivered batch, so a save is one write at the start of a file kept
 * open (a line of fixed length, padded with spaces), not a new file renamed over the old: creating
 * an inode and renaming it cost more than the batch's delivery. It is not synced:
 * transcript-service stores each event id once, so a cursor that lags after a crash only sends some
 * events again, and a damaged one (its CRC does not match) makes the spool start from its oldest
 * segment, for the same reason harmlessly.
 */
final class SpoolCursor implements AutoCloseable {

  static final String FILE = "acknowledged";

  /** Every save writes this many bytes: longer than any line, so none is left behind by a later. */
  private static final int LINE_BYTES = 64;

  private final Path file;
  private FileChannel channel;

  SpoolCursor(Path dir) {
    this.file = dir.resolve(FILE);
  }

  /** The saved position; empty when there is none or it is damaged. */
  static Optional<Position> read(Path dir) throws IOException {
    String text;
    try {
      text = Files.readString(dir.resolve(FILE), StandardCharsets.ISO_8859_1).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] parts = text.split(" ");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      String position = parts[0] + " " + parts[1];
      if (!Long.toHexString(crc(position)).equals(parts[2])) {
        return Optional.empty();
      }
      long segment = Long.parseLong(parts[0]);
      long offset = Long.parseLong(parts[1]);
      return segment < 0 || offset < 0
          ? Optional.empty()
          : Optional.of(new Position(segment, offset));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Saves the position (the consumer thread's alone). */
  void write(Position position) throws IOException {
    String text = position.segment() + " " + position.offset();
    byte[] line = new byte[LINE_BYTES];
    Arrays.fill(line, (byte) ' ');
    byte[] content =
        (text + " " + Long.toHexString(crc(text))).getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(content, 0, line, 0, content.length);
    line[LINE_BYTES - 1] = '\n';
    boolean opened = channel == null;
    if (opened) {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
    ByteBuffer buffer = ByteBuffer.wrap(line);
    while (buffer.hasRemaining()) {
      channel.write(buffer, buffer.position());
    }
    if (opened && channel.size() > LINE_BYTES) {
      channel.truncate(LINE_BYTES); // a longer file left by something else
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static long crc(String text) {
    CRC32C crc = new CRC32C();
    crc.update(text.getBytes(StandardCharsets.ISO_8859_1));
    return crc.getValue();
  }
}
