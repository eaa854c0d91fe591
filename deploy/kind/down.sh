#!/usr/bin/env bash
# Deletes the KIND cluster up.sh created (and with it every object and volume in it).
set -euo pipefail
cluster=${KIND_CLUSTER:-switchboard}
command -v kind >/dev/null || { echo "down.sh: kind is not installed" >&2; exit 1; }
kind delete cluster --name "$cluster"
