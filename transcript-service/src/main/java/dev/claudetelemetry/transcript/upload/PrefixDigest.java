package dev.claudetelemetry.transcript.upload;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * SHA-256 (FIPS 180-4) of a transcript file's acknowledged prefix, kept across uploads: its state
 * (the eight chaining words, the byte count and the unfinished block) is stored with the file's
 * offset, because the JDK's MessageDigest cannot be saved and resumed, and the stored lines are
 * redacted, so the prefix cannot be hashed again from them. The sync client hashes the same bytes
 * of its file and sends the digest with every upload: a transcript rewritten after its upload no
 * longer matches.
 */
public final class PrefixDigest {
  private static final int[] K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  };
  private static final int[] INITIAL = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };

  private final int[] h;
  private final byte[] block = new byte[64];
  private long total;

  private PrefixDigest(int[] h, long total) {
    this.h = h;
    this.total = total;
  }

  /** The digest of no bytes. */
  public static PrefixDigest empty() {
    return new PrefixDigest(INITIAL.clone(), 0);
  }

  /** A state {@link #encode()} wrote; IllegalArgumentException for anything else. */
  public static PrefixDigest decode(byte[] encoded) {
    if (encoded == null || encoded.length < 40) {
      throw new IllegalArgumentException("not an encoded prefix digest");
    }
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int[] h = new int[8];
    for (int i = 0; i < 8; i++) {
      h[i] = in.getInt();
    }
    long total = in.getLong();
    int used = (int) (total % 64);
    if (total < 0 || encoded.length != 40 + used) {
      throw new IllegalArgumentException("not an encoded prefix digest");
    }
    PrefixDigest digest = new PrefixDigest(h, total);
    in.get(digest.block, 0, used);
    return digest;
  }

  /** The chaining words, the byte count and the unfinished block: at most 103 bytes. */
  public byte[] encode() {
    int used = (int) (total % 64);
    ByteBuffer out = ByteBuffer.allocate(40 + used);
    for (int word : h) {
      out.putInt(word);
    }
    out.putLong(total);
    out.put(block, 0, used);
    return out.array();
  }

  /** How many bytes were hashed: the acknowledged offset this digest belongs to. */
  public long length() {
    return total;
  }

  public void update(byte[] bytes, int from, int length) {
    int used = (int) (total % 64);
    total += length;
    int i = from;
    int end = from + length;
    while (i < end) {
      int take = Math.min(64 - used, end - i);
      System.arraycopy(bytes, i, block, used, take);
      used += take;
      i += take;
      if (used == 64) {
        compress(h, block);
        used = 0;
      }
    }
  }

  /** The digest of the bytes so far, as 64 lower-case hex digits; this state is unchanged. */
  public String hex() {
    PrefixDigest copy = decode(encode());
    int used = (int) (total % 64);
    int padLength = (used < 56 ? 56 : 120) - used;
    byte[] pad = new byte[padLength + 8];
    pad[0] = (byte) 0x80;
    long bits = total * 8;
    for (int i = 0; i < 8; i++) {
      pad[padLength + i] = (byte) (bits >>> (56 - 8 * i));
    }
    copy.update(pad, 0, pad.length);
    ByteBuffer out = ByteBuffer.allocate(32);
    for (int word : copy.h) {
      out.putInt(word);
    }
    return HexFormat.of().formatHex(out.array());
  }

  private static void compress(int[] h, byte[] p) {
    int[] w = new int[64];
    for (int i = 0; i < 16; i++) {
      w[i] =
          (p[4 * i] & 0xff) << 24
              | (p[4 * i + 1] & 0xff) << 16
              | (p[4 * i + 2] & 0xff) << 8
              | (p[4 * i + 3] & 0xff);
    }
    for (int i = 16; i < 64; i++) {
      int s0 =
          Integer.rotateRight(w[i - 15], 7)
              ^ Integer.rotateRight(w[i - 15], 18)
              ^ (w[i - 15] >>> 3);
      int s1 =
          Integer.rotateRight(w[i - 2], 17) ^ Integer.rotateRight(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    int a = h[0];
    int b = h[1];
    int c = h[2];
    int d = h[3];
    int e = h[4];
    int f = h[5];
    int g = h[6];
    int hh = h[7];
    for (int i = 0; i < 64; i++) {
      int t1 =
          hh
              + (Integer.rotateRight(e, 6)
                  ^ Integer.rotateRight(e, 11)
                  ^ Integer.rotateRight(e, 25))
              + ((e & f) ^ (~e & g))
              + K[i]
              + w[i];
      int t2 =
          (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
              + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
}
