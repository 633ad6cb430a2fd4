#!/bin/sh
# Builds every image a claude-telemetry release runs:
#   - hook-ingest, policy-service, transcript-service with Jib (the root pom's `images` profile adds
#     quarkus-container-image-jib; no Dockerfile, no Docker daemon needed for Jib itself when pushing),
#   - claude-code from k8s/claude-code-image/Dockerfile with docker (or podman via DOCKER=podman).
# Usage: k8s/build-images.sh [--push]
#   REGISTRY (default ghcr.io/claude-telemetry) and TAG (default: the project version) name the images; they
#   must match the chart's global.imageRegistry / global.imageTag.
# This machine has no Docker and no registry, so the script is not run in CI here.
set -eu

cd "$(dirname "$0")/.."
REGISTRY=${REGISTRY:-ghcr.io/claude-telemetry}
TAG=${TAG:-$(mvn -B -q -N help:evaluate -Dexpression=project.version -DforceStdout)}
DOCKER=${DOCKER:-docker}
PUSH=false
[ "${1:-}" = "--push" ] && PUSH=true

registry_host=${REGISTRY%%/*}
registry_group=${REGISTRY#*/}

echo "build-images: services -> ${REGISTRY}/<service>:${TAG} (push=${PUSH})"
mvn -B -ntp -Pimages package -DskipTests \
  -pl policy-service,hook-ingest,transcript-service \
  -Dquarkus.container-image.build=true \
  -Dquarkus.container-image.push="${PUSH}" \
  -Dquarkus.container-image.registry="${registry_host}" \
  -Dquarkus.container-image.group="${registry_group}" \
  -Dquarkus.container-image.tag="${TAG}"

CLAUDE_CODE_VERSION=$(cat e2e-tests/claude-code.version)
echo "build-images: claude-code ${CLAUDE_CODE_VERSION} -> ${REGISTRY}/claude-code:${TAG} (sudo variant: ${TAG}-sudo)"
"$DOCKER" build --build-arg CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION}" \
  -t "${REGISTRY}/claude-code:${TAG}" k8s/claude-code-image
"$DOCKER" build --build-arg CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION}" --build-arg ENABLE_SUDO=true \
  -t "${REGISTRY}/claude-code:${TAG}-sudo" k8s/claude-code-image
if [ "$PUSH" = true ]; then
  "$DOCKER" push "${REGISTRY}/claude-code:${TAG}"
  "$DOCKER" push "${REGISTRY}/claude-code:${TAG}-sudo"
fi
