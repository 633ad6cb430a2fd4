package dev.claudetelemetry.ingest.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acknowledged position, saved in place after every delivered batch. */
class SpoolCursorTests {

  @TempDir Path dir;

  @Test
  void shouldReadBackEachSavedPositionWhenAShorterOneFollowsALongerOne() throws Exception {
    try (SpoolCursor cursor = new SpoolCursor(dir)) {
      cursor.write(new Position(12345678901234L, 9876543210L));
      assertThat(SpoolCursor.read(dir)).contains(new Position(12345678901234L, 9876543210L));
      cursor.write(new Position(7, 3));
      assertThat(SpoolCursor.read(dir)).contains(new Position(7, 3));
    }
  }

  @Test
  void shouldReplaceALongerFileLeftInTheDirectory() throws Exception {
    Files.writeString(dir.resolve(SpoolCursor.FILE), "x".repeat(500), StandardCharsets.ISO_8859_1);
    try (SpoolCursor cursor = new SpoolCursor(dir)) {
      cursor.write(new Position(2, 40));
    }
    assertThat(SpoolCursor.read(dir)).contains(new Position(2, 40));
  }

  @Test
  void shouldReadAPositionSavedByRenameAsBefore() throws Exception {
    // The line an earlier hook-ingest left: an upgrade resumes where it stopped.
    Files.writeString(
        dir.resolve(SpoolCursor.FILE), "3 100 " + crcHex("3 100") + "\n", StandardCharsets.UTF_8);
    assertThat(SpoolCursor.read(dir)).contains(new Position(3, 100));
  }

  private static String crcHex(String text) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(text.getBytes(StandardCharsets.ISO_8859_1));
    return Long.toHexString(crc.getValue());
  }
}
