#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { foldNames } from '@switchboard/inventory';
import { createLogger } from '@switchboard/logging';
import { startStack } from './stack';

const repoRoot = resolve(__dirname, '..', '..', '..');

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9)
    throw new InvalidArgumentError(`expected a count from 1 to 9, got "${value}"`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`expected a port number 1-65535, got "${value}"`);
  return n;
}

const program = new Command('switchboard-stack')
  .description(
    'Run the whole Switchboard system on this machine: nats-server (unless NATS_URL is ' +
      'set) with generated credentials, a user per role (NATS_TLS_CERT_FILE and ' +
      'NATS_TLS_KEY_FILE turn TLS on), the Conditions API and the controller.',
  )
  .option(
    '--sandbox',
    'also start one simulated BMC (ipmi_sim) per IPMI server of the inventory',
    false,
  )
  .option(
    '-i, --inventory <file>',
    'inventory file (topology.yaml / nodes.yaml); default: $INVENTORY_FILE, or the ' +
      'sandbox example with --sandbox',
  )
  .option(
    '-d, --data-dir <dir>',
    'JetStream storage, generated secrets (NATS credentials, JWT secret) and sandbox state',
    process.env.SWITCHBOARD_DATA_DIR ?? resolve(repoRoot, '.data'),
  )
  .option(
    '-c, --commands <dir>',
    'OpenFlight Action commands directory; default: $COMMANDS_DIR, or examples/commands ' +
      'with --sandbox',
  )
  .option('-p, --port <port>', 'API port', port, Number(process.env.PORT ?? 9001))
  .option(
    '--nats-port <port>',
    'port of the embedded nats-server (a cluster: the first)',
    port,
    4222,
  )
  .option(
    '--nats-cluster <n>',
    'start a NATS cluster of n servers (routes on 6222.., monitoring on 8222..)',
    count,
    1,
  )
  .option('--nats-cluster-port <port>', 'first route port of the cluster', port, 6222)
  .option('--nats-monitor-port <port>', 'first HTTP monitoring port of the cluster', port, 8222)
  .option('--apis <n>', 'Conditions API processes, on consecutive ports from --port', count, 1)
  .option('--controllers <n>', 'controller processes', count, 1)
  .option('--cluster', 'shorthand for --nats-cluster 3 --apis 2 --controllers 3', false)
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  switchboard-stack --sandbox',
      '  switchboard-stack --sandbox --cluster      # 3 nats-servers, 2 APIs, 3 controllers',
      '  NATS_URL=nats://10.0.0.5:4222,nats://10.0.0.6:4222 switchboard-stack -i topology.yaml',
    ].join('\n'),
  );

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    sandbox: boolean;
    inventory?: string;
    commands?: string;
    dataDir: string;
    port: number;
    natsPort: number;
    natsCluster: number;
    natsClusterPort: number;
    natsMonitorPort: number;
    apis: number;
    controllers: number;
    cluster: boolean;
  }>();
  if (o.cluster) Object.assign(o, { natsCluster: 3, apis: 2, controllers: 3 });
  const log = createLogger('switchboard-stack');
  const inventoryFile =
    o.inventory ??
    process.env.INVENTORY_FILE ??
    (o.sandbox ? resolve(repoRoot, 'examples/sandbox/topology.yaml') : undefined);
  if (!inventoryFile) {
    return program.error(
      'no inventory: pass --inventory FILE, set INVENTORY_FILE, or use --sandbox',
    );
  }
  const stack = await startStack({
    inventoryFile,
    dataDir: o.dataDir,
    logger: log,
    natsUrl: process.env.NATS_URL,
    natsPort: o.natsPort,
    natsCluster: o.natsCluster,
    natsClusterPort: o.natsClusterPort,
    natsMonitorPort: o.natsMonitorPort,
    apiPort: o.port,
    apis: o.apis,
    controllers: o.controllers,
    sandbox: o.sandbox,
    commandsDir:
      o.commands ??
      process.env.COMMANDS_DIR ??
      (o.sandbox ? resolve(repoRoot, 'examples/commands') : undefined),
  });
  process.stdout.write(
    [
      `Switchboard is up${o.sandbox ? ' (sandbox)' : ''}.`,
      ...stack.apiUrls.map(
        (url, i) =>
          `${`  API${stack.apiUrls.length > 1 ? ` ${i + 1}` : ''}:`.padEnd(14)}` +
          `${url}/api/v1  (docs: ${url}/api/v1/docs)`,
      ),
      `  NATS:       ${stack.natsUrl}` +
        (stack.natsCluster
          ? ` (cluster of ${stack.natsCluster.members.length}, ${stack.natsReplicas} replicas)`
          : ''),
      ...(stack.natsCredentials
        ? [
            `  NATS users: api, controller (least privilege; passwords in ` +
              `${stack.natsCredentials.dir}, mode 0600)`,
          ]
        : []),
      `  controllers: ${stack.controllers.length}`,
      `  inventory:  ${stack.inventoryFile} (${foldNames(stack.servers)})`,
      ...(stack.bmcs
        ? [
            `  simulated BMCs: ${foldNames(stack.bmcs.bmcs.map((b) => b.name))} on ` +
              `${stack.bmcs.bmcs.map((b) => b.host).join(', ')}`,
          ]
        : []),
      ...(stack.tokenFile
        ? [
            `Try:  export MCTL_URL=${stack.apiUrl} MCTL_TOKEN=$(cat ${stack.tokenFile})`,
            '      npx mctl power status node[01-08]',
            ...(stack.servers.includes('aws01')
              ? ['      npx mctl power on aws[01-03]; npx mctl estate change aws01 compute-large']
              : []),
          ]
        : [
            `Mint a token:  node apps/conditions-api/dist/main.js generate-token ` +
              `--subject you --scope read,write`,
          ]),
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'stack.stopping', signal }, 'stopping');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`switchboard-stack: ${err.message}\n`);
  process.exit(1);
});
