#!/usr/bin/env bash
# Builds the four images a claude-telemetry release runs, from the Dockerfiles in k8s/:
#   <REGISTRY>/hook-ingest:<TAG>, policy-service, transcript-service   k8s/service-image/Dockerfile
#   <REGISTRY>/claude-code:<TAG> and claude-code:<TAG>-sudo           k8s/claude-code-image/Dockerfile
#
# Usage: REGISTRY=R TAG=T k8s/build-images.sh [--offline | --push] [--no-maven]
#   (default)    public Debian base (docker.io/library/debian:bookworm-slim, pulled), images left in the daemon
#   --push       the same, then pushed to REGISTRY
#   --offline    pulls nothing: the Debian base is made here with debootstrap (from the Debian mirror) and
#                imported into the daemon; the ADIOS MCP server (installed from GitHub) is left out, with a note
#   --no-maven   use the jars and k8s/claude-code/bin already built (`mvn -B -ntp package`), do not run Maven
# Environment:
#   REGISTRY         default ghcr.io/claude-telemetry (must match the chart's global.imageRegistry)
#   TAG              default: the project version (the chart's global.imageTag)
#   EXTRA_CA_CERTS   a PEM file (one or more certificates) or a directory of *.crt/*.pem files: CAs the builds
#                    and the images must trust, e.g. a corporate TLS proxy's (npm fails without it behind one)
#   BASE_IMAGE       the Debian bookworm base to build on (default: see above)
#   DEBIAN_MIRROR    mirror for debootstrap and apt in an offline base (default http://deb.debian.org/debian)
#   DOCKER           docker (default) or podman; DOCKER_HOST selects the daemon
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
DOCKER=${DOCKER:-docker}
REGISTRY=${REGISTRY:-ghcr.io/claude-telemetry}
mode=online
maven=true
for arg in "$@"; do
  case "$arg" in
    --offline) mode=offline ;;
    --push) mode=push ;;
    --no-maven) maven=false ;;
    *) echo "build-images: unknown argument $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ -z "${TAG:-}" ]; then
  TAG=$(mvn -B -q -N help:evaluate -Dexpression=project.version -DforceStdout)
fi
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
claude_code_version=$(cat e2e-tests/claude-code.version)
started=$(date +%s)

log() { echo "build-images: $*"; }

if [ "$maven" = true ]; then
  # The whole reactor: k8s/claude-code/bin may hold what a module builds, not only checked-in scripts.
  log "mvn package"
  t0=$(date +%s)
  mvn -B -ntp -q -Dstyle.color=never package -DskipTests
  log "  packaged in $(($(date +%s) - t0)) s"
fi
for service in hook-ingest policy-service transcript-service; do
  if [ ! -f "$service/target/quarkus-app/quarkus-run.jar" ]; then
    echo "build-images: $service/target/quarkus-app is missing; run mvn -B -ntp package -DskipTests" >&2
    exit 1
  fi
done

# The offline base: Debian's minimal bootstrap from the Debian mirror, imported as an image. Reused while it is
# younger than a week; a new base changes the parent of every layer, so nothing older is reused with it.
offline_base() {
  local name=claude-telemetry-build/debian:bookworm-minbase created now root
  created=$("$DOCKER" image inspect --format '{{ index .Config.Labels "dev.claudetelemetry.base-created" }}' \
    "$name" 2>/dev/null || true)
  now=$(date +%s)
  if [ -n "$created" ] && [ $((now - created)) -lt $((7 * 86400)) ]; then
    log "offline base $name (made $(date -u -d "@$created" +%F))" >&2
    echo "$name"
    return
  fi
  command -v debootstrap >/dev/null || { echo "build-images: --offline needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  root=$(mktemp -d "${TMPDIR:-/tmp}/ct-base.XXXXXX")
  log "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR" >&2
  local t0
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; exit 1; }
  # The images' apt-get upgrade then brings the point release's and the security fixes.
  cat >"$root/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb ${DEBIAN_MIRROR%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change "LABEL dev.claudetelemetry.base-created=$now" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
  rm -rf "$root" "$root.log"
  log "  base made and imported in $(($(date +%s) - t0)) s" >&2
  echo "$name"
}

