// The world of one integration suite: nats-server, simulated BMCs, inventory, commands,
// controllers, and their teardown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetMemberSpec, SimulatedFleet, startSimulatedFleet } from '@switchboard/bmc-sim';
import type { ControllerOptions } from '../controller';
import { CommandSpec, writeCommand } from './commands';
import {
  ControllerProcess,
  ensureBuilt,
  hasHeartbeat,
  InventoryNode,
  spawnController,
  startTestController,
  startTestNats,
  TestController,
  TestNats,
  waitFor,
  writeInventory,
} from './harness';

export interface SceneOptions {
  /** Names the temporary directories, the NATS connection and the controllers' log files. */
  name: string;
  /** Simulated BMCs, started as one fleet: a count of default ones, or their specs. */
  bmcs?: number | FleetMemberSpec[];
  /** The inventory; by default every BMC as a native IPMI node of its own name. */
  nodes?: InventoryNode[] | ((scene: Pick<Scene, 'dir' | 'fleet'>) => InventoryNode[]);
  /** The inventory's `platforms:` section (shell platforms). */
  platforms?: string;
  /**
   * OpenFlight Action commands, written to `<dir>/commands`: every controller's commands directory.
   */
  commands?: Record<string, CommandSpec>;
  /** Builds dist/ first: the suite runs the controller as a child process (spawnController). */
  build?: boolean;
}

/** Its log file is named after the scene and the id. */
export type SceneControllerOptions = Partial<ControllerOptions> & { id: string };

/** A controller process's environment: its id at least, which names its log file. */
export type ProcessEnv = Record<string, string> & { CONTROLLER_ID: string };

export interface Scene {
  /** A temporary directory of the suite's own, removed by close(). */
  dir: string;
  nats: TestNats;
  /** Throws when the scene has no BMCs. */
  fleet: SimulatedFleet;
  inventoryFile: string;
  /** The nodes as written to the inventory. */
  nodes: InventoryNode[];
  /** `<dir>/commands`, where `commands` are written. */
  commandsDir: string;
  /** A replica in this process on the scene's NATS, inventory and commands; close() closes it. */
  startController(options: SceneControllerOptions): Promise<TestController>;
  /** Replicas started at once with the same options, in the order of `ids`. */
  startControllers(ids: string[], options?: Partial<ControllerOptions>): Promise<TestController[]>;
  /** The built controller as a child process, NATS_URL and INVENTORY_FILE set; close() kills it. */
  spawnController(env: ProcessEnv): ControllerProcess;
  /**
   * spawnController, resolving once the process heartbeats: it has connected and provisioned,
   * and pulls work from then on.
   */
  startControllerProcess(env: ProcessEnv): Promise<ControllerProcess>;
  /**
   * Kills and closes every controller, then stops the BMCs and nats-server and removes the files.
   */
  close(): Promise<void>;
}

/** Starts a suite's world; whatever it started is stopped again if a later step fails. */
export async function startScene(options: SceneOptions): Promise<Scene> {
  const { name } = options;
  const dir = mkdtempSync(join(tmpdir(), `sb-controller-${name}-`));
  let nats: TestNats | undefined;
  let fleet: SimulatedFleet | undefined;
  const controllers: TestController[] = [];
  const children: ControllerProcess[] = [];

  const close = async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(controllers.map((c) => c.controller.close()));
    await fleet?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (options.build) ensureBuilt();
    nats = await startTestNats(name);
    fleet = options.bmcs === undefined ? undefined : await startSimulatedFleet(options.bmcs);
    const world = {
      dir,
      get fleet(): SimulatedFleet {
        if (!fleet) throw new Error(`scene ${name} has no BMCs`);
        return fleet;
      },
    };
    const commandsDir = join(dir, 'commands');
    for (const [command, spec] of Object.entries(options.commands ?? {}))
      writeCommand(commandsDir, command, spec);
    const nodes =
      typeof options.nodes === 'function'
        ? options.nodes(world)
        : (options.nodes ?? (fleet?.bmcs ?? []).map((bmc) => ({ name: bmc.name, bmc })));
    const inventoryFile = writeInventory(dir, nodes, options.platforms);
    const testNats = nats;

    const startOne = async (overrides: SceneControllerOptions) => {
      // No commands, no commands directory: such a controller refuses actions as an unconfigured
      // one does.
      const commands = options.commands && { commandsDir };
      const ctl = await startTestController(testNats, inventoryFile, {
        logName: `${name}-${overrides.id}`,
        ...commands,
        ...overrides,
      });
      controllers.push(ctl);
      return ctl;
    };
    const spawnOne = (env: ProcessEnv) => {
      const child = spawnController(
        {
          NATS_URL: testNats.url,
          INVENTORY_FILE: inventoryFile,
          CONDITION_SIGNING_KEY_FILE: testNats.signingKeyFile,
          ...env,
        },
        `${name}-${env.CONTROLLER_ID}`,
      );
      children.push(child);
      return child;
    };

    return Object.assign(world, {
      nats: testNats,
      inventoryFile,
      nodes,
      commandsDir,
      startController: startOne,
      startControllers: (ids: string[], shared: Partial<ControllerOptions> = {}) =>
        Promise.all(ids.map((id) => startOne({ ...shared, id }))),
      spawnController: spawnOne,
      async startControllerProcess(env: ProcessEnv) {
        const child = spawnOne(env);
        const id = env.CONTROLLER_ID;
        await waitFor(
          `${id} to heartbeat`,
          async () => ((await hasHeartbeat(testNats, id)) ? true : undefined),
          15_000,
        );
        return child;
      },
      close,
    });
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The suite's scene, started before its first test and closed after its last. What it returns
 * stands for the scene beforeAll starts (a proxy), so a suite reads `scene.nats`, `scene.fleet`
 * ... as it would read a variable it assigned itself; a beforeAll registered after this one
 * (starting controllers) runs once the scene is up.
 */
export function useScene(options: SceneOptions): Scene {
  let started: Scene | undefined;
  beforeAll(async () => {
    started = await startScene(options);
  });
  afterAll(() => started?.close());
  return new Proxy({} as Scene, {
    get(_, key) {
      if (!started)
        throw new Error(`scene.${String(key)} used before scene ${options.name} started`);
      return Reflect.get(started, key, started) as unknown;
    },
  });
}
