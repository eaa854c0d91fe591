#!/usr/bin/env bash
# Builds the Switchboard image and its sandbox-bmcs target for the container tests, without
# the registry: on the local base image (deploy/local-base-image.sh), from a build context
# holding this checkout's files and an npm cache copied from the host, with --network none so
# no step can download anything.
#   build-images.sh BASE_IMAGE IMAGE SANDBOX_IMAGE
set -euo pipefail
base=${1:?base image}
image=${2:?image name}
sandbox_image=${3:?sandbox-bmcs image name}
root=$(cd "$(dirname "$0")/../.." && pwd)

ctx=$(mktemp -d /var/tmp/switchboard-context.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
# Tracked and new files, as .gitignore and .dockerignore would select them.
(cd "$root" && git ls-files -z -co --exclude-standard | xargs -0 -I{} cp --parents -d {} "$ctx"/ 2>/dev/null) ||
  (cd "$root" && git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$ctx")
# An npm cache with every package of the lock lets npm ci run --offline in the build. It
# starts as a copy of the host's cache (its tmp/ left out: other npm processes may write
# there); then the npm of the base image, run here on the host, fills what is missing (the
# lock names no tarball URLs, so npm also needs the packuments it asks for).
host_cache=$(npm config get cache)
mkdir -p "$ctx/.npm-offline-cache/_cacache"
for part in index-v5 content-v2; do
  [ -d "$host_cache/_cacache/$part" ] && cp -a "$host_cache/_cacache/$part" "$ctx/.npm-offline-cache/_cacache/"
done
base_npm=$(docker run --rm --network none "$base" npm --version)
(cd "$ctx" && npm pack --silent "npm@$base_npm" >/dev/null && mkdir .npm-tool &&
  tar -xzf "npm-$base_npm.tgz" -C .npm-tool --strip-components=1 && rm "npm-$base_npm.tgz")
(cd "$ctx" && node .npm-tool/bin/npm-cli.js ci --prefer-offline --ignore-scripts --no-audit \
  --no-fund --cache "$ctx/.npm-offline-cache" >"$ctx.npm.log" 2>&1) ||
  { tail -20 "$ctx.npm.log" >&2; rm -f "$ctx.npm.log"; exit 1; }
rm -rf "$ctx.npm.log" "$ctx/.npm-tool" "$ctx/node_modules" "$ctx"/*/*/node_modules

for target in runtime sandbox-bmcs; do
  tag=$image
  [ "$target" = sandbox-bmcs ] && tag=$sandbox_image
  echo "build-images: $tag (target $target, base $base)" >&2
  DOCKER_BUILDKIT=0 docker build --network none --target "$target" \
    --build-arg "BASE_IMAGE=$base" --build-arg NPM_CACHE=.npm-offline-cache \
    -t "$tag" "$ctx" >"$ctx.$target.log" 2>&1 || {
    tail -40 "$ctx.$target.log" >&2
    rm -f "$ctx.$target.log"
    exit 1
  }
  rm -f "$ctx.$target.log"
done
