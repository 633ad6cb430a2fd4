/*
 * json.h: a strict JSON (RFC 8259) reader over a byte buffer, for the three things the hook client reads:
 * the managed settings files, Claude Code's hook input and the services' answers. Nothing is allocated:
 * json_valid() checks a whole document once (syntax, UTF-8, nesting depth), after which the accessors walk the
 * same bytes again and trust them. Object lookups give the LAST member of a name, as JSON.parse in Claude Code
 * (Node) and Jackson in the services do, so a duplicated key means the same thing to every reader.
 */
#ifndef HOOK_CLIENT_JSON_H
#define HOOK_CLIENT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Deeper documents are refused: none of the inputs nests more than three levels, and the check recurses. */
#define JSON_MAX_DEPTH 64
#define JSON_BAD ((size_t)-1)

static size_t json_ws(const unsigned char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

static int json_hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Length of the well-formed UTF-8 sequence at s (no overlong forms, no surrogates, at most U+10FFFF), or 0. */
static size_t json_utf8_length(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) len = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) len = 3;
  else if (c == 0xED) len = 3, hi = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) len = 3;
  else if (c == 0xF0) len = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) len = 4, hi = 0x8F;
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t k = 2; k < len; k++)
    if (s[k] < 0x80 || s[k] > 0xBF) return 0;
  return len;
}

/* s[i] is '"'; the index after the closing quote, or JSON_BAD. */
static size_t json_skip_string(const unsigned char *s, size_t n, size_t i) {
  for (i++; i < n;) {
    unsigned char c = s[i];
    if (c == '"') return i + 1;
    if (c < 0x20) return JSON_BAD;
    if (c == '\\') {
      if (++i >= n) return JSON_BAD;
      c = s[i];
      if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
        i++;
      } else if (c == 'u') {
        if (n - i < 5) return JSON_BAD;
        for (int k = 1; k <= 4; k++)
          if (json_hex(s[i + k]) < 0) return JSON_BAD;
        i += 5;
      } else {
        return JSON_BAD;
      }
    } else if (c < 0x80) {
      i++;
    } else {
      size_t len = json_utf8_length(s + i, n - i);
      if (!len) return JSON_BAD;
      i += len;
    }
  }
  return JSON_BAD;
}

static size_t json_digits(const unsigned char *s, size_t n, size_t i) {
  size_t start = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  return i == start ? JSON_BAD : i;
}

static size_t json_skip_number(const unsigned char *s, size_t n, size_t i) {
  if (i < n && s[i] == '-') i++;
  if (i < n && s[i] == '0') {
    i++;
  } else if ((i = json_digits(s, n, i)) == JSON_BAD) {
    return JSON_BAD;
  }
  if (i < n && s[i] == '.' && (i = json_digits(s, n, i + 1)) == JSON_BAD) return JSON_BAD;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if ((i = json_digits(s, n, i)) == JSON_BAD) return JSON_BAD;
  }
  return i;
}

static size_t json_skip_literal(const unsigned char *s, size_t n, size_t i, const char *word) {
  size_t len = strlen(word);
  return n - i >= len && memcmp(s + i, word, len) == 0 ? i + len : JSON_BAD;
}

/* The index after the value that starts at s[i] (no leading white space), or JSON_BAD. */
static size_t json_skip_value(const unsigned char *s, size_t n, size_t i, int depth) {
  if (i >= n) return JSON_BAD;
  switch (s[i]) {
    case '"':
      return json_skip_string(s, n, i);
    case 't':
      return json_skip_literal(s, n, i, "true");
    case 'f':
      return json_skip_literal(s, n, i, "false");
    case 'n':
      return json_skip_literal(s, n, i, "null");
    case '{':
    case '[': {
      unsigned char close = s[i] == '{' ? '}' : ']';
      if (depth >= JSON_MAX_DEPTH) return JSON_BAD;
      i = json_ws(s, n, i + 1);
      if (i < n && s[i] == close) return i + 1;
      for (;;) {
        if (close == '}') {
          if (i >= n || s[i] != '"' || (i = json_skip_string(s, n, i)) == JSON_BAD) return JSON_BAD;
          i = json_ws(s, n, i);
          if (i >= n || s[i] != ':') return JSON_BAD;
          i = json_ws(s, n, i + 1);
        }
        if ((i = json_skip_value(s, n, i, depth + 1)) == JSON_BAD) return JSON_BAD;
        i = json_ws(s, n, i);
        if (i >= n) return JSON_BAD;
        if (s[i] == close) return i + 1;
        if (s[i] != ',') return JSON_BAD;
        i = json_ws(s, n, i + 1);
      }
    }
    default:
      return json_skip_number(s, n, i);
  }
}

