import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCondition, records, waitForFinal, writeInventory } from '../test-support/harness';
import { useScene } from '../test-support/scene';

// OpenFlight Power shell platforms through the controller: real bash scripts keeping a power
// state in a file. `status` exits 0 for on, 111 for off, anything else is a failure.
const PLATFORM = `  lab:
    variables: [state_file]
    power_on: 'echo on > "$state_file"'
    power_off: 'echo off > "$state_file"'
    restart: 'echo on > "$state_file"; echo restarted >> "$state_file.log"'
    status: |
      s=$(cat "$state_file")
      case "$s" in
        on) exit 0 ;;
        off) exit 111 ;;
        *) echo "cannot tell the state of $name: $s" >&2; exit 3 ;;
      esac
  statusless:
    variables: [state_file]
    power_on: 'echo on > "$state_file"'
  cli:
    variables: [state_file]
    pass_env: [SB_CLI_CONFIG, SB_CLI_UNSET]
    status: 'env > "$state_file.env"'`;

/**
 * What the controller's environment holds beside its own: one variable `cli` names, a secret, and
 * a PATH of its own.
 */
const CONTROLLER_EXTRA = {
  SB_CLI_CONFIG: '/etc/cli/config; $(touch pwned)',
  SB_SECRET: 'hunter2',
  PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/opt/controller-only/bin`,
};

describe('a shell platform server through the controller', () => {
  const scene = useScene({
    name: 'shell',
    nodes: ({ dir }) => {
      const node = (name: string, platform = 'lab') => ({
        name,
        platform,
        vars: { state_file: join(dir, `${name}.state`) },
      });
      return [
        node('sh-on'),
        node('sh-off'),
        node('sh-broken'),
        node('sh-restart'),
        node('sh-nostatus', 'statusless'),
        node('sh-env', 'cli'),
      ];
    },
    platforms: PLATFORM,
  });
  const stateOf = (name: string) => readFileSync(join(scene.dir, `${name}.state`), 'utf8').trim();

  beforeAll(async () => {
    const initial: Record<string, string> = {
      'sh-on': 'on',
      'sh-off': 'off',
      'sh-broken': 'smoke',
      'sh-restart': 'on',
      'sh-nostatus': 'off',
    };
    for (const [name, state] of Object.entries(initial))
      writeFileSync(join(scene.dir, `${name}.state`), `${state}\n`);
    await scene.startController({
      id: 'ctl-shell',
      env: { ...process.env, ...CONTROLLER_EXTRA },
    });
  });

  const run = async (server: string, parameters: unknown) => {
    const created = await createCondition(scene.nats.store, server, parameters);
    return waitForFinal(scene.nats.store, created.id, 15_000);
  };

  it(
    'reads status exit 0 as on, 111 as off, and anything else as a failure with the ' +
      "script's words",
    async () => {
      const [on, off, broken] = await Promise.all([
        run('sh-on', { action: 'get_power_state' }),
        run('sh-off', { action: 'get_power_state' }),
        run('sh-broken', { action: 'get_power_state' }),
      ]);
      expect(on).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
      expect(off).toMatchObject({ state: 'succeeded', result: { power_state: 'off' } });
      expect(broken.state).toBe('failed');
      expect(broken.error).toBe(
        'command failed: read power state for sh-broken (shell:lab): shell lab/status for ' +
          'sh-broken: exit 3 means neither on (0) nor off (111): cannot tell the state of ' +
          'sh-broken: smoke',
      );
    },
  );

  it('powers off through power_off and verifies through status', async () => {
    const c = await run('sh-on', { action: 'set_power_state', action_parameter: 'off' });
    expect(c).toMatchObject({ state: 'succeeded', result: { power_state: 'off' } });
    expect(records(c)).toEqual(
      expect.arrayContaining(['powering off', 'verifying: off', 'power is off']),
    );
    expect(stateOf('sh-on')).toBe('off');
  });

  it('runs restart once for a power cycle', async () => {
    const c = await run('sh-restart', { action: 'set_power_state', action_parameter: 'cycle' });
    expect(c).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
    expect(records(c)).toEqual(
      expect.arrayContaining(['sending power cycle', 'power cycle acknowledged']),
    );
    expect(readFileSync(join(scene.dir, 'sh-restart.state.log'), 'utf8')).toBe('restarted\n');
  });

  it('fails what the platform cannot do, naming the platform', async () => {
    const [boot, soft, unverifiable] = await Promise.all([
      run('sh-off', { action: 'set_next_boot_device', action_parameter: 'pxe' }),
      run('sh-restart', { action: 'set_power_state', action_parameter: 'soft' }),
      run('sh-nostatus', { action: 'set_power_state', action_parameter: 'on' }),
    ]);
    expect(boot).toMatchObject({
      state: 'failed',
      error: 'platform lab cannot set the boot device',
    });
    expect(soft.state).toBe('failed');
    expect(soft.error).toMatch(
      /^not supported: set power soft for sh-restart \(shell:lab\): shell lab: power soft has no script/,
    );
    // Without a status command a change cannot be verified, so nothing is sent.
    expect(unverifiable).toMatchObject({
      state: 'failed',
      error: 'platform statusless cannot read the power state to verify the change',
    });
    expect(stateOf('sh-nostatus')).toBe('off');
  });

  it(
    "hands a platform's commands the controller variables its pass_env names, and no other, " +
      'on the clean base',
    async () => {
      const c = await run('sh-env', { action: 'get_power_state' });
      expect(c).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
      const env = Object.fromEntries(
        readFileSync(join(scene.dir, 'sh-env.state.env'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      // bash's own: the working directory, the shell level, the last command.
      for (const own of ['PWD', 'OLDPWD', 'SHLVL', '_']) delete env[own];
      expect(env).toEqual({
        PATH: expect.not.stringContaining('controller-only'),
        LANG: 'C.UTF-8',
        SB_CLI_CONFIG: CONTROLLER_EXTRA.SB_CLI_CONFIG,
        name: 'sh-env',
        state_file: join(scene.dir, 'sh-env.state'),
      });
    },
  );

  it('finds a server added to the inventory file while it runs', async () => {
    writeFileSync(join(scene.dir, 'sh-new.state'), 'on\n');
    writeInventory(
      scene.dir,
      [
        ...scene.nodes,
        { name: 'sh-new', platform: 'lab', vars: { state_file: join(scene.dir, 'sh-new.state') } },
      ],
      PLATFORM,
    );
    // The file watch picks the edit up within moments; until then the server is unknown.
    let last;
    for (let attempt = 0; attempt < 20; attempt++) {
      last = await run('sh-new', { action: 'get_power_state' });
      if (last.state === 'succeeded') break;
      expect(last.error).toBe('server sh-new is not in the inventory');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
  });
});
