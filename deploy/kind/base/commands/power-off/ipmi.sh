#!/usr/bin/env bash
# Power a node off through its BMC. The password arrives as IPMI_PASSWORD (from the variable
# the node's bmc_password_env names) and reaches ipmitool through -E, never through argv.
set -euo pipefail

: "${bmc_host:?node ${name} has no bmc_host attribute: where is its BMC?}"
: "${IPMI_PASSWORD:?no BMC password for node ${name}: set bmc_password_env on the node to a variable the controller allows as a secret}"

exec ipmitool -I lanplus -C "${bmc_cipher_suite:-3}" -H "$bmc_host" -p "${bmc_port:-623}" \
  -U "${bmc_username:-ADMIN}" -E chassis power off
