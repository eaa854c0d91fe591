// What the bench scripts share: the stack's readiness, the inventory of simulated BMCs and the
// secrets of a run.
const { randomBytes } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { mintToken } = require('@switchboard/auth');

/** Waits for `${url}/readyz` to answer 200, polling every 100 ms, up to `timeoutMs`. */
async function waitReady(url, timeoutMs = 30_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz not ready after ${timeoutMs / 1000} s`);
}

/**
 * Writes an inventory naming the fleet's BMCs bench001, bench002, ... (ipmi platform, the
 * password from BENCH_BMC_PASSWORD) and returns the names.
 */
function writeBenchInventory(file, fleet) {
  const names = fleet.bmcs.map((_, i) => `bench${String(i + 1).padStart(3, '0')}`);
  writeFileSync(
    file,
    [
      'static_nodes:',
      ...fleet.bmcs.map(
        (b, i) =>
          `  ${names[i]}: { platform: ipmi, bmc: { host: ${b.host}, port: ${b.port}, ` +
          `username: ADMIN, password_env: BENCH_BMC_PASSWORD } }`,
      ),
    ].join('\n') + '\n',
  );
  return names;
}

/** A run's BMC password, JWT secret and an admin token's Authorization header. */
function benchSecrets() {
  const password = randomBytes(9).toString('base64url');
  const jwtSecret = randomBytes(48).toString('base64url');
  const token = mintToken({ subject: 'bench', scopes: ['admin'], days: 1 }, jwtSecret);
  return { password, jwtSecret, token, auth: { authorization: `Bearer ${token}` } };
}

module.exports = { waitReady, writeBenchInventory, benchSecrets };
