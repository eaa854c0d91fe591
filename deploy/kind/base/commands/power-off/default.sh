#!/usr/bin/env bash
# Runs on nodes none of whose ranks has a script here: say which node, and what would work.
set -euo pipefail

echo "power-off: node ${name} has none of the ranks this command supports (ipmi, aws, azure);" \
  "add one of them to the node's ranks in the inventory" >&2
exit 1
