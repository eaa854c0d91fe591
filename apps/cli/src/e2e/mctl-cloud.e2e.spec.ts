/**
 * Cloud nodes end to end: mctl -> the real conditions-api -> NATS JetStream -> the real
 * controller -> the official SDKs -> a real moto server (EC2's wire protocol, through
 * cloud-sim's proxy, which also keeps EC2's rule that an instance type changes only when the
 * instance is stopped) and the ARM fake (written from the Compute REST reference) over HTTPS.
 */
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { mintToken } from '@switchboard/auth';
import {
  ArmFake,
  Ec2Proxy,
  MotoServer,
  launchInstances,
  startArmFake,
  startEc2Proxy,
  startMotoServer,
} from '@switchboard/cloud-sim';
import type { ApiCondition, Condition } from '@switchboard/condition-types';
import { E2eStack, latestCondition, startE2eStack } from '../test-support/e2e-stack';
import { runMctl } from '../test-support/mctl-runner';

jest.setTimeout(90_000);

const JWT_SECRET = 'mctl-cloud-e2e-jwt-secret-0123456789-abcdefghij';
const TOKEN = mintToken({ subject: 'mctl-cloud-e2e', scopes: ['admin'] }, JWT_SECRET);
const REGION = 'eu-west-2';
const SUB = '2f0e7c1a-0000-4000-8000-000000000001';

