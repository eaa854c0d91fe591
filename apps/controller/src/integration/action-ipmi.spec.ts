import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Condition } from '@switchboard/condition-types';
import { readOutput, textOf } from '../test-support/commands';
import { CONTROLLER_DIR, records, TestController, waitForFinal } from '../test-support/harness';
import { useScene } from '../test-support/scene';

// The example commands (examples/commands) against a real simulated BMC (ipmi_sim), through
// real ipmitool: the controller gives a native IPMI node's BMC to the scripts the way they
// expect it, and the password reaches ipmitool through the environment only.

const EXAMPLES = resolve(CONTROLLER_DIR, '..', '..', 'examples', 'commands');
const PASSWORD = 'Sim-pa55word';

describe('example ipmi commands against a simulated BMC', () => {
  const scene = useScene({
    name: 'action-ipmi',
    bmcs: [{ name: 'action-ipmi', password: PASSWORD }],
    nodes: ({ fleet }) => {
      const bmc = fleet.get('action-ipmi');
      return [
        // Native: its BMC in the `bmc:` map, password in the inventory.
        { name: 'native01', bmc, ranks: ['ipmi'] },
        // An Action node that names the controller variable holding its password.
        {
          name: 'action01',
          vars: {
            bmc_host: bmc.host,
            bmc_port: String(bmc.port),
            bmc_username: bmc.username,
            bmc_password_env: 'RACK1_BMC_PASSWORD',
          },
        },
      ];
    },
  });
  let ctl: TestController;

  beforeAll(async () => {
    ctl = await scene.startController({
      id: 'ctl-ipmi',
      commandsDir: EXAMPLES,
      commandSecrets: ['RACK1_BMC_PASSWORD'],
      env: { ...process.env, RACK1_BMC_PASSWORD: PASSWORD },
    });
  });

  const run = async (server: string, command: string): Promise<Condition> => {
    const created = await scene.nats.store.create({
      kind: 'action',
      server,
      parameters: { command, arguments: [] },
      requestedBy: 'alice',
    });
    return waitForFinal(scene.nats.store, created.id, 30_000);
  };

  it("ipmi-sel reads the event log of a native IPMI node's BMC", async () => {
    const done = await run('native01', 'ipmi-sel');

    expect(done).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'ipmi-sel/default.sh' },
    });
    expect(records(done)).toContain('running ipmi-sel/default.sh on native01');
    const output = await readOutput(scene.nats, done.id);
    expect([...textOf(output, 'stdout'), ...textOf(output, 'stderr')].join('\n')).toMatch(
      /SEL has no entries|^\s*\w+ \|/m,
    );
  });

  it("power-status runs the ipmi rank's script on it", async () => {
    scene.fleet.get('action-ipmi').setPower('on');

    const done = await run('native01', 'power-status');

    expect(done).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'power-status/ipmi.sh' },
    });
    expect(textOf(await readOutput(scene.nats, done.id), 'stdout')).toEqual([
      'Chassis Power is on',
    ]);
  });

  it(
    'ipmi-sel works for a node naming a password variable the operator allows ' +
      '(COMMAND_SECRETS)',
    async () => {
      const done = await run('action01', 'ipmi-sel');

      expect(done).toMatchObject({ state: 'succeeded', result: { exit_code: 0 } });
    },
  );

  it('the password is in no condition, output line or log line', async () => {
    const conditions = await Promise.all([
      run('native01', 'ipmi-sel'),
      run('action01', 'ipmi-sel'),
    ]);
    const outputs = await Promise.all(conditions.map((c) => readOutput(scene.nats, c.id)));

    expect(JSON.stringify(conditions)).not.toContain(PASSWORD);
    expect(JSON.stringify(outputs)).not.toContain(PASSWORD);
    expect(readFileSync(ctl.logFile, 'utf8')).not.toContain(PASSWORD);
  });
});
