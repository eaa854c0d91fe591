#!/usr/bin/env bash
# Debian packages Switchboard runs and tests against. Installs them with apt-get when run
# as root; otherwise names them and stops.
set -euo pipefail
declare -A provides=([nats-server]=nats-server [ipmitool]=ipmitool [ipmi_sim]=openipmi [ipmipower]=freeipmi-tools)
missing=()
for cmd in "${!provides[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${provides[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Switchboard needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
