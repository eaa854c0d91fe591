import { ServerControlParameters } from '@switchboard/condition-types';
import { UsageError } from '../errors';
import {
  bootParameters,
  powerActionFlags,
  powerIntent,
  powerParameters,
  powerPositionals,
} from './power-actions';

describe('--action → serverControl parameters', () => {
  it.each([
    ['on', { action: 'set_power_state', action_parameter: 'on' }],
    ['off', { action: 'set_power_state', action_parameter: 'off' }],
    ['cycle', { action: 'set_power_state', action_parameter: 'cycle' }],
    ['reset', { action: 'set_power_state', action_parameter: 'reset' }],
    ['soft', { action: 'set_power_state', action_parameter: 'soft' }],
    ['status', { action: 'get_power_state' }],
    ['bmc-reset', { action: 'power_cycle_bmc' }],
    ['boot-pxe-persistent', { action: 'pxe_boot_persistent' }],
  ] as const)('%s → %j', (flag, expected) => {
    const parameters = powerParameters(flag);
    expect(parameters).toEqual(expected);
    expect(ServerControlParameters.parse(parameters)).toEqual(expected);
  });

  it('covers every flag it advertises', () => {
    for (const flag of powerActionFlags) expect(() => powerParameters(flag)).not.toThrow();
  });
});

describe('mctl boot flags → set_next_boot_device', () => {
  it.each([
    [
      { device: 'pxe' },
      {
        action: 'set_next_boot_device',
        action_parameter: 'pxe',
        set_next_boot_device_persistent: false,
        set_next_boot_device_efi: false,
      },
    ],
    [
      { device: 'pxe', persistent: true },
      {
        action: 'set_next_boot_device',
        action_parameter: 'pxe',
        set_next_boot_device_persistent: true,
        set_next_boot_device_efi: false,
      },
    ],
    [
      { device: 'disk', persistent: true, efi: true },
      {
        action: 'set_next_boot_device',
        action_parameter: 'disk',
        set_next_boot_device_persistent: true,
        set_next_boot_device_efi: true,
      },
    ],
  ] as const)('%j', (flags, expected) => {
    expect(bootParameters(flags)).toEqual(expected);
  });

  it('refuses a device the contract does not know', () => {
    expect(() => bootParameters({ device: 'tape' as never })).toThrow(UsageError);
  });
});

describe("OpenFlight's grammar: power <verb> <range>", () => {
  it.each([
    ['on', undefined, undefined, { kind: 'control', action: 'on' }],
    ['off', undefined, undefined, { kind: 'control', action: 'off' }],
    ['restart', undefined, undefined, { kind: 'control', action: 'cycle' }],
    ['status', undefined, undefined, { kind: 'control', action: 'status' }],
    ['list', undefined, undefined, { kind: 'list' }],
    ['cycle', undefined, undefined, { kind: 'control', action: 'cycle' }],
    ['bmc-reset', undefined, undefined, { kind: 'control', action: 'bmc-reset' }],
    [undefined, 'reset', undefined, { kind: 'control', action: 'reset' }],
    [undefined, 'status', undefined, { kind: 'control', action: 'status' }],
    [undefined, undefined, true, { kind: 'action-status' }],
  ] as const)(
    'verb %s, --action %s, --action-status %s → %j',
    (verb, action, actionStatus, expected) => {
      expect(powerIntent(verb, action, actionStatus ?? false)).toEqual(expected);
    },
  );

  it.each([
    ['on', 'off', false, /"on" and --action off/],
    ['status', undefined, true, /"status" and --action-status/],
    [undefined, 'on', true, /--action on and --action-status/],
    [undefined, undefined, false, /what should happen/],
  ] as const)(
    'refuses verb %s with --action %s / --action-status %s',
    (verb, action, actionStatus, message) => {
      expect(() => powerIntent(verb, action, actionStatus)).toThrow(message);
    },
  );

  it.each([
    [['on', 'node[01-03]'], false, { verb: 'on', targets: 'node[01-03]' }],
    [['list', undefined], false, { verb: 'list', targets: undefined }],
    [[undefined, undefined], true, {}],
    // FlipFlop users may put the range first: mctl power node01 --action on
    [['node01', undefined], true, { targets: 'node01' }],
  ] as const)('positionals %j (flag intent %s) → %j', ([first, second], flagIntent, expected) => {
    expect(powerPositionals(first, second, flagIntent)).toEqual(expected);
  });

  it('names the verbs when the first word is not one', () => {
    expect(() => powerPositionals('node01', undefined, false)).toThrow(
      /unknown power verb "node01"; expected one of: on, off, restart, status, list/,
    );
    expect(() => powerPositionals('frob', 'node01', true)).toThrow(UsageError);
  });
});
