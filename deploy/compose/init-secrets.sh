#!/bin/sh
# First start of the compose project: generates the JWT secret, the condition signing key and
# the simulated BMCs' password into the secrets volume, and the NATS credentials (mode 0600, owned by the image's
# user), once. A file that
# is already there is kept, so an operator may put their own in the volume beforehand.
set -eu
dir=${SECRETS_DIR:-/var/lib/switchboard/secrets}
umask 077
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('base64url'))"; }
[ -s "$dir/jwt-secret" ] || { random 48 >"$dir/jwt-secret.tmp" && mv "$dir/jwt-secret.tmp" "$dir/jwt-secret"; }
# The key the APIs sign conditions with and the controllers check them by.
[ -s "$dir/condition-signing-key" ] || { random 48 >"$dir/condition-signing-key.tmp" && mv "$dir/condition-signing-key.tmp" "$dir/condition-signing-key"; }
# ipmi_sim takes at most 20 characters, without spaces or quotes.
[ -s "$dir/bmc-password" ] || { random 12 >"$dir/bmc-password.tmp" && mv "$dir/bmc-password.tmp" "$dir/bmc-password"; }
# NATS: a user per role (api, controller) and the route user, generated once by the same code
# as the sandbox's and kept in nats-credentials; each container's volume gets only its own part.
nats=/var/lib/switchboard
nats-credentials "$nats/nats-credentials" \
  --route nats://nats-1:6222 --route nats://nats-2:6222 --route nats://nats-3:6222 >/dev/null
cp "$nats/nats-credentials/users.conf" "$nats/nats-credentials/routes.conf" "$nats/nats-auth/"
cp "$nats/nats-credentials/api.password" "$nats/nats-api/password"
cp "$nats/nats-credentials/controller.password" "$nats/nats-controller/password"
chmod 0600 "$nats"/nats-auth/* "$nats/nats-api/password" "$nats/nats-controller/password"
echo "secrets ready in $dir and $nats/nats-*"
