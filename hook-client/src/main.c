/*
 * The claude-code pod's hook client: one statically linked program installed as claude-guard (PreToolUse),
 * claude-hook (every other event) and claude-transcript-sync (transcript upload); argv[0]'s last component picks
 * the role. See ../README.md for why it is C and how it is built.
 *
 * The agent can put any variable into a hook's environment through its own settings' env, and every program a
 * dynamic loader starts reads some of them before main (LD_AUDIT, LD_PRELOAD, GCONV_PATH, GLIBC_TUNABLES, ...),
 * as does bash (FUNCNEST, BASH_ENV, ...) and glibc's resolver (LOCALDOMAIN, RES_OPTIONS, HOSTALIASES). This
 * program has no loader (static musl), drops its whole environment before doing anything, and reads its
 * configuration from the root-owned managed settings files Claude Code itself reads, never from variables.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decision.h"
#include "json.h"
#include "sha256.h"

/* A compile-time path, not a variable: tests run the shipped binary in a mount namespace where this path is a
 * bind mount of their own files. */
#ifndef SETTINGS_DIR
#define SETTINGS_DIR "/etc/claude-code"
#endif

#define SETTINGS_FILE_MAX (1 << 20)
#define SETTINGS_DROP_INS_MAX 64
#define SETTINGS_VALUE_MAX 4096
#define INPUT_MAX (8 << 20)
#define ANSWER_MAX (64 << 10)
#define CHUNK_MAX (8 << 20)

/* ------------------------------------------------------------------ configuration from managed settings */

enum key {
  HOOK_INGEST_URL,
  TRANSCRIPT_SERVICE_URL,
  CLAUDE_TELEMETRY_USER,
  CLAUDE_TELEMETRY_TOKEN,
  CLAUDE_GUARD_FAIL_OPEN,
  CLAUDE_GUARD_TIMEOUT_SECONDS,
  CLAUDE_HOOK_TIMEOUT_SECONDS,
  CLAUDE_TRANSCRIPT_SYNC_SECONDS,
  CLAUDE_TRANSCRIPT_CHUNK_BYTES,
  CLAUDE_HOOK_HANDOFF_SOCKET,
  CLAUDE_TRANSCRIPT_BATCH_SECONDS,
  KEY_COUNT
};
static const char *const KEY_NAMES[KEY_COUNT] = {
    "HOOK_INGEST_URL",
    "TRANSCRIPT_SERVICE_URL",
    "CLAUDE_TELEMETRY_USER",
    "CLAUDE_TELEMETRY_TOKEN",
    "CLAUDE_GUARD_FAIL_OPEN",
    "CLAUDE_GUARD_TIMEOUT_SECONDS",
    "CLAUDE_HOOK_TIMEOUT_SECONDS",
    "CLAUDE_TRANSCRIPT_SYNC_SECONDS",
    "CLAUDE_TRANSCRIPT_CHUNK_BYTES",
    "CLAUDE_HOOK_HANDOFF_SOCKET",
    "CLAUDE_TRANSCRIPT_BATCH_SECONDS",
};
static char settings[KEY_COUNT][SETTINGS_VALUE_MAX];
static int settings_set[KEY_COUNT];

static const char *setting(enum key key) { return settings_set[key] ? settings[key] : NULL; }

static void say(const char *role, const char *format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  int len = snprintf(line, sizeof line, "%s: ", role);
  vsnprintf(line + len, sizeof line - (size_t)len, format, args);
  va_end(args);
  len = (int)strlen(line);
  if (len < (int)sizeof line - 1) line[len++] = '\n';
  (void)!write(2, line, (size_t)len);
}

/* Reads at most max bytes of path into a new buffer; NULL when it cannot, or when the file is larger. */
static unsigned char *read_file(const char *path, size_t max, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  unsigned char *buf = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max && (buf = malloc((size_t)st.st_size + 1))) {
    size_t got = 0;
    ssize_t r;
    while (got <= (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size + 1 - got)) > 0) got += (size_t)r;
    if (got > (size_t)st.st_size || r < 0) {
      free(buf);
      buf = NULL;
    } else {
      *len = got;
    }
  }
  close(fd);
  return buf;
}

/* Takes the keys this client knows from one settings file's "env"; a file that is not valid JSON is skipped. */
static void settings_apply(const char *path, const char *role) {
  size_t len, env, value;
  unsigned char *doc = read_file(path, SETTINGS_FILE_MAX, &len);
  if (!doc) return;
  if (!json_valid(doc, len)) {
    say(role, "%s is not valid JSON; ignored", path);
  } else if (json_member(doc, len, json_root(doc, len), "env", &env) && doc[env] == '{') {
    for (int k = 0; k < KEY_COUNT; k++) {
      if (json_member(doc, len, env, KEY_NAMES[k], &value) && doc[value] == '"') {
        settings_set[k] = json_string(doc, len, value, settings[k], SETTINGS_VALUE_MAX) >= 0;
      }
    }
  }
  free(doc);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Claude Code's order: managed-settings.json, then the drop-ins in name order, a later file winning. Hidden
 * names are skipped (a mounted Secret or ConfigMap keeps its data under ..data). */
static void settings_load(const char *role) {
#ifdef HOOK_CLIENT_CONFIG_FROM_ENVIRONMENT
  if (role) return; /* local/run's build: settings_from_environment() has read them */
#endif
  char *names[SETTINGS_DROP_INS_MAX];
  int count = 0;
  char path[512];
  settings_apply(SETTINGS_DIR "/managed-settings.json", role);
  DIR *dir = opendir(SETTINGS_DIR "/managed-settings.d");
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir)) && count < SETTINGS_DROP_INS_MAX) {
    size_t len = strlen(entry->d_name);
    if (entry->d_name[0] == '.' || len < 6 || strcmp(entry->d_name + len - 5, ".json") != 0) continue;
    if ((names[count] = strdup(entry->d_name))) count++;
  }
  closedir(dir);
  qsort(names, (size_t)count, sizeof *names, compare_names);
  for (int i = 0; i < count; i++) {
    if (snprintf(path, sizeof path, "%s/managed-settings.d/%s", SETTINGS_DIR, names[i]) < (int)sizeof path)
      settings_apply(path, role);
    free(names[i]);
  }
}

