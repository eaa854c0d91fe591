#!/usr/bin/env node
import { Command } from 'commander';
import { isIPv4 } from 'node:net';
import { startSimulatedFleet } from '@switchboard/bmc-sim';
import { loadInventory } from '@switchboard/inventory';
import { createLogger } from '@switchboard/logging';

/**
 * The sandbox's simulated BMCs alone, for a container of their own (docker-compose's and
 * KIND's sandbox): one ipmi_sim per IPMI server of the inventory, on the inventory's port and
 * credentials, but listening on --listen (the container's addresses) instead of the
 * inventory's host, which there is this container's service name.
 */
const program = new Command('sandbox-bmcs')
  .description('Run one simulated BMC (ipmi_sim) per IPMI server of the inventory')
  .requiredOption('-i, --inventory <file>', 'inventory file', process.env.INVENTORY_FILE)
  .option('-l, --listen <address>', 'IPv4 address to listen on', '0.0.0.0')
  .option('-d, --data-dir <dir>', 'simulated BMC state', process.env.SWITCHBOARD_DATA_DIR ?? '.')
  .parse();

async function main(): Promise<void> {
  const o = program.opts<{ inventory: string; listen: string; dataDir: string }>();
  const log = createLogger('sandbox-bmcs');
  if (!isIPv4(o.listen)) program.error(`--listen must be an IPv4 address, got "${o.listen}"`);
  const inventory = loadInventory(o.inventory);
  const specs = inventory.servers
    .filter((s) => s.driver === 'ipmi' && s.bmc)
    .map((s) => {
      if (!s.bmc!.password) throw new Error(`node "${s.name}": no BMC password in the inventory`);
      return {
        name: s.name,
        host: o.listen,
        port: s.bmc!.port,
        username: s.bmc!.username,
        password: s.bmc!.password,
      };
    });
  if (specs.length === 0) throw new Error(`${o.inventory}: no IPMI servers to simulate`);
  const fleet = await startSimulatedFleet(specs, { baseDir: `${o.dataDir}/bmc-sim` });
  log.info(
    {
      event: 'sandbox_bmcs.started',
      bmcs: fleet.bmcs.map((b) => `${b.name}@${b.host}:${b.port}`),
    },
    `${fleet.bmcs.length} simulated BMCs up`,
  );
  const stop = (signal: string) => {
    log.info({ event: 'sandbox_bmcs.stopping', signal }, 'stopping');
    void fleet.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`sandbox-bmcs: ${err.message}\n`);
  process.exit(1);
});