build_args=(--network host)
adios=true
case "$mode" in
  offline)
    BASE_IMAGE=${BASE_IMAGE:-$(offline_base)}
    build_args+=(--pull=false)
    adios=false
    echo "build-images: NOTE: --offline leaves the ADIOS MCP server out of claude-code (it installs from GitHub)"
    ;;
  *)
    BASE_IMAGE=${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
    build_args+=(--pull)
    ;;
esac
build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")

# Each image is built from a context assembled here (hard links where possible), so the daemon is sent only
# what the image needs, and the extra CAs sit where the Dockerfiles expect them.
staging="$repo/target/image-build"
rm -rf "$staging"
mkdir -p "$staging"
stage_extra_ca() {
  local into=$1/extra-ca file n
  mkdir -p "$into"
  [ -n "${EXTRA_CA_CERTS:-}" ] || return 0
  n=0
  while IFS= read -r file; do
    # One certificate per .crt file: update-ca-certificates and the JRE's trust store take one per file.
    awk -v dir="$into" -v base="extra-$n" '
      /-----BEGIN CERTIFICATE-----/ { c++; out = sprintf("%s/%s-%d.crt", dir, base, c) }
      c && out { print > out }
      /-----END CERTIFICATE-----/ { close(out); out = "" }' "$file"
    n=$((n + 1))
  done < <(if [ -d "$EXTRA_CA_CERTS" ]; then find "$EXTRA_CA_CERTS" -maxdepth 1 -type f \( -name '*.crt' -o -name '*.pem' \) | sort; else echo "$EXTRA_CA_CERTS"; fi)
  [ "$n" -gt 0 ] || { echo "build-images: EXTRA_CA_CERTS=$EXTRA_CA_CERTS holds no certificate" >&2; exit 1; }
}
copy_tree() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }

for service in hook-ingest policy-service transcript-service; do
  ctx="$staging/$service"
  mkdir -p "$ctx"
  cp k8s/service-image/Dockerfile "$ctx/"
  copy_tree "$service/target/quarkus-app" "$ctx/app"
  stage_extra_ca "$ctx"
  log "$REGISTRY/$service:$TAG"
  t0=$(date +%s)
  "$DOCKER" build "${build_args[@]}" --build-arg "SERVICE=$service" -t "$REGISTRY/$service:$TAG" "$ctx" \
    >"$staging/$service.log" 2>&1 || { tail -n 40 "$staging/$service.log" >&2; exit 1; }
  log "  built in $(($(date +%s) - t0)) s"
done

ctx="$staging/claude-code"
mkdir -p "$ctx"
cp k8s/claude-code-image/Dockerfile k8s/claude-code-image/managed-mcp.json \
  k8s/claude-code-image/claude-code-workspace k8s/claude-code/managed-settings.json "$ctx/"
copy_tree k8s/claude-code/bin "$ctx/bin"
stage_extra_ca "$ctx"
for sudo in false true; do
  suffix=""
  [ "$sudo" = true ] && suffix="-sudo"
  log "$REGISTRY/claude-code:$TAG$suffix (Claude Code $claude_code_version)"
  t0=$(date +%s)
  "$DOCKER" build "${build_args[@]}" --build-arg "CLAUDE_CODE_VERSION=$claude_code_version" \
    --build-arg "ADIOS_MCP=$adios" --build-arg "ENABLE_SUDO=$sudo" \
    -t "$REGISTRY/claude-code:$TAG$suffix" "$ctx" >"$staging/claude-code$suffix.log" 2>&1 \
    || { tail -n 40 "$staging/claude-code$suffix.log" >&2; exit 1; }
  log "  built in $(($(date +%s) - t0)) s"
done

if [ "$mode" = push ]; then
  for image in hook-ingest policy-service transcript-service claude-code; do
    "$DOCKER" push "$REGISTRY/$image:$TAG"
  done
  "$DOCKER" push "$REGISTRY/claude-code:$TAG-sudo"
fi
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -F "$REGISTRY/" | grep -F ":$TAG" \
  | sed 's/^/build-images: /'
log "done in $(($(date +%s) - started)) s"
