#!/usr/bin/env bash
# The BMC's event log. The password arrives as IPMI_PASSWORD (from the variable the node's
# bmc_password_env names) and goes to ipmitool through -E, so it never shows in argv (ps).
set -euo pipefail

: "${bmc_host:?node ${name} has no bmc_host attribute: where is its BMC?}"
: "${IPMI_PASSWORD:?no BMC password for node ${name}: set bmc_password_env on the node to a variable the controller allows as a secret}"

exec ipmitool -I lanplus -C "${bmc_cipher_suite:-3}" -H "$bmc_host" -p "${bmc_port:-623}" \
  -U "${bmc_username:-ADMIN}" -E sel list