let moto: MotoServer;
let proxy: Ec2Proxy;
let arm: ArmFake;
let stack: E2eStack;
let ids: string[];

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = await startEc2Proxy(moto.endpoint);
  arm = await startArmFake({ transitionMs: 300 });
  ids = await launchInstances(moto.endpoint, { region: REGION, count: 7 });
  for (const name of ['vm01', 'vm02', 'vm03']) {
    arm.addVm({
      subscriptionId: SUB,
      resourceGroup: 'hpc',
      name,
      vmSize: 'Standard_B2s',
      power: 'running',
    });
  }
  stack = await startE2eStack({
    name: 'mctl-cloud-e2e',
    jwtSecret: JWT_SECRET,
    inventory: [
      'static_nodes:',
      ...ids.map((id, i) => `  aws0${i + 1}: { platform: aws, ec2_id: ${id} }`),
      '  vm01: { platform: azure, resource_group: hpc }',
      '  vm02: { platform: azure, resource_group: hpc }',
      '  vm03: { platform: azure, resource_group: hpc }',
      '  lab01: { ranks: [metal] }',
      'platforms:',
      `  aws: { region: ${REGION} }`,
      `  azure: { subscription_id: ${SUB} }`,
      '',
    ].join('\n'),
    controller: {
      verifyTimeoutMs: 5000,
      verifyIntervalMs: 100,
      retryBaseDelayMs: 100,
      cloud: {
        awsClientConfig: { endpoint: proxy.endpoint },
        azureEndpoint: arm.endpoint,
        azureTlsCa: arm.ca,
        azureCredential: {
          getToken: async () => ({ token: arm.token, expiresOnTimestamp: Date.now() + 3_600_000 }),
        },
        azurePollIntervalMs: 20,
      },
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await arm?.stop();
  await proxy?.stop();
  await moto?.stop();
});

const mctl = (argv: string[]) => runMctl({ MCTL_URL: stack.baseUrl, MCTL_TOKEN: TOKEN }, argv);
const latest = async (server: string): Promise<ApiCondition> =>
  (await latestCondition(stack.baseUrl, TOKEN, server))!;

/** The EC2 calls the controller made for one instance, in order, reads left out. */
function writes(instanceId: string): string[] {
  return proxy.calls
    .filter((c) => c.instanceIds.includes(instanceId) || c.params.InstanceId === instanceId)
    .filter((c) => !c.action.startsWith('Describe'))
    .map((c) => (c.injected ? `${c.action}!${c.injected}` : c.action));
}

describe('AWS nodes through API, queue and controller (moto)', () => {
  it('powers off, reads status and powers on again', async () => {
    expect(await mctl(['power', 'off', 'aws[01-02]'])).toMatchObject({
      code: 0,
      out: 'off: aws[01-02]\n',
    });
    expect(await mctl(['power', 'status', 'aws[01-02]'])).toMatchObject({
      code: 0,
      out: 'off: aws[01-02]\n',
    });
    expect(await mctl(['power', 'on', 'aws[01-02]'])).toMatchObject({
      code: 0,
      out: 'on: aws[01-02]\n',
    });
    expect(writes(ids[0])).toEqual(['StopInstances', 'StartInstances']);
  });

  it("shows the machine type: OpenFlight's abstract type and the instance type", async () => {
    const { code, out } = await mctl(['estate', 'show', 'aws[01-02]']);
    expect({ code, out }).toEqual({ code: 0, out: 'general-small (t3.medium): aws[01-02]\n' });
  });

  it('changes the type of a running node: stops it first, modifies, starts it again', async () => {
    const { code, out } = await mctl(['estate', 'change', 'aws03', 'compute-large', '--yes']);
    expect({ code, out }).toEqual({ code: 0, out: 'compute-large (c5.2xlarge): aws03\n' });
    // The proxy refuses ModifyInstanceAttribute on an instance that is not stopped, as EC2
    // does (moto alone would accept it): success proves the stop came first and was waited for.
    expect(writes(ids[2])).toEqual(['StopInstances', 'ModifyInstanceAttribute', 'StartInstances']);
    const condition = await latest('aws03');
    expect(condition.status.records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        'shutting down aws03 to change its machine type',
        'changing machine type from general-small (t3.medium) to compute-large (c5.2xlarge)',
        'powering aws03 on again',
      ]),
    );
    expect(await mctl(['power', 'status', 'aws03'])).toMatchObject({ out: 'on: aws03\n' });
  });

  it('asks before a change, and refuses to run unasked without a terminal or --yes', async () => {
    const before = writes(ids[0]).length;
    const { code, err } = await mctl(['estate', 'change', 'aws01', 'compute-small']);
    expect(code).toBe(2);
    expect(err).toContain('Change machine type for aws01. If powered on it will be rebooted.');
    expect(err).toContain('add --yes');
    expect(writes(ids[0]).length).toBe(before);
  });

  it("answers to OpenFlight Action's command names too", async () => {
    const { code, out } = await mctl(['estate-show', 'aws03']);
    expect({ code, out }).toEqual({ code: 0, out: 'compute-large (c5.2xlarge): aws03\n' });
    const again = await mctl(['estate-change', 'aws03', 'compute-large', '--yes']);
    expect(again.out).toBe('compute-large (c5.2xlarge), unchanged: aws03\n');
  });

  it('does nothing for the type a node already has', async () => {
    const before = writes(ids[2]).length;
    const { code, out } = await mctl(['estate', 'change', 'aws03', 'c5.2xlarge', '--yes']);
    expect({ code, out }).toEqual({
      code: 0,
      out: 'compute-large (c5.2xlarge), unchanged: aws03\n',
    });
    expect(writes(ids[2]).length).toBe(before);
  });

  it('leaves a node that was off, off', async () => {
    await mctl(['power', 'off', 'aws04']);
    const { code } = await mctl(['estate', 'change', 'aws04', 'mem-small', '--yes']);
    expect(code).toBe(0);
    expect(writes(ids[3])).toEqual(['StopInstances', 'ModifyInstanceAttribute']);
    expect((await latest('aws04')).result).toMatchObject({
      instance_type: 'r5.large',
      power_state: 'off',
    });
  });

  it.each([
    ['an unknown type', 'aws05', 'x9.huge', 101],
    ['a type of another processor family', 'aws05', 't4g.small', 103],
    ['a node whose platform has no machine types', 'lab01', 'compute-large', 102],
  ])("exits with OpenFlight's code for %s, touching nothing", async (_, node, type, exit) => {
    const before = node === 'aws05' ? writes(ids[4]).length : 0;
    const { code, out } = await mctl(['estate', 'change', node, type, '--yes']);
    expect(code).toBe(exit);
    expect(out).toMatch(new RegExp(`^failed: ${node} \\(`));
    if (node === 'aws05') expect(writes(ids[4]).length).toBe(before);
  });

  it('powers a node on again when the change fails after it was stopped, and says so', async () => {
    proxy.failNext('ModifyInstanceAttribute', 400, 'InvalidParameterCombination');
    const { code, out } = await mctl(['estate', 'change', 'aws05', 'mem-large', '--yes']);
    expect(code).toBe(1);
    expect(out).toContain('aws05 left on, machine type general-small (t3.medium)');
    expect(writes(ids[4])).toEqual([
      'StopInstances',
      'ModifyInstanceAttribute!InvalidParameterCombination',
      'StartInstances',
    ]);
    expect(await mctl(['power', 'status', 'aws05'])).toMatchObject({ out: 'on: aws05\n' });
  });

  it('keeps an estate change and a power action on one node apart (the server claim)', async () => {
    proxy.stuck(ids[5], 'stopping'); // the change waits for the stop to show
    try {
      const queued = await mctl(['estate', 'change', 'aws06', 'gpu-small', '--yes', '--no-wait']);
      expect(queued.code).toBe(0);
      const power = await mctl(['power', 'on', 'aws06']);
      expect(power.code).toBe(1);
      expect(power.out).toMatch(/^conflict: aws06 \(condition [0-9a-f-]+ in progress\)/);
    } finally {
      proxy.stuck(ids[5]);
    }
  });

  it('retries EC2 throttling and still answers', async () => {
    proxy.throttle(2);
    expect(await mctl(['power', 'status', 'aws01'])).toMatchObject({ code: 0, out: 'on: aws01\n' });
  });

  it('fails at once on refused credentials, naming the node and the EC2 code', async () => {
    proxy.refuseCredentials();
    try {
      const { code, out } = await mctl(['power', 'status', 'aws02']);
      expect(code).toBe(1);
      expect(out).toMatch(/^failed: aws02 \(authentication refused: .*aws02.*AuthFailure/);
    } finally {
      proxy.refuseCredentials(false);
    }
  });
});

