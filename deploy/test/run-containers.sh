#!/usr/bin/env bash
# The container test, part of every `npm test` (scripts/test.sh calls it
# unless SWITCHBOARD_CONTAINER_TESTS=0): installs Debian's docker.io, docker-compose and debootstrap,
# starts a private engine, runs deploy/test/containers/*.spec.ts with Jest (report in
# .test-results/containers.json), and stops the engine, its containers and bridges whatever
# happens. Without an engine there is no report, and the totals count that as a failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Under /var/lib, not /tmp: a temporary-file sweep must not pull the images from under dockerd.
engine_dir=${SWITCHBOARD_ENGINE_DIR:-/var/lib/switchboard-test-engine-$$}
engine=$root/deploy/test/engine.sh

loud() { printf '\n!!! container test: %s\n\n' "$*" >&2; }

if ! bash "$engine" install; then
  loud "could not install docker.io, docker-compose and debootstrap: NOT RUN, counted as failed"
  exit 1
fi
cleanup() {
  bash "$engine" stop "$engine_dir"
  rm -rf "$engine_dir"
}
trap cleanup EXIT
if ! DOCKER_HOST=$(bash "$engine" start "$engine_dir"); then
  loud "the Docker engine did not start on this machine: NOT RUN, counted as failed"
  exit 1
fi
export DOCKER_HOST
cd "$root/deploy" && npx jest --config jest.containers.config.js --runInBand \
  --json --outputFile=../.test-results/containers.json
