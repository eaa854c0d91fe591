#!/usr/bin/env bash
# Switchboard's sandbox on a local KIND cluster: creates the cluster (kind-config.yaml), builds
# the image and its sandbox-bmcs target, loads them into the nodes, creates the Secrets,
# applies overlays/sandbox, waits for the rollouts, and prints a token and the mctl line.
# Needs kind, kubectl and docker, and a registry for kind's node image and nats:2.10-alpine.
#   deploy/kind/up.sh            (KIND_CLUSTER=switchboard, BASE_IMAGE=node:20-bookworm-slim)
#   deploy/kind/down.sh          removes the cluster
set -euo pipefail
cd "$(dirname "$0")/../.."
cluster=${KIND_CLUSTER:-switchboard}
base_image=${BASE_IMAGE:-node:20-bookworm-slim}
ns=switchboard
for cmd in kind kubectl docker node; do
  command -v "$cmd" >/dev/null || { echo "up.sh: $cmd is not installed" >&2; exit 1; }
done

if ! kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --config deploy/kind/kind-config.yaml
fi
kubectl config use-context "kind-$cluster" >/dev/null

docker build --build-arg "BASE_IMAGE=$base_image" -t switchboard:local .
docker build --target sandbox-bmcs --build-arg "BASE_IMAGE=$base_image" -t switchboard-sandbox-bmcs:local .
kind load docker-image --name "$cluster" switchboard:local switchboard-sandbox-bmcs:local

# Secrets: generated once, kept when up.sh runs again; the values go through stdin only.
kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('base64url'))"; }
ensure_secret() { # name key bytes
  kubectl -n "$ns" get secret "$1" >/dev/null 2>&1 && return 0
  random "$3" | kubectl -n "$ns" create secret generic "$1" --from-file="$2=/dev/stdin" >/dev/null
  echo "created Secret $1"
}
ensure_secret switchboard-jwt jwt-secret 48
# The simulated BMCs' password (ipmi_sim takes at most 20 characters). For real BMCs, create
# switchboard-bmc yourself with their password before running up.sh.
ensure_secret switchboard-bmc bmc-password 12
# NATS credentials (issue 11) will be created here the same way.

kubectl apply -k deploy/kind/overlays/sandbox
kubectl -n "$ns" rollout status statefulset/nats --timeout=5m
for d in sandbox-bmcs api controller; do
  kubectl -n "$ns" rollout status "deployment/$d" --timeout=5m
done

token=$(kubectl -n "$ns" exec deploy/api -- \
  conditions-api generate-token --subject kind-admin --scope read,write,admin --days 1)
cat <<EOT

Switchboard is up on KIND cluster "$cluster" (namespace $ns), API on http://127.0.0.1:9001.
  export MCTL_URL=http://127.0.0.1:9001 MCTL_TOKEN=$token
  npx mctl power on node[01-04]
Remove it with deploy/kind/down.sh.
EOT
