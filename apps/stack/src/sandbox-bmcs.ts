import { join } from 'node:path';
import { SimulatedFleet, startSimulatedFleet } from '@switchboard/bmc-sim';
import type { Inventory } from '@switchboard/inventory';

/**
 * One simulated BMC per IPMI server of the inventory, on the address and port the
 * inventory gives it, with the inventory's credentials: the stack then drives it
 * exactly as it would drive real hardware.
 */
export async function startSandboxBmcs(
  inventory: Inventory,
  dataDir: string,
): Promise<SimulatedFleet> {
  const specs = inventory.servers
    .filter((s) => s.driver === 'ipmi' && s.bmc)
    .map((s) => {
      const bmc = s.bmc!;
      if (!bmc.password)
        throw new Error(
          `${inventory.file}:${s.line}: node "${s.name}": the sandbox needs a BMC ` +
            `password for the simulated BMC`,
        );
      return {
        name: s.name,
        host: bmc.host,
        port: bmc.port,
        username: bmc.username,
        password: bmc.password,
      };
    });
  return startSimulatedFleet(specs, { baseDir: join(dataDir, 'bmc-sim') });
}
