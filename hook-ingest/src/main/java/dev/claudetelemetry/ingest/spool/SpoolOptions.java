package dev.claudetelemetry.ingest.spool;

import java.nio.file.Path;

/**
 * Where the spool lives and how large it may grow. {@code maxBytes} bounds every segment file
 * together; a segment is closed and a new one begun past {@code segmentBytes}, and a segment is
 * deleted once every event in it was acknowledged.
 */
public record SpoolOptions(Path dir, long maxBytes, long segmentBytes) {

  public SpoolOptions {
    if (maxBytes < 4 * segmentBytes) {
      // Space is given back a whole delivered segment at a time: with fewer than four segments'
      // worth, a full spool would have too little room left to keep taking events while the oldest
      // segment drains.
      segmentBytes = Math.max(1, maxBytes / 4);
    }
  }
}
