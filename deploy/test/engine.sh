#!/usr/bin/env bash
# Starts and stops a private Docker engine (Debian's docker.io) for the container tests:
#   engine.sh install          apt-get the engine, docker-compose and debootstrap (root)
#   engine.sh start DIR        dockerd with its data, state and socket under DIR; prints the
#                              DOCKER_HOST to use; fails loudly when the engine cannot start
#   engine.sh stop DIR         stops that dockerd (and its containerd) by PID, removes the
#                              bridges it created
#
# Nothing a container sends may leave this machine. The engine runs with --iptables=false,
# --ip-forward=false and --ip-masq=false and no default bridge: no NAT, no forwarding, so a
# container reaches other containers and this host's own addresses only. Published ports
# still work (docker-proxy, a host process, connects to the container). start refuses to run
# when IPv4 forwarding is already on in this namespace, since then a bridge could route out.
set -euo pipefail

cmd=${1:-}
dir=${2:-}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v debootstrap >/dev/null || missing+=(debootstrap debian-archive-keyring)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { echo "engine: need root to install ${missing[*]}" >&2; return 1; }
  echo "engine: installing ${missing[*]}" >&2
  apt-get update -qq
  # Debian's policy-rc.d (or none) decides whether the package's init script starts an
  # engine of its own; ours is started below with its own data root either way.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

bridges() { ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | sort; }

start() {
  [ -n "$dir" ] || { echo "usage: engine.sh start DIR" >&2; return 2; }
  [ "$(id -u)" -eq 0 ] || { echo "engine: dockerd needs root" >&2; return 1; }
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 0 ]; then
    echo "engine: IPv4 forwarding is on here; containers could route off this machine." >&2
    echo "engine: refusing to start (turn net.ipv4.ip_forward off first)" >&2
    return 1
  fi
  mkdir -p "$dir"
  bridges >"$dir/bridges.before"
  dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" \
    --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    --containerd-namespace switchboard-test --containerd-plugins-namespace switchboard-test-p \
    >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.launched"
  for _ in $(seq 1 60); do
    if DOCKER_HOST="unix://$dir/docker.sock" docker info >/dev/null 2>&1; then
      echo "unix://$dir/docker.sock"
      return 0
    fi
    kill -0 "$(cat "$dir/dockerd.launched")" 2>/dev/null || break
    sleep 0.5
  done
  echo "engine: THE DOCKER ENGINE DID NOT START; the container tests cannot run. Its log:" >&2
  tail -30 "$dir/dockerd.log" >&2
  stop || true
  return 1
}

stop() {
  [ -n "$dir" ] || { echo "usage: engine.sh stop DIR" >&2; return 2; }
  local pid=
  [ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid")
  [ -z "$pid" ] && [ -f "$dir/dockerd.launched" ] && pid=$(cat "$dir/dockerd.launched")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  # containerd started by that dockerd (managed, under our exec root) exits with it; a stuck
  # one is found by its config path, which only ours has.
  local containerd
  containerd=$(pgrep -f -- "--config $dir/exec/containerd/containerd.toml" || true)
  [ -n "$containerd" ] && kill -TERM $containerd 2>/dev/null
  if [ -f "$dir/bridges.before" ]; then
    comm -13 "$dir/bridges.before" <(bridges) | while read -r br; do
      ip link del "$br" 2>/dev/null && echo "engine: removed bridge $br" >&2
    done
  fi
  rm -f "$dir/dockerd.launched"
}

case "$cmd" in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: engine.sh install | start DIR | stop DIR" >&2; exit 2 ;;
esac
