import { SimulatedBmc, startSimulatedBmc } from '@switchboard/bmc-sim';

import { EXAMPLES_DIR } from '../test/helpers';
import { loadCommands } from './load-commands';
import { CommandNode, runCommand } from './run-command';
import { selectScript } from './select-script';
import type { CommandDefinition } from './types';

// The example commands, run as the controller will run them: chosen by the node's ranks, against
// a simulated BMC (ipmi_sim) for the ipmi rank.

const PASSWORD = 'Sandbox-pa55';
const secrets = { allowed: ['SANDBOX_BMC_PASSWORD'], env: { SANDBOX_BMC_PASSWORD: PASSWORD } };
let bmc: SimulatedBmc;
let commands: Map<string, CommandDefinition>;

beforeAll(async () => {
  bmc = await startSimulatedBmc({
    name: 'commands-examples',
    username: 'ADMIN',
    password: PASSWORD,
  });
  commands = loadCommands(EXAMPLES_DIR).commands;
});

afterAll(async () => {
  await bmc?.stop();
});

interface Node extends CommandNode {
  ranks: string[];
}

function ipmiNode(attributes: Record<string, string> = {}): Node {
  return {
    name: 'node01',
    ranks: ['ipmi', 'default'],
    attributes: {
      bmc_host: bmc.host,
      bmc_port: String(bmc.port),
      bmc_username: 'ADMIN',
      bmc_password_env: 'SANDBOX_BMC_PASSWORD',
      ...attributes,
    },
  };
}

async function runExample(name: string, node: Node) {
  const command = commands.get(name)!;
  return runCommand({
    command,
    script: selectScript(command, node.ranks),
    node,
    args: [],
    requester: 'alice',
    timeoutMs: command.timeoutMs,
    secrets,
  });
}

describe('power commands on an ipmi node drive its BMC', () => {
  it.each([
    ['power-on', 'Chassis Power Control: Up/On', 'Chassis Power is on'],
    ['power-off', 'Chassis Power Control: Down/Off', 'Chassis Power is off'],
  ])('%s, then power-status', async (name, answer, status) => {
    const result = await runExample(name, ipmiNode());

    expect(result).toMatchObject({
      exitCode: 0,
      rank: 'ipmi',
      script: `${name}/ipmi.sh`,
      stdout: `${answer}\n`,
    });
    await expect(runExample('power-status', ipmiNode())).resolves.toMatchObject({
      exitCode: 0,
      stdout: `${status}\n`,
    });
  });

  it(
    'a wrong password fails with ' + "ipmitool's own words, and the password shows nowhere",
    async () => {
      const node = ipmiNode();
      const result = await runCommand({
        command: commands.get('power-status')!,
        script: selectScript(commands.get('power-status')!, node.ranks),
        node,
        args: [],
        requester: 'alice',
        timeoutMs: 30_000,
        secrets: { allowed: ['SANDBOX_BMC_PASSWORD'], env: { SANDBOX_BMC_PASSWORD: 'Wr0ng-pa55' } },
      });

      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('Unable to establish IPMI v2 / RMCP+ session');
      expect(JSON.stringify(result)).not.toContain('Wr0ng-pa55');
    },
  );
});

describe('ipmi-sel', () => {
  it("reads the event log of the node's BMC", async () => {
    const result = await runExample('ipmi-sel', ipmiNode());

    expect(result).toMatchObject({ exitCode: 0, rank: 'default' });
    expect(`${result.stdout}${result.stderr}`).toMatch(/SEL has no entries|^\s*\w+ \|/m);
  });

  it.each([
    [
      'no bmc_host',
      { bmc_host: undefined },
      'node node01 has no bmc_host attribute: where is its BMC?',
    ],
    [
      'a password variable that is not allowed',
      { bmc_password_env: 'JWT_SECRET' },
      'no BMC password for node node01',
    ],
  ])('fails clearly with %s', async (_case, changes, message) => {
    const node = ipmiNode();
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) delete node.attributes[key];
      else node.attributes[key] = value;
    }

    const result = await runExample('ipmi-sel', node);

    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('cloud ranks check their node attributes before calling the CLI', () => {
  it.each([
    ['aws', {}, 'node vm01 has no ec2_id attribute (its EC2 instance id)'],
    ['aws', { ec2_id: 'i-0123456789abcdef0' }, 'node vm01 has no aws_region attribute'],
    ['azure', {}, 'node vm01 has no azure_resource_id attribute (the full resource id of its VM)'],
  ])('%s rank with %j', async (rank, attributes, message) => {
    const result = await runExample('power-on', {
      name: 'vm01',
      ranks: [rank, 'default'],
      attributes,
    });

    expect(result).toMatchObject({ exitCode: 1, rank });
    expect(result.stderr).toContain(message);
  });
});

describe('usage', () => {
  it(
    'on a simulated node: the controller ' + "machine's uptime, naming the node asked about",
    async () => {
      const result = await runExample('usage', {
        name: 'node03',
        ranks: ['default'],
        attributes: {},
      });

      expect(result).toMatchObject({ exitCode: 0, rank: 'default' });
      expect(result.stdout).toMatch(
        /^node node03: simulated; load of .+, where the controller runs:\n.*load average/,
      );
    },
  );

  it('on a metal node picks the ssh script', () => {
    expect(selectScript(commands.get('usage')!, ['metal', 'default']).rank).toBe('metal');
  });
});

describe('a node with none of the power ranks', () => {
  it.each(['power-on', 'power-off', 'power-cycle', 'power-status'])(
    '%s fails, naming the node and the ranks it lacks',
    async (name) => {
      const result = await runExample(name, {
        name: 'lab01',
        ranks: ['gpu', 'default'],
        attributes: {},
      });

      expect(result).toMatchObject({ exitCode: 1, rank: 'default', stdout: '' });
      expect(result.stderr).toBe(
        `${name}: node lab01 has none of the ranks this command supports (ipmi, aws, ` +
          `azure); add one of them to the node's ranks in the inventory\n`,
      );
    },
  );
});
