package dev.claudetelemetry.ingest.spool;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk shape of one spooled event, the only place it is spelled:
 *
 * <pre>
 *   magic (4 bytes: FF 53 50 31) | length (4 bytes, big-endian) | CRC-32C (4 bytes) | payload (length bytes)
 * </pre>
 *
 * The CRC covers the length field and the payload, so a torn or flipped length is caught as surely
 * as a torn payload. The payload is the event's JSON (UTF-8), in which the byte FF never occurs:
 * after damage, the reader finds the next record by its magic and trusts it only when its CRC
 * matches.
 */
public final class SpoolRecords {

  static final int MAGIC = 0xFF535031;
  public static final int HEADER_BYTES = 12;

  /**
   * Larger lengths are damage, not records: hook-ingest takes hook bodies up to 1 MiB, and an event
   * re-serialised with its decision stays far below this.
   */
  public static final int MAX_PAYLOAD_BYTES = 32 << 20;

  private SpoolRecords() {}

  /** The header to write before {@code payload}. */
  public static ByteBuffer header(byte[] payload) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.putInt(MAGIC).putInt(payload.length).putInt(crc(payload.length, payload));
    return header.flip();
  }

  static int crc(int length, byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(4).putInt(0, length));
    crc.update(payload);
    return (int) crc.getValue();
  }
}
