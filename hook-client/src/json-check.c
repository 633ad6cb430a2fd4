/*
 * Test harness (never shipped): the hook client's JSON reader and guard decision on many inputs in one process,
 * for the fuzz test in e2e-tests (JsonReaderFuzzTest), built with sanitizers. Each input line is a document in
 * hex; each output line is, for `valid`, 1 or 0, for `decision`, GIVEN <line>, NONE or INVALID, and for
 * `sha256`, the document's SHA-256 (sha256.h) as the CPU's SHA extensions compute it (when it has them), then as
 * the portable code does, each fed in pieces of 1 to 200 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "json.h"
#include "sha256.h"

static int unhex(const char *line, unsigned char *out) {
  size_t n = 0;
  for (const char *p = line; p[0] && p[0] != '\n'; p += 2) {
    int hi = json_hex((unsigned char)p[0]), lo = p[1] ? json_hex((unsigned char)p[1]) : -1;
    if (hi < 0 || lo < 0) return -1;
    out[n++] = (unsigned char)(hi << 4 | lo);
  }
  return (int)n;
}

static void sha256_pieces(const unsigned char *doc, size_t n, char out[65]) {
  struct sha256 s;
  sha256_init(&s);
  for (size_t at = 0, piece; at < n; at += piece) {
    piece = 1 + (size_t)rand() % 200;
    if (piece > n - at) piece = n - at;
    sha256_update(&s, doc + at, piece);
  }
  sha256_hex(&s, out);
}

int main(int argc, char **argv) {
  static char line[1 << 20];
  static unsigned char doc[1 << 19];
  static char decision[(1 << 19) + 256];
  int check_decision = argc > 1 && strcmp(argv[1], "decision") == 0;
  int check_sha256 = argc > 1 && strcmp(argv[1], "sha256") == 0;
  while (fgets(line, sizeof line, stdin)) {
    int n = unhex(line, doc);
    if (n < 0) return 2;
    /* an exact-size copy, so that the sanitizer sees any read past the end */
    unsigned char *exact = malloc((size_t)n + 1);
    memcpy(exact, doc, (size_t)n);
    if (check_sha256) {
      char fast[65], portable[65];
      sha256_use_ni = -1;
      sha256_pieces(exact, (size_t)n, fast);
      sha256_use_ni = 0;
      sha256_pieces(exact, (size_t)n, portable);
      printf("%s %s\n", fast, portable);
    } else if (!check_decision) {
      printf("%d\n", json_valid(exact, (size_t)n));
    } else {
      switch (decision_read(exact, (size_t)n, decision, sizeof decision)) {
        case DECISION_GIVEN: printf("GIVEN %s", decision); break;
        case DECISION_NONE: printf("NONE\n"); break;
        default: printf("INVALID\n");
      }
    }
    free(exact);
  }
  return 0;
}
