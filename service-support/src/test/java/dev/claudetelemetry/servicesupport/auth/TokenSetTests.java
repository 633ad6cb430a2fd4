package dev.claudetelemetry.servicesupport.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenSetTests {

  @Test
  void shouldAcceptEveryTokenOfARotationAndNothingElse() {
    TokenSet tokens = TokenSet.of(List.of(" old-token ", "new-token", ""));

    assertThat(tokens.isConfigured()).isTrue();
    assertThat(tokens.accepts("old-token")).isTrue();
    assertThat(tokens.accepts("new-token")).isTrue();
    assertThat(tokens.accepts("new-toke")).isFalse();
    assertThat(tokens.accepts("new-token ")).isFalse();
    assertThat(tokens.accepts("")).isFalse();
    assertThat(tokens.accepts(null)).isFalse();
  }

  @Test
  void shouldAcceptNothingWhenNothingIsConfigured() {
    for (TokenSet none :
        List.of(
            TokenSet.ofOne(Optional.empty()),
            TokenSet.ofOne(Optional.of("  ")),
            TokenSet.ofList(Optional.empty()),
            TokenSet.of(List.of()))) {
      assertThat(none.isConfigured()).isFalse();
      assertThat(none.accepts("")).isFalse();
      assertThat(none.accepts("anything")).isFalse();
    }
  }

  @Test
  void shouldReadTheTokenOfABearerHeaderOnly() {
    assertThat(BearerToken.from("Bearer abc")).contains("abc");
    assertThat(BearerToken.from("bearer  abc ")).contains("abc");
    assertThat(BearerToken.from("Basic YWJj")).isEmpty();
    assertThat(BearerToken.from("Bearer ")).isEmpty();
    assertThat(BearerToken.from("Bearerabc")).isEmpty();
    assertThat(BearerToken.from(null)).isEmpty();
  }
}