describe('Azure nodes through API, queue and controller (ARM fake)', () => {
  it('deallocates for off and starts for on, waiting out the transitional states', async () => {
    expect(await mctl(['power', 'off', 'vm01'])).toMatchObject({ code: 0, out: 'off: vm01\n' });
    const records = (await latest('vm01')).status.records.map((r) => r.msg);
    expect(records).toContain(
      'waiting: azure hpc/vm01 (vm01) is PowerState/deallocating (STOPPING)',
    );
    expect(await mctl(['power', 'on', 'vm01'])).toMatchObject({ code: 0, out: 'on: vm01\n' });
    await mctl(['power', 'status', 'vm01']);
    expect((await latest('vm01')).result).toEqual({ power_state: 'on', power_status: 'ON' });
    expect(await mctl(['power', 'cycle', 'vm01'])).toMatchObject({ code: 0, out: 'on: vm01\n' });
  });

  it('changes the VM size: deallocate, PATCH vmSize, start', async () => {
    const { code, out } = await mctl(['estate', 'change', 'vm02', 'compute-medium', '--yes']);
    expect({ code, out }).toEqual({ code: 0, out: 'compute-medium (Standard_F4s_v2): vm02\n' });
    const ops = arm.requests.filter((r) => r.vm === 'vm02' && r.method !== 'GET').map((r) => r.op);
    expect(ops).toEqual(['deallocate', 'update', 'start']);
    expect(arm.vm('hpc', 'vm02')).toMatchObject({ vmSize: 'Standard_F4s_v2', power: 'running' });
  });

  it('fails a VM stuck in a transitional state at the deadline, saying where', async () => {
    arm.vm('hpc', 'vm03')!.stuckIn = 'deallocating';
    const { code, out } = await mctl(['power', 'off', 'vm03']);
    expect(code).toBe(1);
    expect(out).toMatch(/^failed: vm03 \(state did not settle: .*PowerState\/deallocating/);
  });
});

/** What an OpenFlight Action client does: list the commands, post an action, read its output. */
async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/x-ndjson, application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.text()) as string };
}

async function runAction(server: string, command: string, args: string[]) {
  const posted = await call('POST', '/conditions', {
    kind: 'action',
    targets: server,
    parameters: { command, arguments: args },
  });
  expect(posted.status).toBe(200);
  const { results } = JSON.parse(posted.body) as { results: { condition: Condition }[] };
  const id = results[0].condition.id;
  const outcomes = await call('GET', `/outcomes?ids=${id}&wait=60000`);
  const { condition } = JSON.parse(outcomes.body.trim().split('\n')[0]) as {
    condition: Condition;
  };
  const output = await call('GET', `/conditions/${id}/output`);
  const lines = output.body
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { stream: string; line: string })
    .map((l) => `${l.stream}: ${l.line}`);
  return { condition, lines };
}

