#!/usr/bin/env bash
# Show whether a node is powered on: an Azure VM, through the Azure CLI, in OpenFlight's words
# (ON, OFF, PENDING, STOPPING, SLEEPING for a VM stopped but not deallocated, still billed),
# logged in as the controller's user (az login, or a managed identity of the machine it runs on).
set -euo pipefail

: "${azure_resource_id:?node ${name} has no azure_resource_id attribute (the full resource id of its VM)}"

status=$(az vm get-instance-view --ids "$azure_resource_id" \
  --query "instanceView.statuses[?starts_with(code, 'PowerState/')].code | [0]" --output tsv)
case "$status" in
  PowerState/running) echo ON ;;
  PowerState/deallocated) echo OFF ;;
  PowerState/starting) echo PENDING ;;
  PowerState/deallocating) echo STOPPING ;;
  PowerState/stopping | PowerState/stopped) echo SLEEPING ;;
  *) echo "unknown status: $status" >&2; exit 1 ;;
esac
