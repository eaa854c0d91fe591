#!/usr/bin/env bash
# The sandbox's nodes are simulated, so there is no machine to ask: this reports the load of
# the machine the controller runs on, and says so, naming the node it was asked about.
set -euo pipefail

echo "node ${name}: simulated; load of $(uname -n), where the controller runs:"
uptime
