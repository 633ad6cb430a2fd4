/*
 * decision.h: what claude-guard makes of hook-ingest's answer body. Claude Code ignores a PreToolUse answer it
 * cannot parse, which is an allow; so only a body that is valid JSON and says allow, deny or ask is passed on,
 * re-written to the fields Claude Code reads (the reason copied as the JSON string token it was).
 */
#ifndef HOOK_CLIENT_DECISION_H
#define HOOK_CLIENT_DECISION_H

#include <stdio.h>

#include "json.h"

enum decision {
  DECISION_GIVEN,   /* out holds the decision line */
  DECISION_NONE,    /* the body is {}: no policy rule decided; Claude Code's own permission rules apply */
  DECISION_INVALID, /* anything else */
};

static int decision_string_is(const unsigned char *s, size_t n, size_t i, const char *want) {
  char value[32];
  return i < n && s[i] == '"' && json_string(s, n, i, value, sizeof value) >= 0 && strcmp(value, want) == 0;
}

/* out must hold body_len + 128 bytes. */
static enum decision decision_read(const unsigned char *body, size_t n, char *out, size_t cap) {
  size_t root, hso, at, reason = 0;
  int has_reason = 0;
  const char *verdict;
  if (!json_valid(body, n)) return DECISION_INVALID;
  root = json_root(body, n);
  if (json_empty_object(body, n, root)) return DECISION_NONE;
  if (!json_member(body, n, root, "hookSpecificOutput", &hso) || body[hso] != '{') return DECISION_INVALID;
  if (!json_member(body, n, hso, "hookEventName", &at) || !decision_string_is(body, n, at, "PreToolUse"))
    return DECISION_INVALID;
  if (!json_member(body, n, hso, "permissionDecision", &at)) return DECISION_INVALID;
  if (decision_string_is(body, n, at, "allow")) verdict = "allow";
  else if (decision_string_is(body, n, at, "deny")) verdict = "deny";
  else if (decision_string_is(body, n, at, "ask")) verdict = "ask";
  else return DECISION_INVALID;
  if (json_member(body, n, hso, "permissionDecisionReason", &reason)) {
    /* null and false mean no reason (as jq's `//` reads them); any other non-string is no decision */
    if (body[reason] == '"') has_reason = 1;
    else if (body[reason] != 'n' && body[reason] != 'f') return DECISION_INVALID;
  }
  int len = snprintf(out, cap, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"%s\"",
                     verdict);
  if (len < 0 || (size_t)len >= cap) return DECISION_INVALID;
  size_t used = (size_t)len;
  if (has_reason) {
    size_t end = json_skip_string(body, n, reason);
    const char *key = ",\"permissionDecisionReason\":";
    if (cap - used < strlen(key) + (end - reason) + 4) return DECISION_INVALID;
    memcpy(out + used, key, strlen(key));
    used += strlen(key);
    memcpy(out + used, body + reason, end - reason);
    used += end - reason;
  }
  if (cap - used < 4) return DECISION_INVALID;
  memcpy(out + used, "}}\n", 4);
  return DECISION_GIVEN;
}

#endif