describe("OpenFlight Action's estate commands, for Action clients (moto)", () => {
  it('lists estate-show and estate-change as built-in commands, with their arguments', async () => {
    const { status, body } = await call('GET', '/commands');
    expect(status).toBe(200);
    const commands = (JSON.parse(body) as { commands: { name: string; syntax?: string }[] })
      .commands;
    expect(commands.map((c) => [c.name, c.syntax])).toEqual([
      ['estate-show', undefined],
      ['estate-change', 'TYPE'],
    ]);
    const help = await mctl(['help']);
    expect(help.out).toMatch(/estate-change +change the machine type of a cloud node/);
    expect((await mctl(['help', 'run', 'estate-change'])).out).toContain('TYPE');
  });

  it('changes a type through an action: the estate sequence, its line, exit status 0', async () => {
    const { condition, lines } = await runAction('aws07', 'estate-change', ['compute-large']);
    expect(condition).toMatchObject({
      kind: 'action',
      state: 'succeeded',
      result: { exit_code: 0, script: 'estate-change (built in)' },
    });
    expect(lines).toEqual(['stdout: compute-large (c5.2xlarge)']);
    expect(writes(ids[6])).toEqual(['StopInstances', 'ModifyInstanceAttribute', 'StartInstances']);
    expect(condition.status.records.map((r) => r.msg)).toContain('powering aws07 on again');
  });

  it('runs under mctl run and mctl help as any command does', async () => {
    const show = await mctl(['run', 'estate-show', 'aws07']);
    expect(show).toMatchObject({ code: 0, out: 'compute-large (c5.2xlarge)\n' });
    const same = await mctl(['run', 'estate-change', 'aws07', 'compute-large', '--yes']);
    expect(same).toMatchObject({ code: 0, out: 'compute-large (c5.2xlarge), unchanged\n' });
    const unasked = await mctl(['run', 'estate-change', 'aws07', 'gpu-small']);
    expect(unasked.code).toBe(2);
    expect(unasked.err).toContain('Change machine type for aws07.');
  });

  it.each([
    ['an unknown type', 'aws07', ['estate-change', 'x9.huge'], 101],
    ['a node without machine types', 'lab01', ['estate-show'], 102],
    ['a type of another processor family', 'aws07', ['estate-change', 't4g.small'], 103],
  ])("fails %s with OpenFlight's exit status", async (_case, node, [command, ...args], code) => {
    const before = writes(ids[6]).length;
    const { condition, lines } = await runAction(node, command, args);
    expect(condition).toMatchObject({ state: 'failed', result: { exit_code: code } });
    expect(condition.error).toContain(`${command} on ${node} exited with status ${code}`);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^stderr: ${command}: `))]);
    expect(writes(ids[6]).length).toBe(before);
    const viaMctl = await mctl(['run', command, node, ...args, '--yes']);
    expect(viaMctl.code).toBe(1);
    expect(viaMctl.err).toContain(`exit status ${code}: ${node}`);
  });

  it('holds the server like an estate change, and is not cancelled half-way', async () => {
    proxy.stuck(ids[6], 'stopping'); // the change waits for the stop to show
    let id = '';
    try {
      const posted = await call('POST', '/conditions', {
        kind: 'action',
        targets: 'aws07',
        parameters: { command: 'estate-change', arguments: ['mem-small'] },
      });
      const { results } = JSON.parse(posted.body) as { results: { condition: Condition }[] };
      id = results[0].condition.id;
      const power = await mctl(['power', 'on', 'aws07']);
      expect(power.out).toMatch(/^conflict: aws07 \(condition [0-9a-f-]+ in progress\)/);
      const deadline = Date.now() + 30_000;
      while ((await latest('aws07')).state === 'pending' && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const cancel = await call('DELETE', `/conditions/${id}`);
      expect(cancel.status).toBe(409);
      expect(cancel.body).toContain('estate-change in progress (a built-in estate command)');
    } finally {
      proxy.stuck(ids[6]);
    }
    const outcome = await call('GET', `/outcomes?ids=${id}&wait=60000`);
    expect(JSON.parse(outcome.body.trim().split('\n')[0])).toMatchObject({
      condition: { state: 'succeeded', result: { exit_code: 0 } },
    });
    expect((await runAction('aws07', 'estate-show', [])).lines).toEqual([
      'stdout: mem-small (r5.large)',
    ]);
  });

  it.each([
    ['estate-change', [], 'estate-change takes one argument, the machine type, got 0'],
    ['estate-change', ['a', 'b'], 'estate-change takes one argument, the machine type, got 2'],
    ['estate-change', ['$(reboot)'], 'machine_type must be a machine type name'],
    ['estate-show', ['x'], 'estate-show takes no arguments, got 1'],
  ])('refuses %s %j before anything is queued (400)', async (command, args, message) => {
    const { status, body } = await call('POST', '/conditions', {
      kind: 'action',
      targets: 'aws07',
      parameters: { command, arguments: args },
    });
    expect(status).toBe(400);
    expect(body).toContain(message);
  });
});

describe('NATS with credentials and least privilege (issue 11)', () => {
  it('refused nothing the API and the controller did in every test above', () => {
    expect(stack.natsRefusals()).toEqual([]);
  });
});
