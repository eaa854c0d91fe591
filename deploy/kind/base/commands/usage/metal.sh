#!/usr/bin/env bash
# Real hardware: run uptime on the node itself. Needs SSH from the controller's user to the
# node without a password or prompt (BatchMode); see metadata.yaml.
set -euo pipefail

exec ssh -o BatchMode=yes -o ConnectTimeout=10 -- "$name" uptime
