/*
 * SHA-256 (FIPS 180-4), streaming. The transcript sync hashes the bytes transcript-service has acknowledged and
 * compares them with the server's digest of what it stored, so a transcript rewritten or cut after its upload is
 * noticed. A digest is all it needs; this is not used for anything secret.
 */
#ifndef HOOK_CLIENT_SHA256_H
#define HOOK_CLIENT_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sha256 {
  uint32_t h[8];
  unsigned char block[64];
  size_t used;
  uint64_t total;
};

static const uint32_t SHA256_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t sha256_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_init(struct sha256 *s) {
  static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, initial, sizeof initial);
  s->used = 0;
  s->total = 0;
}

static void sha256_compress(struct sha256 *s, const unsigned char *p) {
  uint32_t w[64], a, b, c, d, e, f, g, h;
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = sha256_rotr(w[i - 15], 7) ^ sha256_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = sha256_rotr(w[i - 2], 17) ^ sha256_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                  SHA256_K[i] + w[i];
    uint32_t t2 = (sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/*
 * The same compression with the CPU's SHA extensions (Intel SHA-NI, AMD since Zen), about five times faster: the
 * sync hashes its file's whole acknowledged prefix on every run, so this is most of its own CPU time on a long
 * transcript. State layout as in sha256_compress; the round constants are loaded four at a time from SHA256_K.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_ni(uint32_t state[8], const unsigned char *p,
                                                                          size_t blocks) {
  /* Lane names in the comments run from the highest lane to the lowest. */
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1); /* CDAB */
  __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B); /* EFGH */
  __m128i s0 = _mm_alignr_epi8(t, s1, 8);                                            /* ABEF */
  s1 = _mm_blend_epi16(s1, t, 0xF0);                                                 /* CDGH */
  for (; blocks > 0; blocks--, p += 64) {
    __m128i abef = s0, cdgh = s1, w[4], m;
    for (int i = 0; i < 16; i++) {
      if (i < 4) {
        m = w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), byte_swap);
      } else {
        __m128i next = _mm_sha256msg1_epu32(w[(i - 4) & 3], w[(i - 3) & 3]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[(i - 1) & 3], w[(i - 2) & 3], 4));
        m = w[i & 3] = _mm_sha256msg2_epu32(next, w[(i - 1) & 3]);
      }
      m = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&SHA256_K[4 * i]));
      s1 = _mm_sha256rnds2_epu32(s1, s0, m);
      s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
    }
    s0 = _mm_add_epi32(s0, abef);
    s1 = _mm_add_epi32(s1, cdgh);
  }
  t = _mm_shuffle_epi32(s0, 0x1B);  /* FEBA */
  s1 = _mm_shuffle_epi32(s1, 0xB1); /* DCHG */
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(t, s1, 0xF0)); /* DCBA */
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(s1, t, 8));   /* HGFE */
}

/* 1 when the CPU has the SHA extensions and SSSE3 and SSE4.1 (cpuid); tests set 0 to compare with the other. */
static int sha256_use_ni = -1;

static int sha256_ni(void) {
  if (sha256_use_ni < 0) {
    unsigned a, b, c, d;
    sha256_use_ni = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
                    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
  }
  return sha256_use_ni;
}
#endif

static void sha256_blocks(struct sha256 *s, const unsigned char *p, size_t blocks) {
#if defined(__x86_64__)
  if (sha256_ni()) {
    sha256_blocks_ni(s->h, p, blocks);
    return;
  }
#endif
  for (; blocks > 0; blocks--, p += 64) sha256_compress(s, p);
}

static void sha256_update(struct sha256 *s, const unsigned char *p, size_t n) {
  s->total += n;
  if (s->used > 0) {
    size_t take = 64 - s->used < n ? 64 - s->used : n;
    memcpy(s->block + s->used, p, take);
    s->used += take, p += take, n -= take;
    if (s->used < 64) return;
    sha256_blocks(s, s->block, 1);
    s->used = 0;
  }
  sha256_blocks(s, p, n / 64);
  p += n / 64 * 64, n %= 64;
  memcpy(s->block, p, n);
  s->used = n;
}

/* The digest of what was hashed so far, as 64 lower-case hex digits; s itself is left as it was. */
static void sha256_hex(const struct sha256 *s, char out[65]) {
  struct sha256 t = *s;
  unsigned char pad[72] = {0x80};
  uint64_t bits = t.total * 8;
  size_t pad_len = (t.used < 56 ? 56 : 120) - t.used;
  for (int i = 0; i < 8; i++) pad[pad_len + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
  sha256_update(&t, pad, pad_len + 8);
  for (int i = 0; i < 32; i++) {
    unsigned char byte = (unsigned char)(t.h[i / 4] >> (24 - 8 * (i % 4)));
    out[2 * i] = "0123456789abcdef"[byte >> 4];
    out[2 * i + 1] = "0123456789abcdef"[byte & 15];
  }
  out[64] = 0;
}

#endif
