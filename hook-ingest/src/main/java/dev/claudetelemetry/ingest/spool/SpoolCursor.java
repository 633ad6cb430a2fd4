package dev.claudetelemetry.ingest.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The file {@code acknowledged} in the spool directory: the position up to which transcript-service
 * has taken every event, as one line {@code <segment> <offset> <crc32c of "segment offset">}.
 *
 * <p>It is replaced by rename and not synced: transcript-service stores each event id once, so a
 * cursor that lags after a crash only sends some events again, and a damaged one (its CRC does not
 * match) makes the spool start from its oldest segment, for the same reason harmlessly.
 */
final class SpoolCursor {

  static final String FILE = "acknowledged";
  private static final String TEMPORARY = FILE + ".tmp";

  private SpoolCursor() {}

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

  static void write(Path dir, Position position) throws IOException {
    String text = position.segment() + " " + position.offset();
    Path temporary = dir.resolve(TEMPORARY);
    Files.writeString(
        temporary, text + " " + Long.toHexString(crc(text)) + "\n", StandardCharsets.ISO_8859_1);
    Files.move(temporary, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  private static long crc(String text) {
    CRC32C crc = new CRC32C();
    crc.update(text.getBytes(StandardCharsets.ISO_8859_1));
    return crc.getValue();
  }
}
