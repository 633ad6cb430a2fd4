package dev.claudetelemetry.transcript.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The resumable digest against the JDK's SHA-256, in random pieces and saved between them. */
class PrefixDigestTest {

  @Test
  void shouldEqualTheJdksSha256HoweverTheBytesArriveAndWhereverItIsSavedAndResumed()
      throws Exception {
    Random random = new Random(20261207);
    for (int round = 0; round < 300; round++) {
      byte[] bytes = new byte[random.nextInt(3000)];
      random.nextBytes(bytes);
      PrefixDigest digest = PrefixDigest.empty();
      int at = 0;
      while (at < bytes.length) {
        int piece = Math.min(bytes.length - at, random.nextInt(200));
        digest.update(bytes, at, piece);
        at += piece;
        digest = PrefixDigest.decode(digest.encode());
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        jdk.update(bytes, 0, at);
        assertThat(digest.hex()).isEqualTo(HexFormat.of().formatHex(jdk.digest()));
        assertThat(digest.length()).isEqualTo(at);
      }
    }
  }

  @Test
  void shouldGiveTheKnownDigestOfNothing() {
    assertThat(PrefixDigest.empty().hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void shouldRefuseAStateItDidNotWrite() {
    assertThatThrownBy(() -> PrefixDigest.decode(new byte[12]))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] valid = PrefixDigest.empty().encode();
    byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 1);
    assertThatThrownBy(() -> PrefixDigest.decode(longer))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
