#!/bin/sh
# First start of the compose project: generates the JWT secret and the simulated BMCs'
# password into the secrets volume (mode 0600, owned by the image's user), once. A file that
# is already there is kept, so an operator may put their own in the volume beforehand.
set -eu
dir=${SECRETS_DIR:-/var/lib/switchboard/secrets}
umask 077
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('base64url'))"; }
[ -s "$dir/jwt-secret" ] || { random 48 >"$dir/jwt-secret.tmp" && mv "$dir/jwt-secret.tmp" "$dir/jwt-secret"; }
# ipmi_sim takes at most 20 characters, without spaces or quotes.
[ -s "$dir/bmc-password" ] || { random 12 >"$dir/bmc-password.tmp" && mv "$dir/bmc-password.tmp" "$dir/bmc-password"; }
echo "secrets ready in $dir"
