#!/usr/bin/env bash
# Power a node off: an Azure VM, through the Azure CLI, logged in as the
# controller's user (az login, or a managed identity of the machine it runs on).
set -euo pipefail

: "${azure_resource_id:?node ${name} has no azure_resource_id attribute (the full resource id of its VM)}"

exec az vm deallocate --ids "$azure_resource_id"