/* Whether a value can go into a header line as it is: no quote, backslash, space or control character. */
static int safe_header_value(const char *v) {
  if (!v || !*v) return 0;
  for (; *v; v++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=@:-", *v)) return 0;
  return 1;
}

/* "5", "0.5", "2.25" as milliseconds, at most an hour; the fallback for anything else. */
static long millis_setting(enum key key, long fallback) {
  const char *v = setting(key);
  long whole = 0, fraction = 0, scale = 1000;
  if (!v || !*v || *v == '.') return fallback;
  for (; *v >= '0' && *v <= '9'; v++)
    if ((whole = whole * 10 + (*v - '0')) > 3600) return fallback;
  if (*v == '.')
    for (v++; *v >= '0' && *v <= '9'; v++)
      if ((scale /= 10) > 0) fraction += (*v - '0') * scale;
  return *v ? fallback : whole * 1000 + fraction;
}

static long long whole_setting(enum key key, long long fallback) {
  const char *v = setting(key);
  long long n = 0;
  if (!v || !*v) return fallback;
  for (; *v; v++) {
    if (*v < '0' || *v > '9' || n > (1LL << 40)) return fallback;
    n = n * 10 + (*v - '0');
  }
  return n;
}

/* ------------------------------------------------------------------ time */

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int left_ms(long long deadline) {
  long long left = deadline - now_ms();
  return left < 0 ? 0 : left > 3600000 ? 3600000 : (int)left;
}

/* ------------------------------------------------------------------ stdin */

/* All of fd 0 up to INPUT_MAX bytes. Claude Code (Node) hands hooks a socket, which read() reads like a pipe. */
static unsigned char *read_input(size_t *len) {
  size_t cap = 65536, got = 0;
  unsigned char *buf = malloc(cap);
  ssize_t r;
  if (!buf) return NULL;
  for (;;) {
    if (got == cap) {
      if (cap >= INPUT_MAX) break;
      unsigned char *bigger = realloc(buf, cap * 2);
      if (!bigger) break;
      buf = bigger;
      cap *= 2;
    }
    r = read(0, buf + got, cap - got);
    if (r > 0) got += (size_t)r;
    else if (r < 0 && errno == EINTR) continue;
    else break;
  }
  *len = got;
  return buf;
}

/* ------------------------------------------------------------------ HTTP/1.0 */

struct url {
  char host[256];
  char port[6];
  char path[256];     /* the URL's own path, without a trailing slash: requests append theirs */
  char hostport[270]; /* for the Host header, as written in the URL */
};

/* Plain http:// only: the services are in-cluster; a mesh sidecar, if any, adds TLS below this. */
static int url_parse(const char *text, struct url *u) {
  const char *rest, *slash, *host_end;
  size_t len;
  if (!text || strncmp(text, "http://", 7) != 0) return -1;
  rest = text + 7;
  slash = strchr(rest, '/');
  len = slash ? (size_t)(slash - rest) : strlen(rest);
  if (len == 0 || len >= sizeof u->hostport) return -1;
  memcpy(u->hostport, rest, len);
  u->hostport[len] = 0;
  const char *path = rest + len;
  size_t path_len = strlen(path);
  while (path_len > 0 && path[path_len - 1] == '/') path_len--;
  if (path_len >= sizeof u->path) return -1;
  for (size_t i = 0; i < path_len; i++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~/-", path[i])) return -1;
  memcpy(u->path, path, path_len);
  u->path[path_len] = 0;

  const char *hp = u->hostport, *port = NULL;
  if (hp[0] == '[') {
    host_end = strchr(hp, ']');
    if (!host_end) return -1;
    len = (size_t)(host_end - hp - 1);
    memcpy(u->host, hp + 1, len);
    if (host_end[1] == ':') port = host_end + 2;
    else if (host_end[1]) return -1;
  } else {
    host_end = strchr(hp, ':');
    len = host_end ? (size_t)(host_end - hp) : strlen(hp);
    memcpy(u->host, hp, len);
    if (host_end) port = host_end + 1;
  }
  u->host[len] = 0;
  if (len == 0) return -1;
  for (size_t i = 0; i < len; i++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:-", u->host[i])) return -1;
  if (!port) port = "80";
  size_t port_len = strlen(port);
  if (port_len == 0 || port_len > 5 || strspn(port, "0123456789") != port_len || atoi(port) < 1 || atoi(port) > 65535)
    return -1;
  memcpy(u->port, port, port_len + 1);
  return 0;
}

#define ADDRESSES_MAX 8
struct addresses {
  int count;
  struct sockaddr_storage addr[ADDRESSES_MAX];
  socklen_t len[ADDRESSES_MAX];
};

static void addresses_add(struct addresses *a, const char *numeric, int port) {
  struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
  if (a->count >= ADDRESSES_MAX) return;
  if (inet_pton(AF_INET, numeric, &v4.sin_addr) == 1) {
    memcpy(&a->addr[a->count], &v4, sizeof v4);
    a->len[a->count++] = sizeof v4;
  } else if (inet_pton(AF_INET6, numeric, &v6.sin6_addr) == 1) {
    memcpy(&a->addr[a->count], &v6, sizeof v6);
    a->len[a->count++] = sizeof v6;
  }
}

/* The addresses /etc/hosts gives exactly this name (tests and some pods map Service names there). */
static void hosts_lookup(const char *name, int port, struct addresses *a) {
  size_t len;
  unsigned char *hosts = read_file("/etc/hosts", 1 << 20, &len);
  if (!hosts) return;
  char *text = (char *)hosts, *save = NULL;
  text[len] = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *hash = strchr(line, '#'), *field_save = NULL;
    if (hash) *hash = 0;
    char *address = strtok_r(line, " \t\r", &field_save);
    if (!address) continue;
    for (char *alias = strtok_r(NULL, " \t\r", &field_save); alias; alias = strtok_r(NULL, " \t\r", &field_save)) {
      if (strcasecmp(alias, name) == 0) {
        addresses_add(a, address, port);
        break;
      }
    }
  }
  free(hosts);
}

/*
 * A Service name is looked up as an absolute DNS name (a trailing dot): no search domain is ever tried, so no
 * resolv.conf search list or ndots can turn it into a name someone else answers for. musl's resolver reads only
 * /etc/resolv.conf and /etc/hosts (no LOCALDOMAIN, RES_OPTIONS or HOSTALIASES), and the environment is empty
 * anyway. An exact /etc/hosts entry is honoured first.
 */
static int resolve(const struct url *u, struct addresses *a) {
  int port = atoi(u->port);
  a->count = 0;
  addresses_add(a, u->host, port);
  if (a->count) return 0;
  hosts_lookup(u->host, port, a);
  if (a->count) return 0;
  char absolute[260];
  size_t len = strlen(u->host);
  snprintf(absolute, sizeof absolute, "%s%s", u->host, u->host[len - 1] == '.' ? "" : ".");
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
  struct addrinfo *found = NULL;
  if (getaddrinfo(absolute, u->port, &hints, &found) != 0) return -1;
  for (struct addrinfo *f = found; f && a->count < ADDRESSES_MAX; f = f->ai_next) {
    memcpy(&a->addr[a->count], f->ai_addr, f->ai_addrlen);
    a->len[a->count++] = f->ai_addrlen;
  }
  freeaddrinfo(found);
  return a->count ? 0 : -1;
}

enum http_result {
  HTTP_OK,
  HTTP_UNREACHABLE,      /* no address, or every address refused */
  HTTP_CONNECT_TIMEOUT,  /* no connection within the deadline (packets dropped) */
  HTTP_ANSWER_TIMEOUT,   /* connected, but the answer did not arrive in time */
  HTTP_FAILED,           /* the connection broke, or the answer is no HTTP answer or too large */
};

static int wait_for(int fd, short events, long long deadline) {
  struct pollfd p = {.fd = fd, .events = events};
  for (;;) {
    int r = poll(&p, 1, left_ms(deadline));
    if (r > 0) return 1;
    if (r == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

static int connect_any(const struct addresses *a, long long deadline, enum http_result *why) {
  *why = HTTP_UNREACHABLE;
  for (int i = 0; i < a->count; i++) {
    int fd = socket(a->addr[i].ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, (const struct sockaddr *)&a->addr[i], a->len[i]) == 0) return fd;
    if (errno == EINPROGRESS) {
      int ready = wait_for(fd, POLLOUT, deadline), error = 0;
      socklen_t len = sizeof error;
      if (ready > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) return fd;
      if (ready == 0) {
        close(fd);
        *why = HTTP_CONNECT_TIMEOUT;
        return -1;
      }
    }
    close(fd);
  }
  return -1;
}

struct answer {
  int status;         /* 0: no HTTP status line */
  const unsigned char *body;
  size_t body_len;
  unsigned char raw[ANSWER_MAX + 1];
};

static void answer_parse(struct answer *a, size_t len) {
  a->status = 0;
  a->body = NULL;
  a->body_len = 0;
  if (len < 12 || memcmp(a->raw, "HTTP/1.", 7) != 0 || (a->raw[7] != '0' && a->raw[7] != '1') || a->raw[8] != ' ')
    return;
  for (int k = 9; k < 12; k++)
    if (a->raw[k] < '0' || a->raw[k] > '9') return;
  if (len > 12 && a->raw[12] != ' ' && a->raw[12] != '\r') return;
  a->status = (a->raw[9] - '0') * 100 + (a->raw[10] - '0') * 10 + (a->raw[11] - '0');
  a->raw[len] = 0;
  unsigned char *end = (unsigned char *)strstr((char *)a->raw, "\r\n\r\n");
  if (end && end + 4 <= a->raw + len) {
    a->body = end + 4;
    a->body_len = len - (size_t)(end + 4 - a->raw);
  } else {
    a->body = a->raw + len;
  }
}

/* Where the body of an answer whose head has arrived ends, by its Content-Length; 0 when it has none. */
static size_t answer_expected_length(const unsigned char *raw, size_t len) {
  const unsigned char *end = memmem(raw, len, "\r\n\r\n", 4);
  if (!end) return 0;
  for (const unsigned char *p = raw; p < end; p++) {
    if ((p == raw || p[-1] == '\n') && (size_t)(end - p) > 15 && strncasecmp((const char *)p, "content-length:", 15) == 0) {
      unsigned long long n = 0;
      p += 15;
      while (*p == ' ' || *p == '\t') p++;
      if (*p < '0' || *p > '9') return 0;
      while (*p >= '0' && *p <= '9' && n < ANSWER_MAX * 2ULL) n = n * 10 + (unsigned)(*p++ - '0');
      return (size_t)(end + 4 - raw) + (size_t)n;
    }
  }
  return 0;
}

static int send_all(int fd, const void *data, size_t len, long long deadline) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      len -= (size_t)w;
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (wait_for(fd, POLLOUT, deadline) <= 0) return -1;
    } else {
      return -1;
    }
  }
  return 0;
}

/*
 * One HTTP/1.0 request (the answer is never chunked and ends when the server closes, or at its Content-Length),
 * all of it (connect, request, answer) within the deadline. At most ANSWER_MAX bytes of answer are read.
 */
static enum http_result http_request(const struct url *u, const char *head, const void *body, size_t body_len,
                                     long long deadline, struct answer *a) {
  struct addresses addresses;
  enum http_result why;
  a->status = 0;
  if (resolve(u, &addresses) != 0) return HTTP_UNREACHABLE;
  int fd = connect_any(&addresses, deadline, &why);
  if (fd < 0) return why;
  if (send_all(fd, head, strlen(head), deadline) != 0 || (body_len && send_all(fd, body, body_len, deadline) != 0)) {
    /* a server that answered early (say, 401 before reading the body) may have closed: read what it said */
  }
  size_t got = 0, expected = 0;
  enum http_result result = HTTP_OK;
  for (;;) {
    int ready = wait_for(fd, POLLIN, deadline);
    if (ready == 0) {
      result = HTTP_ANSWER_TIMEOUT;
      break;
    }
    if (ready < 0) {
      result = HTTP_FAILED;
      break;
    }
    ssize_t r = recv(fd, a->raw + got, ANSWER_MAX + 1 - got, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r < 0) {
      result = got ? HTTP_OK : HTTP_FAILED;
      break;
    }
    if (r == 0) break;
    got += (size_t)r;
    if (got > ANSWER_MAX) {
      result = HTTP_FAILED;
      break;
    }
    if (!expected) expected = answer_expected_length(a->raw, got);
    if (expected && got >= expected) break;
  }
  close(fd);
  if (result != HTTP_OK) return result;
  answer_parse(a, expected && expected < got ? expected : got);
  return HTTP_OK;
}

/* The request head, with the pod's token and user. NULL if it would not fit. */
static char *request_head(const char *method, const struct url *u, const char *path, const char *content_type,
                          size_t content_length, const char *extra_header) {
  static char head[SETTINGS_VALUE_MAX * 2 + 2048];
  const char *user = setting(CLAUDE_TELEMETRY_USER);
  int len = snprintf(head, sizeof head,
                     "%s %s%s HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\n%s%s%s%s%s%s%s",
                     method, u->path, path, u->hostport, setting(CLAUDE_TELEMETRY_TOKEN),
                     safe_header_value(user) ? "X-Claude-Telemetry-User: " : "", safe_header_value(user) ? user : "",
                     safe_header_value(user) ? "\r\n" : "", extra_header ? extra_header : "",
                     content_type ? "Content-Type: " : "", content_type ? content_type : "", content_type ? "\r\n" : "");
  if (len < 0 || (size_t)len >= sizeof head - 64) return NULL;
  if (content_type) len += snprintf(head + len, sizeof head - (size_t)len, "Content-Length: %zu\r\n", content_length);
  snprintf(head + len, sizeof head - (size_t)len, "\r\n");
  return head;
}

static struct answer answer_buffer;

/* ------------------------------------------------------------------ claude-hook: retries and the hand-off */

/*
 * hook-ingest restarting, or a replica being replaced, refuses or resets a hook's connection for a moment:
 * claude-hook tries again within its timeout (CLAUDE_HOOK_TIMEOUT_SECONDS). An event still not taken then is
 * handed to the pod's transcript-sweep container over a Unix socket (CLAUDE_HOOK_HANDOFF_SOCKET, a managed
 * setting): that container keeps it on a volume the agent's container does not mount and delivers it once
 * hook-ingest answers (handoff_deliver). Every attempt carries one random key (X-Claude-Hook-Event-Key), from
 * which hook-ingest derives the event's id: an attempt whose answer was lost, then a hand-off of the same event,
 * is stored once. In the normal case (hook-ingest answers) all of this costs one getrandom call.
 */

#define HANDOFF_SEND_MS 1000            /* after the timeout: within Claude Code's own hook timeout (5 s) */
#define HANDOFF_BODY_MAX (1 << 20)      /* hook-ingest refuses larger bodies anyway */
#define HANDOFF_MAGIC "claude-hook-handoff/1"

enum hook_delivery { HOOK_DELIVERED, HOOK_REFUSED, HOOK_UNDELIVERED };

/* 128 random bits as 32 lower-case hex digits, and the header line that carries them. */
static int event_key(char key[33], char *header, size_t header_size) {
  unsigned char bits[16];
  size_t got = 0;
  while (got < sizeof bits) {
    ssize_t r = getrandom(bits + got, sizeof bits - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  for (int i = 0; i < 16; i++) {
    key[2 * i] = "0123456789abcdef"[bits[i] >> 4];
    key[2 * i + 1] = "0123456789abcdef"[bits[i] & 15];
  }
  key[32] = 0;
  snprintf(header, header_size, "X-Claude-Hook-Event-Key: %s\r\n", key);
  return 0;
}

/* Whether hook-ingest may take the event on a later attempt: no answer, 401 (a token being rotated), 408, 429,
 * 5xx (503: not recorded). Another 4xx refuses the body itself, which no later attempt changes. */
static int hook_status_transient(int status) {
  return status == 0 || status == 401 || status == 408 || status == 429 || status >= 500;
}

/* Tries until hook-ingest takes the event or the deadline passes, pausing 50, 100, 200 ... 400 ms between tries. */
static enum hook_delivery hook_deliver(const struct url *u, const char *head, const unsigned char *input, size_t len,
                                       long long deadline) {
  for (long pause = 50;; pause = pause < 400 ? pause * 2 : 400) {
    enum http_result r = http_request(u, head, input, len, deadline, &answer_buffer);
    if (r == HTTP_OK && !hook_status_transient(answer_buffer.status))
      return answer_buffer.status < 300 ? HOOK_DELIVERED : HOOK_REFUSED;
    if (left_ms(deadline) <= pause) return HOOK_UNDELIVERED;
    struct timespec t = {.tv_sec = 0, .tv_nsec = pause * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
  }
}

/* Hands the event to the pod's transcript-sweep container: "claude-hook-handoff/1 <key> <length>\n", the body,
 * and its answer "ok\n" once the event is on its disk. No socket (no such container): nothing to do. */
static int handoff_send(const char *path, const char *key, const unsigned char *input, size_t len, long long deadline) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  char line[96], answer[64];
  if (!path || path[0] != '/' || strlen(path) >= sizeof address.sun_path || len > HANDOFF_BODY_MAX) return -1;
  memcpy(address.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int n = snprintf(line, sizeof line, "%s %s %zu\n", HANDOFF_MAGIC, key, len);
  size_t got = 0;
  if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0 && send_all(fd, line, (size_t)n, deadline) == 0 &&
      send_all(fd, input, len, deadline) == 0) {
    shutdown(fd, SHUT_WR);
    while (got < sizeof answer - 1 && wait_for(fd, POLLIN, deadline) > 0) {
      ssize_t r = recv(fd, answer + got, sizeof answer - 1 - got, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) break;
      got += (size_t)r;
    }
  }
  close(fd);
  return got >= 3 && memcmp(answer, "ok\n", 3) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ claude-guard */

static const char *guard_timeout_text;
static const unsigned char *guard_input;
static size_t guard_input_len;
static char guard_key[33];
static int guard_keyed;

static int guard_fails_open(void) {
  const char *fail_open = setting(CLAUDE_GUARD_FAIL_OPEN);
  return fail_open && strcmp(fail_open, "1") == 0;
}

static void guard_deny(const char *reason) {
  if (guard_fails_open()) {
    say("claude-guard", "%s; failing open (CLAUDE_GUARD_FAIL_OPEN=1)", reason);
    exit(0);
  }
  /* reason is always one of this file's fixed phrases, never text from the request or the answer */
  printf("{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\","
         "\"permissionDecisionReason\":\"Blocked by the claude-telemetry guard: %s, so no tool call can be checked "
         "and none is allowed (fail closed). This is not about your command: ask your platform team to check "
         "hook-ingest and policy-service in namespace claude-telemetry.\"}}\n",
         reason);
  exit(0);
}

/*
 * The guard decided without hook-ingest's answer (deny; no decision when failing open): the event goes to the
 * pod's hand-off as claude-hook's do, with what the guard applied as "claude_telemetry_client_decision", so that
 * the call Claude Code was told about is in the audit trail once hook-ingest is back, recorded with that decision
 * (hook-ingest does not ask the policy about such an event). Same key as the request, so an event hook-ingest did
 * take before its answer was lost is stored once.
 */
static void guard_handoff(const char *verdict) {
  if (!guard_input || !guard_keyed) return;
  size_t root = json_root(guard_input, guard_input_len);
  if (root >= guard_input_len || guard_input[root] != '{') return;
  size_t rest = root + 1, next = json_ws(guard_input, guard_input_len, rest);
  int empty = next < guard_input_len && guard_input[next] == '}';
  char member[80];
  int m = snprintf(member, sizeof member, "{\"claude_telemetry_client_decision\":\"%s\"%s", verdict, empty ? "" : ",");
  size_t len = (size_t)m + guard_input_len - rest;
  unsigned char *body = malloc(len);
  if (!body) return;
  memcpy(body, member, (size_t)m);
  memcpy(body + m, guard_input + rest, guard_input_len - rest);
  handoff_send(setting(CLAUDE_HOOK_HANDOFF_SOCKET), guard_key, body, len, now_ms() + HANDOFF_SEND_MS);
  free(body);
}

/* hook-ingest could not be asked (not reached, no answer in time, 5xx): hand the event off, then answer. */
static void guard_unanswered(const char *reason) {
  guard_handoff(guard_fails_open() ? "none" : "deny");
  guard_deny(reason);
}

static int guard(void) {
  char reason[160];
  struct url u;
  size_t input_len;
  unsigned char *input = read_input(&input_len);
  long timeout = millis_setting(CLAUDE_GUARD_TIMEOUT_SECONDS, 5000);
  const char *timeout_text = setting(CLAUDE_GUARD_TIMEOUT_SECONDS);
  if (millis_setting(CLAUDE_GUARD_TIMEOUT_SECONDS, -1) < 0) timeout_text = "5";
  guard_timeout_text = timeout_text;

  if (!setting(HOOK_INGEST_URL) || !*setting(HOOK_INGEST_URL)) guard_deny("HOOK_INGEST_URL is not set in the managed settings");
  if (!safe_header_value(setting(CLAUDE_TELEMETRY_TOKEN))) guard_deny("the pod has no valid CLAUDE_TELEMETRY_TOKEN");
  if (url_parse(setting(HOOK_INGEST_URL), &u) != 0) guard_deny("HOOK_INGEST_URL in the managed settings is not an http:// URL");
  if (!input) guard_deny("the hook input could not be read");
  char key_header[64];
  guard_input = input;
  guard_input_len = input_len;
  guard_keyed = event_key(guard_key, key_header, sizeof key_header) == 0;
  char *head = request_head("POST", &u, "/v1/hooks", "application/json", input_len, guard_keyed ? key_header : NULL);
  if (!head) guard_deny("the request to hook-ingest could not be built");

  switch (http_request(&u, head, input, input_len, now_ms() + timeout, &answer_buffer)) {
    case HTTP_OK:
      break;
    case HTTP_UNREACHABLE:
      guard_unanswered("hook-ingest could not be reached (its name does not resolve or it refused the connection)");
      break;
    case HTTP_CONNECT_TIMEOUT:
      snprintf(reason, sizeof reason, "hook-ingest did not accept a connection within %s s", guard_timeout_text);
      guard_unanswered(reason);
      break;
    case HTTP_ANSWER_TIMEOUT:
      snprintf(reason, sizeof reason, "hook-ingest did not answer within %s s", guard_timeout_text);
      guard_unanswered(reason);
      break;
    default:
      guard_unanswered("the call to hook-ingest failed");
  }
  if (answer_buffer.status == 0) guard_unanswered("hook-ingest sent no HTTP status");
  if (answer_buffer.status == 401) guard_deny("hook-ingest refused this pod's token (HTTP 401)");
  if (answer_buffer.status != 200) {
    snprintf(reason, sizeof reason, "hook-ingest answered HTTP %d", answer_buffer.status);
    if (hook_status_transient(answer_buffer.status)) guard_unanswered(reason);
    guard_deny(reason);
  }
  static char decision[ANSWER_MAX + 256];
  switch (decision_read(answer_buffer.body, answer_buffer.body_len, decision, sizeof decision)) {
    case DECISION_GIVEN:
      fputs(decision, stdout);
      return 0;
    case DECISION_NONE:
      return 0;
    default:
      guard_deny("hook-ingest's answer was not a valid decision");
  }
  return 0;
}

/* ------------------------------------------------------------------ claude-hook */

/* Sends the event, forgets the answer, prints nothing (some events' stdout becomes model context). An event
 * hook-ingest did not take within the timeout goes to the pod's hand-off (hook_deliver, handoff_send). */
static int hook(void) {
  struct url u;
  size_t input_len;
  char key[33], key_header[64];
  unsigned char *input = read_input(&input_len);
  long timeout = millis_setting(CLAUDE_HOOK_TIMEOUT_SECONDS, 2000);
  if (!input || !safe_header_value(setting(CLAUDE_TELEMETRY_TOKEN)) || url_parse(setting(HOOK_INGEST_URL), &u) != 0)
    return 0;
  int keyed = event_key(key, key_header, sizeof key_header) == 0;
  char *head = request_head("POST", &u, "/v1/hooks", "application/json", input_len, keyed ? key_header : NULL);
  if (head && hook_deliver(&u, head, input, input_len, now_ms() + timeout) == HOOK_UNDELIVERED && keyed)
    handoff_send(setting(CLAUDE_HOOK_HANDOFF_SOCKET), key, input, input_len, now_ms() + HANDOFF_SEND_MS);
  return 0;
}

/* ------------------------------------------------------------------ claude-transcript-sync */

static const char *const SYNC = "claude-transcript-sync";

static int safe_id(const char *id) {
  size_t len = strlen(id);
  return len > 0 && len <= 128 &&
         strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

struct sync {
  struct url url;
  char session[SETTINGS_VALUE_MAX];
  char cwd_header[SETTINGS_VALUE_MAX + 32];
  long long deadline;
  size_t chunk_bytes;
};

/* The acknowledged offset of one file, or -1; server_digest gets the server's SHA-256 of that prefix, or "". */
static long long sync_offset(struct sync *s, const char *file_id, char server_digest[65]) {
  char path[512];
  uint64_t offset;
  size_t at;
  server_digest[0] = 0;
  snprintf(path, sizeof path, "/v1/transcripts/%.128s/files/%.128s", s->session, file_id);
  char *head = request_head("GET", &s->url, path, NULL, 0, s->cwd_header);
  if (!head || left_ms(s->deadline) == 0) return -1;
  if (http_request(&s->url, head, NULL, 0, s->deadline, &answer_buffer) != HTTP_OK || answer_buffer.status != 200)
    return -1;
  const unsigned char *b = answer_buffer.body;
  size_t n = answer_buffer.body_len;
  if (!json_valid(b, n) || !json_member(b, n, json_root(b, n), "offset", &at) || !json_whole_number(b, n, at, &offset))
    return -1;
  char digest[128];
  if (json_member(b, n, json_root(b, n), "prefixSha256", &at) && b[at] == '"' &&
      json_string(b, n, at, digest, sizeof digest) == 64 && strspn(digest, "0123456789abcdef") == 64)
    memcpy(server_digest, digest, 65);
  return (long long)offset;
}

/* Hashes the file's bytes [from, to) into digest; -1 if the file ends before to. */
static int digest_range(int fd, struct sha256 *digest, long long from, long long to, unsigned char *buf, size_t cap) {
  while (from < to) {
    size_t want = to - from < (long long)cap ? (size_t)(to - from) : cap;
    ssize_t r = pread(fd, buf, want, from);
    if (r <= 0) return -1;
    sha256_update(digest, buf, (size_t)r);
    from += r;
  }
  return 0;
}

/*
 * The sync of a session's transcript learns the acknowledged offset from the file's last sync instead of asking
 * transcript-service: a sync that ends knowing the offset and the prefix digest writes
 * "<offset> <SHA-256 hex of the bytes before it>\n" to <transcript>.claude-telemetry-acked, and the next sync starts
 * from that offset when the file's bytes before it still hash to that digest. That saves the offset request, which
 * with uploads seconds apart costs transcript-service about as much as the upload itself. The file is only a hint,
 * which the agent can write: transcript-service still takes an upload only from the offset it acknowledged (409 with
 * that offset otherwise, from which the sync goes on) and judges the prefix digest every upload carries; a sync from
 * a hint other than the per-batch one that finds nothing new asks all the same, so that the server's digest judges
 * the prefix then too. A hint that is missing, unreadable or no longer matches the file sends the sync to ask.
 */
enum acked_hint {
  HINT_NONE, /* asks, writes no hint: subagent files, the sweep */
  HINT_SEND, /* from the hint; asks when nothing is new: Stop, SessionEnd and the like */
  HINT_SKIP  /* from the hint, nothing sent without new bytes: the per-batch sync */
};

static int acked_open(const char *transcript, int flags) {
  char path[SETTINGS_VALUE_MAX + 32];
  if (snprintf(path, sizeof path, "%s.claude-telemetry-acked", transcript) >= (int)sizeof path) return -1;
  int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The offset the hint names, digest its 64 hex digits; -1 without a well-formed hint. */
static long long acked_read(const char *transcript, char digest[65]) {
  char text[128];
  int fd = acked_open(transcript, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = pread(fd, text, sizeof text - 1, 0);
  close(fd);
  if (n <= 0) return -1;
  text[n] = 0;
  size_t digits = strspn(text, "0123456789");
  if (digits == 0 || digits > 18 || text[digits] != ' ' || strspn(text + digits + 1, "0123456789abcdef") != 64 ||
      strcmp(text + digits + 65, "\n") != 0)
    return -1;
  memcpy(digest, text + digits + 1, 64);
  digest[64] = 0;
  return strtoll(text, NULL, 10);
}

static void acked_write(const char *transcript, long long offset, const char digest[65]) {
  char text[128];
  int fd = acked_open(transcript, O_WRONLY | O_CREAT);
  if (fd < 0) return;
  int len = snprintf(text, sizeof text, "%lld %s\n", offset, digest);
  if (pwrite(fd, text, (size_t)len, 0) == len && ftruncate(fd, len) != 0) {
    /* A hint that does not parse only sends the next per-batch sync to ask. */
  }
  close(fd);
}

/*
 * Uploads path as file_id from the acknowledged offset up to the size it has now; complete lines only are kept
 * by the server, so a line still being written is sent again by the next event.
 *
 * Every upload says how large the file is now and the SHA-256 of its bytes before the offset (X-Transcript-Size,
 * X-Transcript-Prefix-Sha256). transcript-service keeps the digest of what it acknowledged: a file that shrank
 * below that, or whose acknowledged part is no longer what was uploaded (the agent can write its own
 * transcript), is answered 409 with expectedOffset 0 after the server has recorded it, and the file is then sent
 * again from its start, which the server keeps as a new generation next to the old one. Nothing already stored
 * is replaced, and new content is never spliced onto the old at a byte offset that no longer means anything.
 *
 * Several syncs of one file run at once (the per-batch one is async, and Stop or SessionEnd follow at once).
 * The server takes an upload only from the offset it has acknowledged (compare-and-set) and answers any other
 * with 409 and that offset. So the file's size is read only after the offset is known, each time one is learnt:
 * an honest file is then never shorter than the offset, and never looks shrunk because another sync, which read
 * it later, got further first.
 */
static void sync_file(struct sync *s, const char *path, const char *file_id, enum acked_hint hint) {
  char request_path[512], server_digest[65], local_digest[65], extra[SETTINGS_VALUE_MAX + 160];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return;
  }
  size_t chunk = s->chunk_bytes;
  unsigned char *buf = NULL;
  size_t buf_cap = 0;
  struct sha256 prefix;
  long long hashed = -1; /* how many of the file's first bytes prefix holds; -1: none yet */
  long long offset = -1;
  int confirmed = 0; /* whether transcript-service answered offset (else it came from the hint) */
  server_digest[0] = 0;
  if (hint != HINT_NONE) {
    char acked_digest[65];
    long long acked = acked_read(path, acked_digest);
    if (acked >= 0 && acked <= (long long)st.st_size && (buf = malloc(chunk))) {
      buf_cap = chunk;
      sha256_init(&prefix);
      if (digest_range(fd, &prefix, 0, acked, buf, buf_cap) == 0 &&
          (sha256_hex(&prefix, local_digest), strcmp(local_digest, acked_digest) == 0))
        offset = hashed = acked;
    }
  }
  if (offset < 0) {
    hashed = -1;
    offset = sync_offset(s, file_id, server_digest);
    confirmed = offset >= 0;
  }
  if (offset < 0) {
    say(SYNC, "%s: offset unknown; retried next event", file_id);
    free(buf);
    close(fd);
    return;
  }
  for (int conflicts = 0;;) {
    if (left_ms(s->deadline) == 0) {
      say(SYNC, "%s: out of time at offset %lld; retried next event", file_id, offset);
      break;
    }
    if (fstat(fd, &st) != 0) break;
    long long size = st.st_size;
    size_t sent = 0;
    if (buf_cap < chunk) {
      unsigned char *bigger = realloc(buf, chunk);
      if (!bigger) break;
      buf = bigger;
      buf_cap = chunk;
    }
    /* The digest is carried forward: after another sync's progress only the bytes it added are read. */
    if (hashed < 0 || hashed > offset) {
      sha256_init(&prefix);
      hashed = 0;
    }
    if (hashed < offset) hashed = size >= offset && digest_range(fd, &prefix, hashed, offset, buf, buf_cap) == 0 ? offset : -1;
    int prefix_known = hashed == offset, rewritten = 0;
    if (prefix_known && server_digest[0]) {
      sha256_hex(&prefix, local_digest);
      /* Sent even when the file has not grown since: the server records it now, not at the next append. */
      if ((rewritten = strcmp(local_digest, server_digest) != 0))
        say(SYNC, "%s: the first %lld bytes are no longer the ones uploaded; transcript-service records it", file_id, offset);
      server_digest[0] = 0;
    } else if (!prefix_known) {
      say(SYNC, "%s: the file shrank to %lld bytes below the %lld uploaded; transcript-service records it", file_id, size, offset);
    }
    if (offset == size && prefix_known && !rewritten) {
      if (confirmed || hint == HINT_SKIP) break;
      /* Nothing new behind a hint: ask, and the server's digest tells whether the prefix is still the one it
       * acknowledged. */
      if ((offset = sync_offset(s, file_id, server_digest)) < 0) break;
      confirmed = 1;
      continue;
    }
    if (offset < size && prefix_known) {
      sent = size - offset < (long long)chunk ? (size_t)(size - offset) : chunk;
      ssize_t r = pread(fd, buf, sent, offset);
      if (r <= 0) break;
      sent = (size_t)r;
    }
    /* A file shorter than the acknowledged offset sends no bytes, only its size: the server answers 409. */
    int len = snprintf(extra, sizeof extra, "%sX-Transcript-Size: %lld\r\n", s->cwd_header, size);
    if (prefix_known) {
      sha256_hex(&prefix, local_digest);
      snprintf(extra + len, sizeof extra - (size_t)len, "X-Transcript-Prefix-Sha256: %s\r\n", local_digest);
    }
    snprintf(request_path, sizeof request_path, "/v1/transcripts/%.128s/files/%.128s?offset=%lld", s->session, file_id, offset);
    char *head = request_head("POST", &s->url, request_path, "application/octet-stream", sent, extra);
    if (!head || http_request(&s->url, head, buf, sent, s->deadline, &answer_buffer) != HTTP_OK ||
        answer_buffer.status == 0) {
      say(SYNC, "%s: upload at offset %lld failed; retried next event", file_id, offset);
      break;
    }
    const char *field = answer_buffer.status == 200 ? "offset" : answer_buffer.status == 409 ? "expectedOffset" : NULL;
    if (!field) {
      say(SYNC, "%s: transcript-service answered HTTP %d at offset %lld", file_id, answer_buffer.status, offset);
      break;
    }
    const unsigned char *b = answer_buffer.body;
    size_t n = answer_buffer.body_len, at;
    uint64_t next;
    if (!json_valid(b, n) || !json_member(b, n, json_root(b, n), field, &at) || !json_whole_number(b, n, at, &next)) {
      say(SYNC, "%s: unreadable answer at offset %lld", file_id, offset);
      break;
    }
    confirmed = 1;
    if (answer_buffer.status == 409) {
      /* Another sync got further (or the server found the file rewritten: 0): go on from its offset. Each
       * answer is progress someone made; the count and the deadline bound a server that keeps moving it. */
      if (++conflicts > 16) break;
      offset = (long long)next;
      continue;
    }
    if ((long long)next <= offset) {
      /* No complete line in the chunk: the last line is still being written (wait for the next event), or one
       * line is longer than the chunk (send a bigger one). */
      if (sent < chunk || chunk >= CHUNK_MAX) break;
      chunk *= 2;
      continue;
    }
    if ((long long)next > offset + (long long)sent) break; /* the server acknowledged more than was sent */
    sha256_update(&prefix, buf, (size_t)(next - offset));
    offset = hashed = (long long)next;
  }
  if (hint != HINT_NONE && confirmed && hashed == offset) {
    sha256_hex(&prefix, local_digest);
    acked_write(path, offset, local_digest);
  }
  free(buf);
  close(fd);
}

static int input_string(const unsigned char *in, size_t n, const char *name, char *out, size_t cap) {
  size_t at;
  *out = 0;
  return json_member(in, n, json_root(in, n), name, &at) && in[at] == '"' && json_string(in, n, at, out, cap) >= 0;
}

/*
 * The per-batch sync (PostToolBatch, async) uploads at most once every CLAUDE_TRANSCRIPT_BATCH_SECONDS per session:
 * each upload costs transcript-service a request, a transaction and a few statements whatever its size, and tool
 * calls that follow each other quickly would pay that on every batch, on the same cores as Claude Code. What a
 * skipped batch wrote goes with the next due batch, or with Stop, SubagentStop, PreCompact or SessionEnd, which
 * always upload (and always check the whole acknowledged prefix), or with the pod's sweep. So a session killed
 * mid-turn loses at most the lines of that interval to the sweep's quiet period, never to the audit trail.
 *
 * The time of the last per-batch upload is the mtime of a stamp file next to the transcript
 * (<transcript>.claude-telemetry-sync). The agent can write there, so it could hold per-batch uploads off, as it
 * could by killing the async sync; it cannot hold off the other events' uploads. A stamp that is not a regular
 * file, or whose time lies in the future, makes the batch due.
 */
static int batch_stamp_open(const char *transcript, int create) {
  char path[SETTINGS_VALUE_MAX + 32];
  if (snprintf(path, sizeof path, "%s.claude-telemetry-sync", transcript) >= (int)sizeof path) return -1;
  return open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
}

static int batch_sync_due(const char *transcript, long interval_ms) {
  struct stat st;
  struct timespec now;
  int due = 1, fd = interval_ms > 0 ? batch_stamp_open(transcript, 0) : -1;
  if (fd < 0) return 1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && clock_gettime(CLOCK_REALTIME, &now) == 0) {
    long long age = (long long)(now.tv_sec - st.st_mtim.tv_sec) * 1000 + (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
    due = age < 0 || age >= interval_ms;
  }
  close(fd);
  return due;
}

/* Before the upload, so that the batches right behind it (their syncs start while it runs) skip. */
static void batch_sync_stamp(const char *transcript) {
  struct stat st;
  int fd = batch_stamp_open(transcript, 1);
  if (fd < 0) return;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) futimens(fd, NULL);
  close(fd);
}

static int batch_event(const unsigned char *in, size_t n) {
  char event[64];
  return input_string(in, n, "hook_event_name", event, sizeof event) && strcmp(event, "PostToolBatch") == 0;
}

/* Whether this PostToolBatch sync is not due yet (see batch_sync_due); stamps the ones that are. */
static int batch_sync_skipped(const unsigned char *in, size_t n) {
  static char transcript[SETTINGS_VALUE_MAX];
  if (!input_string(in, n, "transcript_path", transcript, sizeof transcript) || !*transcript) return 0;
  long interval = millis_setting(CLAUDE_TRANSCRIPT_BATCH_SECONDS, 5000);
  if (interval > 0 && !batch_sync_due(transcript, interval)) return 1;
  if (interval > 0) batch_sync_stamp(transcript);
  return 0;
}

static int transcript_sync(void) {
  static struct sync s;
  static char value[SETTINGS_VALUE_MAX], agent_path[SETTINGS_VALUE_MAX], agent_file[SETTINGS_VALUE_MAX];
  size_t n;
  unsigned char *in = read_input(&n);
  s.deadline = now_ms() + millis_setting(CLAUDE_TRANSCRIPT_SYNC_SECONDS, 5000);
  long long chunk = whole_setting(CLAUDE_TRANSCRIPT_CHUNK_BYTES, 524288);
  s.chunk_bytes = chunk < 1 ? 524288 : chunk > CHUNK_MAX ? CHUNK_MAX : (size_t)chunk;
  if (!safe_header_value(setting(CLAUDE_TELEMETRY_TOKEN)) || url_parse(setting(TRANSCRIPT_SERVICE_URL), &s.url) != 0) {
    say(SYNC, "TRANSCRIPT_SERVICE_URL or CLAUDE_TELEMETRY_TOKEN not set; nothing uploaded");
    return 0;
  }
  if (!in || !json_valid(in, n) || !input_string(in, n, "session_id", s.session, sizeof s.session) || !safe_id(s.session)) {
    say(SYNC, "no usable session_id in the hook input");
    return 0;
  }
  if (input_string(in, n, "cwd", value, sizeof value) && safe_header_value(value))
    snprintf(s.cwd_header, sizeof s.cwd_header, "X-Claude-Cwd: %s\r\n", value);
  int per_batch = batch_event(in, n);
  if (per_batch && batch_sync_skipped(in, n)) return 0;
  if (input_string(in, n, "agent_transcript_path", agent_path, sizeof agent_path) && *agent_path) {
    const char *base = strrchr(agent_path, '/');
    base = base ? base + 1 : agent_path;
    size_t len = strlen(base);
    if (len > 6 && strcmp(base + len - 6, ".jsonl") == 0) len -= 6;
    if (len < sizeof agent_file && strncmp(base, "agent-", 6) == 0) {
      memcpy(agent_file, base, len);
      agent_file[len] = 0;
    } else {
      input_string(in, n, "agent_id", value, sizeof value);
      snprintf(agent_file, sizeof agent_file, "agent-%.200s", value);
    }
    if (safe_id(agent_file) && strcmp(agent_file, "agent-") != 0) sync_file(&s, agent_path, agent_file, HINT_NONE);
  }
  if (input_string(in, n, "transcript_path", value, sizeof value) && *value) {
    sync_file(&s, value, "main", per_batch ? HINT_SKIP : HINT_SEND);
    /* Claude Code may append to a subagent's file after its SubagentStop has fired (measured with 2.1.330: the
     * upload then stopped short of the file's last lines): every other event but the per-batch one also brings
     * the session's subagent files, <transcript without .jsonl>/subagents/agent-*.jsonl, up to date. */
    size_t len = strlen(value);
    if (!per_batch && len > 6 && strcmp(value + len - 6, ".jsonl") == 0 && len + 16 < sizeof value) {
      strcpy(value + len - 6, "/subagents");
      DIR *dir = opendir(value);
      struct dirent *entry;
      while (dir && (entry = readdir(dir))) {
        size_t name_len = strlen(entry->d_name);
        char file_id[160], path[SETTINGS_VALUE_MAX + 300];
        if (strncmp(entry->d_name, "agent-", 6) != 0 || name_len < 7 || name_len - 6 >= sizeof file_id ||
            strcmp(entry->d_name + name_len - 6, ".jsonl") != 0)
          continue;
        memcpy(file_id, entry->d_name, name_len - 6);
        file_id[name_len - 6] = 0;
        if (!safe_id(file_id)) continue;
        snprintf(path, sizeof path, "%s/%s", value, entry->d_name);
        /* Only files Claude Code wrote there: a symlink the agent planted would upload another file (say,
         * another session's transcript) into this session's audit trail under a subagent's name. */
        struct stat link;
        if (lstat(path, &link) != 0 || !S_ISREG(link.st_mode)) continue;
        sync_file(&s, path, file_id, HINT_NONE);
      }
      if (dir) closedir(dir);
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ claude-transcript-sweep */

/*
 * The transcript lines a session wrote after its last successful sync (transcript-service down at Stop or
 * SessionEnd, Claude Code killed mid-turn) wait for an event of that session that may never come. This role runs
 * as a loop in its own container of the claude-code pod (the chart's transcript-sweep sidecar): the agent's
 * processes cannot see or signal it (no shared process namespace), and it takes its orders from argv (the pod
 * spec) and the managed settings files only, like every other role.
 *
 * Every round it walks <projects>/<project>/<session>.jsonl and <projects>/<project>/<session>/subagents/
 * agent-*.jsonl and syncs each file that changed since it was last found complete on the server, once the file has
 * stayed unchanged for the quiet period (a running session's own hooks sync it sooner). What the agent can put
 * there it could also upload with its own token, so the bounds are about cost: at most SWEEP_FILES_MAX files per
 * round, each file's sync within SWEEP_SYNC_MS, small leftovers before large files (SWEEP_SMALL_BYTES), and a round
 * ends at the first file transcript-service does not answer for (retried next round). Files are opened below the walked directories with O_NOFOLLOW and
 * O_NONBLOCK: a symlink the agent planted is not followed, a FIFO does not block the loop.
 */

#define SWEEP_FILES_MAX 4096
/* A file's sync holds up no session, unlike a hook's (CLAUDE_TRANSCRIPT_SYNC_SECONDS): a transcript-service that
 * has just come back (cold, catching up) gets the time to take a large transcript instead of having the upload
 * cut off and sent again every round. */
#define SWEEP_SYNC_MS 30000
#define SWEEP_TABLE (SWEEP_FILES_MAX * 2)
/* A round syncs first every file with at most SWEEP_SMALL_BYTES the server lacks (a session's last lines), then the
 * larger ones until SWEEP_ROUND_MS have passed: a large file the agent planted holds up no session's leftovers,
 * and what it did not reach waits for the next round. */
#define SWEEP_SMALL_BYTES (1 << 20)
#define SWEEP_ROUND_MS 60000

static const char *const SWEEP = "claude-transcript-sweep";

struct sweep_entry {
  char key[300];            /* <project>/<file path below it>; empty: free slot */
  long long size, mtime_ns; /* as last seen */
  long long unchanged_since_ms;
  long long acked;          /* the server's offset as last learnt; -1: not asked yet */
  int settled;              /* the server had every complete line of exactly this size and mtime */
  int seen;                 /* found in the current round */
};

static struct sweep_entry sweep_table[SWEEP_TABLE];

static struct sweep_entry *sweep_slot(const char *key) {
  uint32_t h = 2166136261u;
  for (const char *k = key; *k; k++) h = (h ^ (unsigned char)*k) * 16777619u;
  for (uint32_t i = 0; i < SWEEP_TABLE; i++) {
    struct sweep_entry *e = &sweep_table[(h + i) % SWEEP_TABLE];
    if (!e->key[0] || strcmp(e->key, key) == 0) return e;
  }
  return NULL;
}

/* Whether the server holds every complete line of the file: its offset is at the size, or only an unterminated
 * last line (still being written, or never finished) lies beyond it. */
static int sweep_complete(int fd, long long size, long long offset) {
  static unsigned char tail[65536];
  if (offset >= size) return 1;
  if (size - offset > (long long)sizeof tail) return 0;
  ssize_t r = pread(fd, tail, (size_t)(size - offset), offset);
  return r == size - offset && !memchr(tail, '\n', (size_t)r);
}

enum sweep_result { SWEEP_NEXT, SWEEP_SERVER_DOWN, SWEEP_ROUND_OVER };

struct sweep_pass {
  int number; /* 1: files the server lacks little of; 2: the others */
  int files;  /* files looked at in this pass */
  long long round_end;
};
#define SWEEP_DOWN (-1)
#define SWEEP_REFUSED (-2)

/* The acknowledged offset of one file; SWEEP_DOWN without an answer (or 5xx, 401), SWEEP_REFUSED for another 4xx. */
static long long sweep_offset(struct sync *s, const char *file_id) {
  char path[512];
  uint64_t offset;
  size_t at;
  snprintf(path, sizeof path, "/v1/transcripts/%.128s/files/%.128s", s->session, file_id);
  char *head = request_head("GET", &s->url, path, NULL, 0, NULL);
  if (!head || http_request(&s->url, head, NULL, 0, s->deadline, &answer_buffer) != HTTP_OK ||
      answer_buffer.status == 0 || answer_buffer.status == 401 || answer_buffer.status >= 500)
    return SWEEP_DOWN;
  if (answer_buffer.status != 200) {
    say(SWEEP, "%s/%s: transcript-service answered HTTP %d; not retried until the file changes", s->session, file_id,
        answer_buffer.status);
    return SWEEP_REFUSED;
  }
  const unsigned char *b = answer_buffer.body;
  size_t n = answer_buffer.body_len;
  if (!json_valid(b, n) || !json_member(b, n, json_root(b, n), "offset", &at) || !json_whole_number(b, n, at, &offset))
    return SWEEP_DOWN;
  return (long long)offset;
}

/* One candidate file: name below dir, uploaded as (session, file_id). */
static enum sweep_result sweep_file(struct sync *s, int dir, const char *name, const char *key, const char *session,
                                    const char *file_id, long long quiet_ms, struct sweep_pass *pass) {
  struct stat st;
  if (++pass->files > SWEEP_FILES_MAX || !safe_id(session) || !safe_id(file_id) || strlen(key) >= sizeof sweep_table[0].key)
    return SWEEP_NEXT;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) return SWEEP_NEXT;
  struct sweep_entry *e = sweep_slot(key);
  if (!e) return SWEEP_NEXT;
  long long mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, now = now_ms();
  if (!e->key[0] || e->size != st.st_size || e->mtime_ns != mtime_ns) {
    /* New or changed since the last round: wait until it has been quiet. The time is this loop's own
     * observation, not the file's mtime, which the agent can set. */
    if (!e->key[0]) e->acked = -1;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->size = st.st_size;
    e->mtime_ns = mtime_ns;
    e->unchanged_since_ms = now;
    e->settled = 0;
  }
  e->seen = 1;
  if (e->settled || now - e->unchanged_since_ms < quiet_ms) return SWEEP_NEXT;

  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return SWEEP_NEXT;
  enum sweep_result result = SWEEP_NEXT;
  char path[64];
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    /* sync_file opens a path: this one is the file already opened, whatever the name points to by now. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    snprintf(s->session, sizeof s->session, "%s", session);
    /* The offset last learnt only sorts the file into a pass; whether it is complete is decided on a fresh one. */
    long long offset = e->acked;
    int fresh = offset < 0;
    if (fresh) {
      s->deadline = now_ms() + SWEEP_SYNC_MS;
      offset = sweep_offset(s, file_id);
    }
    int small = offset >= 0 && st.st_size - offset <= SWEEP_SMALL_BYTES;
    if (offset >= 0 && !(fresh && sweep_complete(fd, st.st_size, offset)) && small == (pass->number == 1)) {
      if (pass->number == 2 && left_ms(pass->round_end) == 0) {
        close(fd);
        return SWEEP_ROUND_OVER;
      }
      s->deadline = now_ms() + SWEEP_SYNC_MS;
      sync_file(s, path, file_id, HINT_NONE);
      s->deadline = now_ms() + SWEEP_SYNC_MS;
      offset = sweep_offset(s, file_id);
      fresh = 1;
    }
    if (offset >= 0) e->acked = offset;
    /* A file of the other pass, not asked about this time, is left as it was. */
    if (fresh && offset == SWEEP_DOWN) {
      result = SWEEP_SERVER_DOWN;
    } else if (fresh && (offset == SWEEP_REFUSED || sweep_complete(fd, st.st_size, offset))) {
      /* Refused (another user's session, a name the server rejects): asking again changes nothing until the
       * file does. Only a refusal of the token itself (401) counts as down, so a rotated token retries. */
      e->settled = e->size == st.st_size;
    }
  }
  close(fd);
  return result;
}

/* One project directory: <session>.jsonl files and their <session>/subagents/agent-*.jsonl. */
static enum sweep_result sweep_project(struct sync *s, int projects, const char *project, long long quiet_ms,
                                       struct sweep_pass *pass) {
  char key[800], session[160], file_id[160];
  int dir = openat(projects, project, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return SWEEP_NEXT;
  DIR *list = fdopendir(dir);
  if (!list) {
    close(dir);
    return SWEEP_NEXT;
  }
  enum sweep_result result = SWEEP_NEXT;
  struct dirent *entry;
  while (result == SWEEP_NEXT && pass->files <= SWEEP_FILES_MAX && (entry = readdir(list))) {
    size_t len = strlen(entry->d_name);
    if (entry->d_name[0] == '.' || len >= sizeof session) continue;
    if (len > 6 && strcmp(entry->d_name + len - 6, ".jsonl") == 0) {
      snprintf(session, sizeof session, "%.*s", (int)(len - 6), entry->d_name);
      snprintf(key, sizeof key, "%s/%s", project, entry->d_name);
      result = sweep_file(s, dirfd(list), entry->d_name, key, session, "main", quiet_ms, pass);
      continue;
    }
    if (!safe_id(entry->d_name)) continue;
    const char *sub = entry->d_name; /* a session id: at most 128 characters (safe_id) */
    int session_dir = openat(dirfd(list), sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (session_dir < 0) continue;
    int agents = openat(session_dir, "subagents", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(session_dir);
    DIR *agent_list = agents < 0 ? NULL : fdopendir(agents);
    if (!agent_list) {
      if (agents >= 0) close(agents);
      continue;
    }
    struct dirent *agent;
    while (result == SWEEP_NEXT && pass->files <= SWEEP_FILES_MAX && (agent = readdir(agent_list))) {
      size_t agent_len = strlen(agent->d_name);
      if (strncmp(agent->d_name, "agent-", 6) != 0 || agent_len < 7 || agent_len - 6 >= sizeof file_id ||
          strcmp(agent->d_name + agent_len - 6, ".jsonl") != 0)
        continue;
      snprintf(file_id, sizeof file_id, "%.*s", (int)(agent_len - 6), agent->d_name);
      snprintf(key, sizeof key, "%s/%s/%s", project, sub, agent->d_name);
      result = sweep_file(s, dirfd(agent_list), agent->d_name, key, sub, file_id, quiet_ms, pass);
    }
    closedir(agent_list);
  }
  closedir(list);
  return result;
}

/* Every round: a rotated token or a changed URL applies without a restart. */
static void settings_reload(const char *role) {
#ifndef HOOK_CLIENT_CONFIG_FROM_ENVIRONMENT
  for (int k = 0; k < KEY_COUNT; k++) settings_set[k] = 0;
#endif
  settings_load(role);
}

static void sweep_round(const char *projects_path, long long quiet_ms) {
  static struct sync s;
  struct sweep_pass pass = {.round_end = now_ms() + SWEEP_ROUND_MS};
  settings_reload(SWEEP);
  memset(&s, 0, sizeof s);
  long long chunk = whole_setting(CLAUDE_TRANSCRIPT_CHUNK_BYTES, 524288);
  s.chunk_bytes = chunk < 1 ? 524288 : chunk > CHUNK_MAX ? CHUNK_MAX : (size_t)chunk;
  if (!safe_header_value(setting(CLAUDE_TELEMETRY_TOKEN)) || url_parse(setting(TRANSCRIPT_SERVICE_URL), &s.url) != 0)
    return;
  int projects = open(projects_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (projects < 0) return; /* no session has run yet */
  DIR *list = fdopendir(projects);
  if (!list) {
    close(projects);
    return;
  }
  for (int i = 0; i < SWEEP_TABLE; i++) sweep_table[i].seen = 0;
  enum sweep_result result = SWEEP_NEXT;
  struct dirent *entry;
  for (pass.number = 1; pass.number <= 2 && result == SWEEP_NEXT; pass.number++) {
    pass.files = 0;
    rewinddir(list);
    while (result == SWEEP_NEXT && pass.files <= SWEEP_FILES_MAX && (entry = readdir(list)))
      if (entry->d_name[0] != '.') result = sweep_project(&s, dirfd(list), entry->d_name, quiet_ms, &pass);
  }
  closedir(list);
  if (pass.files > SWEEP_FILES_MAX) say(SWEEP, "more than %d transcript files; the rest wait for a later round", SWEEP_FILES_MAX);
  if (result == SWEEP_ROUND_OVER) say(SWEEP, "the round's %d s are used up; the larger uploads go on next round", SWEEP_ROUND_MS / 1000);
  if (result != SWEEP_NEXT) return; /* a round cut short has not seen every file: forget nothing */
  /* Forget files that are gone (a table of deleted names would fill up). Removal breaks open-addressing
   * chains, so the table is rebuilt from what is left. */
  static struct sweep_entry kept[SWEEP_TABLE];
  int count = 0;
  for (int i = 0; i < SWEEP_TABLE; i++)
    if (sweep_table[i].key[0] && sweep_table[i].seen) kept[count++] = sweep_table[i];
  memset(sweep_table, 0, sizeof sweep_table);
  for (int i = 0; i < count; i++) *sweep_slot(kept[i].key) = kept[i];
}

/* ------------------------------------------------------------------ claude-transcript-sweep: the hook hand-off */

/*
 * The other end of claude-hook's hand-off (handoff_send). A child process of the sweep listens on the socket
 * CLAUDE_HOOK_HANDOFF_SOCKET names (on a small volume the agent's container mounts read-only: it can connect,
 * not remove or replace the socket) and writes each event it takes into the spool directory from argv (a volume
 * of this container only: the agent can neither read the keys there nor erase an event), one file per event,
 * synced before it answers "ok". Another child delivers them to hook-ingest every interval, oldest first, with the
 * pod's own token from the managed settings and the event's key, and removes a file once hook-ingest took it.
 *
 * The agent can connect too. What it can send that way is an event as its own user, which it can already post
 * with the token it holds; it cannot name a real event's key (random, never written where it can read it), so it
 * cannot turn one into a duplicate. The bounds are about cost: a body of at most HANDOFF_BODY_MAX bytes that is a JSON object,
 * HANDOFF_TAKE_MS per connection, HANDOFF_CONNECTIONS_MAX at once, and at most HANDOFF_SPOOL_FILES_MAX files or
 * HANDOFF_SPOOL_BYTES_MAX bytes waiting; beyond that an event is refused (and logged), never something spooled
 * dropped. hook-ingest refusing a spooled event's body (4xx other than 401/408/429) drops it, logged and counted.
 */

#define HANDOFF_TAKE_MS 2000
#define HANDOFF_CONNECTIONS_MAX 16
#define HANDOFF_SPOOL_FILES_MAX 4096
#define HANDOFF_SPOOL_BYTES_MAX (64LL << 20)
#define HANDOFF_DELIVER_MS 20000 /* per round: the transcripts wait for the rest */
#define HANDOFF_REQUEST_MS 5000

/* <13-digit milliseconds>-<32 hex>.json: the spool's file names, in arrival order by name. */
static int handoff_spool_name(const char *name) {
  return strlen(name) == 51 && strspn(name, "0123456789") == 13 && name[13] == '-' &&
         strspn(name + 14, "0123456789abcdef") == 32 && strcmp(name + 46, ".json") == 0;
}

/* How many events and bytes wait in the spool. */
static void handoff_spool_usage(int spool, long long *files, long long *bytes) {
  *files = *bytes = 0;
  int fd = openat(spool, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd < 0 ? NULL : fdopendir(fd);
  struct dirent *entry;
  struct stat st;
  if (!dir) {
    if (fd >= 0) close(fd);
    return;
  }
  while ((entry = readdir(dir)))
    if (entry->d_name[0] != '.' && fstatat(spool, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      ++*files;
      *bytes += st.st_size;
    }
  closedir(dir);
}

static int handoff_answer(int fd, const char *answer) {
  (void)!send(fd, answer, strlen(answer), MSG_NOSIGNAL);
  if (strcmp(answer, "ok\n") != 0) say(SWEEP, "hook hand-off refused: %.*s", (int)strlen(answer) - 1, answer);
  return 0;
}

/* One connection: "claude-hook-handoff/1 <key> <length>\n" and the body, within HANDOFF_TAKE_MS. */
static int handoff_take(int fd, int spool) {
  static unsigned char body[HANDOFF_BODY_MAX + 1];
  char line[96], key[33], tmp[64], name[64];
  long long deadline = now_ms() + HANDOFF_TAKE_MS;
  size_t got = 0, len = 0;
  unsigned long long length = 0;
  /* The line, a byte at a time: nothing of the body is read before its length is known. */
  while (got < sizeof line - 1 && wait_for(fd, POLLIN, deadline) > 0) {
    ssize_t r = recv(fd, line + got, 1, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r <= 0 || line[got++] == '\n') break;
  }
  line[got] = 0;
  size_t magic = strlen(HANDOFF_MAGIC);
  if (got < magic + 36 || line[got - 1] != '\n' || strncmp(line, HANDOFF_MAGIC " ", magic + 1) != 0 ||
      strspn(line + magic + 1, "0123456789abcdef") != 32 || line[magic + 33] != ' ')
    return handoff_answer(fd, "no malformed header\n");
  memcpy(key, line + magic + 1, 32);
  key[32] = 0;
  for (const char *p = line + magic + 34; *p != '\n'; p++) {
    if (*p < '0' || *p > '9' || length > HANDOFF_BODY_MAX) return handoff_answer(fd, "no malformed length\n");
    length = length * 10 + (unsigned)(*p - '0');
  }
  if (length == 0 || length > HANDOFF_BODY_MAX) return handoff_answer(fd, "no body too large or empty\n");
  while (len < length && wait_for(fd, POLLIN, deadline) > 0) {
    ssize_t r = recv(fd, body + len, (size_t)length - len, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r <= 0) break;
    len += (size_t)r;
  }
  if (len != length) return handoff_answer(fd, "no body shorter than its length\n");
  if (!json_valid(body, len) || body[json_root(body, len)] != '{') return handoff_answer(fd, "no body not a JSON object\n");
  long long files, bytes;
  handoff_spool_usage(spool, &files, &bytes);
  if (files >= HANDOFF_SPOOL_FILES_MAX || bytes + (long long)len > HANDOFF_SPOOL_BYTES_MAX)
    return handoff_answer(fd, "no hand-off spool full\n");
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(tmp, sizeof tmp, ".%s.%d", key, (int)getpid());
  snprintf(name, sizeof name, "%013lld-%s.json", (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000, key);
  int out = openat(spool, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  size_t written = 0;
  while (out >= 0 && written < len) {
    ssize_t w = write(out, body + written, len - written);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    written += (size_t)w;
  }
  /* Synced, renamed, and the directory synced: "ok" promises the event survives this container's crash. */
  int stored = out >= 0 && written == len && fsync(out) == 0;
  if (out >= 0) close(out);
  if (stored && renameat(spool, tmp, spool, name) == 0 && fsync(spool) == 0) return handoff_answer(fd, "ok\n");
  unlinkat(spool, tmp, 0);
  return handoff_answer(fd, "no could not be stored\n");
}

/* The listener's loop (a child of the sweep): one short-lived child per connection, at most
 * HANDOFF_CONNECTIONS_MAX at once, so that a slow or silent client holds up no other. */
static void handoff_listen(int listener, int spool) {
  int active = 0;
  for (;;) {
    while (active > 0 && waitpid(-1, NULL, WNOHANG) > 0) active--;
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EINTR) {
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 100000000};
        nanosleep(&pause, NULL);
      }
      continue;
    }
    while (active >= HANDOFF_CONNECTIONS_MAX && waitpid(-1, NULL, 0) > 0) active--; /* each ends within 2 s */
    pid_t child = fork();
    if (child == 0) {
      close(listener);
      handoff_take(fd, spool);
      _exit(0);
    }
    if (child > 0) active++;
    close(fd);
  }
}

/* Binds the socket the managed settings name and starts the listener; its pid, or -1 (no hand-off). */
static pid_t handoff_start(int spool) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  const char *path = setting(CLAUDE_HOOK_HANDOFF_SOCKET);
  if (spool < 0 || !path || path[0] != '/' || strlen(path) >= sizeof address.sun_path) return -1;
  memcpy(address.sun_path, path, strlen(path) + 1);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(path); /* a socket left by this container's previous run */
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(listener, HANDOFF_CONNECTIONS_MAX * 4) != 0) {
    say(SWEEP, "cannot listen on %s (%s): hook events are not handed off", path, strerror(errno));
    if (listener >= 0) close(listener);
    return -1;
  }
  pid_t parent = getpid(), child = fork();
  if (child == 0) {
    /* It ends with the sweep, whoever stops that (a test stops the sweep by its pid). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    handoff_listen(listener, spool);
  }
  close(listener);
  return child;
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Delivers the spooled events, oldest first, until hook-ingest does not take one or the round's time is up. */
static void handoff_deliver(int spool) {
  static long long waiting_logged = -1;
  static char *names[HANDOFF_SPOOL_FILES_MAX];
  struct url u;
  int count = 0, delivered = 0, refused = 0;
  if (spool < 0 || !safe_header_value(setting(CLAUDE_TELEMETRY_TOKEN)) || url_parse(setting(HOOK_INGEST_URL), &u) != 0)
    return;
  int fd = openat(spool, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd < 0 ? NULL : fdopendir(fd);
  struct dirent *entry;
  if (!dir) {
    if (fd >= 0) close(fd);
    return;
  }
  while (count < HANDOFF_SPOOL_FILES_MAX && (entry = readdir(dir)))
    if (handoff_spool_name(entry->d_name) && (names[count] = strdup(entry->d_name))) count++;
  closedir(dir);
  qsort(names, (size_t)count, sizeof *names, compare_strings);
  long long round_end = now_ms() + HANDOFF_DELIVER_MS;
  for (int i = 0; i < count && left_ms(round_end) > 0; i++) {
    char key_header[64], path[128];
    size_t len;
    snprintf(path, sizeof path, "/proc/self/fd/%d/%s", spool, names[i]);
    unsigned char *body = read_file(path, HANDOFF_BODY_MAX, &len);
    if (!body) continue;
    snprintf(key_header, sizeof key_header, "X-Claude-Hook-Event-Key: %.32s\r\n", names[i] + 14);
    char *head = request_head("POST", &u, "/v1/hooks", "application/json", len, key_header);
    enum http_result r = head ? http_request(&u, head, body, len, now_ms() + HANDOFF_REQUEST_MS, &answer_buffer)
                              : HTTP_FAILED;
    free(body);
    if (r != HTTP_OK || hook_status_transient(answer_buffer.status)) break;
    if (answer_buffer.status < 300) {
      delivered++;
    } else {
      refused++;
      say(SWEEP, "hook-ingest refused a handed-off event (HTTP %d); dropped", answer_buffer.status);
    }
    unlinkat(spool, names[i], 0);
  }
  long long waiting = count - delivered - refused;
  if (delivered || refused || waiting != waiting_logged) {
    say(SWEEP, "handed-off hook events: %d delivered, %d refused by hook-ingest, %lld waiting", delivered, refused,
        waiting);
    waiting_logged = waiting;
  }
  for (int k = 0; k < count; k++) free(names[k]);
}

/* The delivery loop, a process of its own: a round of transcript uploads (up to 30 s per file, as many files as
 * the agent plants) holds up no hook event, and a slow hook-ingest holds up no transcript. */
static pid_t handoff_start_delivery(int spool, long long interval_ms) {
  pid_t parent = getpid(), child = spool < 0 ? -1 : fork();
  if (child != 0) return child;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  for (;;) {
    settings_reload(SWEEP);
    handoff_deliver(spool);
    struct timespec pause = {.tv_sec = interval_ms / 1000, .tv_nsec = (interval_ms % 1000) * 1000000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }
}

/* A crash mid-write leaves a temporary file that was never answered "ok": nobody waits for it. */
static void handoff_clean(int spool) {
  int fd = spool < 0 ? -1 : openat(spool, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd < 0 ? NULL : fdopendir(fd);
  struct dirent *entry;
  if (!dir) {
    if (fd >= 0) close(fd);
    return;
  }
  while ((entry = readdir(dir)))
    if (entry->d_name[0] == '.' && strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
      unlinkat(spool, entry->d_name, 0);
  closedir(dir);
}

/* claude-transcript-sweep <projects-dir> [<interval-seconds> [<quiet-seconds> [<hook-handoff-dir>]]]: runs until it
 * is stopped. With a hand-off directory it also takes and delivers claude-hook's undelivered events. */
static int transcript_sweep(int argc, char **argv) {
  if (argc < 2 || argv[1][0] != '/') {
    say(SWEEP, "usage: claude-transcript-sweep /home/<user>/.claude/projects [interval-seconds [quiet-seconds "
               "[hook-handoff-dir]]]");
    return 2;
  }
  long long interval_ms = argc > 2 ? atoll(argv[2]) * 1000 : 30000, quiet_ms = argc > 3 ? atoll(argv[3]) * 1000 : 60000;
  if (interval_ms < 1000 || interval_ms > 3600000) interval_ms = 30000;
  if (quiet_ms < 0 || quiet_ms > 86400000) quiet_ms = 60000;
  say(SWEEP, "sweeping %s every %lld s (files quiet for %lld s)", argv[1], interval_ms / 1000, quiet_ms / 1000);
  int spool = argc > 4 ? open(argv[4], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (argc > 4 && spool < 0) say(SWEEP, "cannot open %s (%s): hook events are not handed off", argv[4], strerror(errno));
  settings_reload(SWEEP);
  handoff_clean(spool);
  pid_t listener = handoff_start(spool), deliverer = handoff_start_delivery(spool, interval_ms);
  for (;;) {
    if (listener > 0 && waitpid(listener, NULL, WNOHANG) == listener) listener = handoff_start(spool);
    if (deliverer > 0 && waitpid(deliverer, NULL, WNOHANG) == deliverer)
      deliverer = handoff_start_delivery(spool, interval_ms);
    sweep_round(argv[1], quiet_ms);
    struct timespec pause = {.tv_sec = interval_ms / 1000, .tv_nsec = (interval_ms % 1000) * 1000000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }
}

/* ------------------------------------------------------------------ */

#ifdef HOOK_CLIENT_CONFIG_FROM_ENVIRONMENT
/*
 * local/run's build (target/local, never shipped to a pod): on a developer's own machine there are no managed
 * settings files, and local mode's settings (passed with --settings) give the same keys as env. A pod's agent
 * could set those variables; this build exists only where no agent is contained (local/README.md).
 */
static void settings_from_environment(void) {
  for (int k = 0; k < KEY_COUNT; k++) {
    const char *value = getenv(KEY_NAMES[k]);
    if (value && strlen(value) < SETTINGS_VALUE_MAX) {
      memcpy(settings[k], value, strlen(value) + 1);
      settings_set[k] = 1;
    }
  }
}
#endif

int main(int argc, char **argv) {
#ifdef HOOK_CLIENT_CONFIG_FROM_ENVIRONMENT
  settings_from_environment();
#endif
  /* Before anything else: nothing below, in this file or in libc, may see a variable the agent set. */
  clearenv();
  const char *name = argc > 0 && argv[0] ? argv[0] : "";
  const char *slash = strrchr(name, '/');
  name = slash ? slash + 1 : name;

  if (strcmp(name, "claude-guard") == 0) {
    settings_load("claude-guard");
    return guard();
  }
  if (strcmp(name, "claude-hook") == 0) {
    settings_load("claude-hook");
    return hook();
  }
  if (strcmp(name, "claude-transcript-sync") == 0) {
    settings_load(SYNC);
    return transcript_sync();
  }
  if (strcmp(name, "claude-transcript-sweep") == 0) return transcript_sweep(argc, argv);
  say("hook-client", "install me as claude-guard, claude-hook, claude-transcript-sync or claude-transcript-sweep");
  return 0;
}