/* Whether s[0..n) is exactly one JSON value with optional white space around it. */
static int json_valid(const unsigned char *s, size_t n) {
  size_t i = json_skip_value(s, n, json_ws(s, n, 0), 0);
  return i != JSON_BAD && json_ws(s, n, i) == n;
}

/* Where the top-level value of a valid document starts. */
static size_t json_root(const unsigned char *s, size_t n) { return json_ws(s, n, 0); }

static void json_put_utf8(unsigned char *out, size_t *len, uint32_t cp) {
  if (cp < 0x80) {
    out[(*len)++] = (unsigned char)cp;
  } else if (cp < 0x800) {
    out[(*len)++] = (unsigned char)(0xC0 | cp >> 6);
    out[(*len)++] = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*len)++] = (unsigned char)(0xE0 | cp >> 12);
    out[(*len)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[(*len)++] = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    out[(*len)++] = (unsigned char)(0xF0 | cp >> 18);
    out[(*len)++] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[(*len)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[(*len)++] = (unsigned char)(0x80 | (cp & 0x3F));
  }
}

/*
 * Decodes the valid string token at s[i] into out (NUL-terminated, at most cap-1 bytes). Returns its length, or
 * -1 when it does not fit or holds U+0000 (a C string could not carry it). A lone surrogate escape, which
 * JSON.parse accepts, becomes U+FFFD.
 */
static long json_string(const unsigned char *s, size_t n, size_t i, char *out, size_t cap) {
  size_t len = 0;
  unsigned char *o = (unsigned char *)out;
  for (i++; i < n && s[i] != '"';) {
    if (cap - len < 5) return -1;
    if (s[i] != '\\') {
      o[len++] = s[i++];
      continue;
    }
    unsigned char c = s[i + 1];
    i += 2;
    switch (c) {
      case 'b': o[len++] = '\b'; continue;
      case 'f': o[len++] = '\f'; continue;
      case 'n': o[len++] = '\n'; continue;
      case 'r': o[len++] = '\r'; continue;
      case 't': o[len++] = '\t'; continue;
      case 'u': break;
      default: o[len++] = c; continue;
    }
    uint32_t cp = 0;
    for (int k = 0; k < 4; k++) cp = cp << 4 | (uint32_t)json_hex(s[i + k]);
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && n - i >= 6 && s[i] == '\\' && s[i + 1] == 'u') {
      uint32_t low = 0;
      for (int k = 2; k < 6; k++) low = low << 4 | (uint32_t)json_hex(s[i + k]);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp == 0) return -1;
    json_put_utf8(o, &len, cp);
  }
  o[len] = 0;
  return (long)len;
}

/*
 * In the valid object at s[object], the value of the last member named key: sets *value to where it starts and
 * returns 1, or returns 0 (no such member, or s[object] is not an object).
 */
static int json_member(const unsigned char *s, size_t n, size_t object, const char *key, size_t *value) {
  char name[256];
  int found = 0;
  if (object >= n || s[object] != '{') return 0;
  size_t i = json_ws(s, n, object + 1);
  while (i < n && s[i] == '"') {
    long len = json_string(s, n, i, name, sizeof name);
    i = json_ws(s, n, json_skip_string(s, n, i));
    i = json_ws(s, n, i + 1); /* past ':' */
    if (len >= 0 && strcmp(name, key) == 0) {
      *value = i;
      found = 1;
    }
    i = json_ws(s, n, json_skip_value(s, n, i, 0));
    if (s[i] == ',') i = json_ws(s, n, i + 1);
  }
  return found;
}

/* Whether the valid object at s[object] has no members. */
static int json_empty_object(const unsigned char *s, size_t n, size_t object) {
  return object < n && s[object] == '{' && s[json_ws(s, n, object + 1)] == '}';
}

/* The valid value at s[i] as a whole number 0..2^53, into *out; 0 when it is anything else. */
static int json_whole_number(const unsigned char *s, size_t n, size_t i, uint64_t *out) {
  uint64_t v = 0;
  size_t start = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    if (v > (UINT64_C(1) << 53) / 10) return 0;
    v = v * 10 + (uint64_t)(s[i++] - '0');
  }
  if (i == start || (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) || v > (UINT64_C(1) << 53)) return 0;
  *out = v;
  return 1;
}

#endif
