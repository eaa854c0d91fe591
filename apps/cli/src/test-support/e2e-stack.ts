// The real stack an end-to-end suite runs mctl against: nats-server, the conditions-api and a
// controller, in this process, on a temporary directory of the suite's own. NATS runs as the
// sandbox runs it: a user per role with least privilege (issue 11), the API and the controller
// connecting as theirs, and every refusal it logs kept for the suite to check. The API signs
// conditions with a key of the suite's own, which its controllers check them by.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BmcEndpoint } from '@switchboard/bmc-sim';
import { ensureKeyFile, signingKey, SigningKeys } from '@switchboard/condition-signing';
import { ApiCondition, ServerConditionsResponse } from '@switchboard/condition-types';
import { capturingLogger, silentLogger } from '@switchboard/logging';
import { startEmbeddedNats, startSecuredNats } from '@switchboard/nats';
import type { EmbeddedNats, NatsCredentials, SecuredNats } from '@switchboard/nats';
import { ConditionsApi, CreateAppOptions, createApp } from '../../../conditions-api/src/app';
import {
  ControllerOptions,
  RunningController,
  startController,
} from '../../../controller/src/controller';

export interface E2eStackOptions {
  /** Names the temporary directory. */
  name: string;
  jwtSecret: string;
  /** The inventory's text, written to `<dir>/<inventoryName>`. */
  inventory: string;
  /** topology.yaml (OpenFlight Power) unless an Action suite wants nodes.yaml. */
  inventoryName?: string;
  /** Writes the commands directory `<dir>/commands` (API and controller use it). */
  commands?: (commandsDir: string) => void;
  /** The API's options beyond NATS, inventory, logger and secret. */
  api?: Partial<CreateAppOptions>;
  /** The controller's timings and drivers; false: the suite starts its controllers itself. */
  controller?: Partial<ControllerOptions> | false;
}

export interface E2eStack {
  dir: string;
  inventoryFile: string;
  /** The nats-server now running (stopNats/startNats replace it), and its users' credentials. */
  readonly nats: EmbeddedNats;
  credentials: NatsCredentials;
  /** The condition signing key, for APIs and controllers the suite starts itself. */
  signing: SigningKeys;
  /** The same key in a file (CONDITION_SIGNING_KEY_FILE), for API or controller processes. */
  signingKeyFile: string;
  /** What nats-server refused anyone so far (its permission violations). */
  natsRefusals(): Array<Record<string, unknown>>;
  api: ConditionsApi;
  /** http://127.0.0.1:<port> of the API. */
  baseUrl: string;
  controller?: RunningController;
  /** Stops nats-server; startNats brings it back on the same port and data. */
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  /** Stops the controller, the API and nats-server, and removes the directory. */
  close(): Promise<void>;
}

/** Starts the stack; whatever it started is stopped again if a later step fails. */
export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const natsLog = capturingLogger();
  let nats: EmbeddedNats | undefined;
  let api: ConditionsApi | undefined;
  let controller: RunningController | undefined;
  const close = async () => {
    await controller?.close();
    await api?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const inventoryFile = join(dir, options.inventoryName ?? 'topology.yaml');
    writeFileSync(inventoryFile, options.inventory);
    const commandsDir = options.commands && join(dir, 'commands');
    if (commandsDir) {
      mkdirSync(commandsDir);
      options.commands!(commandsDir);
    }
    const signingKeyFile = join(dir, 'condition-signing-key');
    const signing = { current: signingKey(ensureKeyFile(signingKeyFile)) };
    const common = {
      inventoryFile,
      logger: silentLogger,
      signing,
      ...(commandsDir && { commandsDir }),
    };
    const secured: SecuredNats = await startSecuredNats({
      dataDir: join(dir, 'jetstream'),
      logger: natsLog.logger,
    });
    nats = secured;
    const { credentials } = secured;
    api = await createApp({
      natsUrl: nats.url,
      natsAuth: credentials.clientAuth('api'),
      jwtSecret: options.jwtSecret,
      ...common,
      ...options.api,
    });
    await api.app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    if (options.controller !== false)
      controller = await startController({
        natsUrl: nats.url,
        natsAuth: credentials.clientAuth('controller'),
        ...common,
        ...options.controller,
      });
    let live = nats;
    return {
      dir,
      inventoryFile,
      get nats() {
        return live;
      },
      credentials,
      signing,
      signingKeyFile,
      natsRefusals: () => natsLog.events().filter((e) => e.event === 'nats.permission_violation'),
      api,
      baseUrl,
      ...(controller && { controller }),
      async stopNats() {
        await live.stop();
      },
      async startNats() {
        nats = live = await startEmbeddedNats(live.options);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Native IPMI nodes named after the simulated BMCs, then `extra` lines (groups ...). */
export function ipmiInventory(
  bmcs: ReadonlyArray<BmcEndpoint & { name: string }>,
  ...extra: string[]
): string {
  const rows = ['static_nodes:'];
  for (const bmc of bmcs) {
    rows.push(
      `  ${bmc.name}:`,
      '    platform: ipmi',
      '    bmc:',
      `      host: ${bmc.host}`,
      `      port: ${bmc.port}`,
      `      username: ${bmc.username}`,
      `      password: ${bmc.password}`,
    );
  }
  return `${[...rows, ...extra].join('\n')}\n`;
}

/**
 * GET /servers/{server}/status: the HTTP status, and the server's records when it is 200 (404:
 * no condition yet; 503: NATS is away).
 */
export async function serverStatus(
  baseUrl: string,
  token: string,
  server: string,
): Promise<{ status: number; records?: ServerConditionsResponse['records'] }> {
  const res = await fetch(`${baseUrl}/api/v1/servers/${server}/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) return { status: res.status };
  return { status: 200, records: ServerConditionsResponse.parse(await res.json()).records };
}

/** The server's latest condition, undefined when it has none. */
export async function latestCondition(
  baseUrl: string,
  token: string,
  server: string,
): Promise<ApiCondition | undefined> {
  const { status, records } = await serverStatus(baseUrl, token, server);
  if (status !== 200 && status !== 404) throw new Error(`status of ${server}: HTTP ${status}`);
  return records?.conditions[0];
}
