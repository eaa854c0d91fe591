import { ServerControlParameters, bootDevices, powerActions } from './server-control';
import { CreateConditionBody } from './requests';

const assetId = 'ede81024-f62a-4288-8730-3fab8cceab78';

function issuesOf(input: unknown): string[] {
  const r = ServerControlParameters.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('serverControl parameters', () => {
  it('accepts the FlipFlop README payload (legacy assetID spelling, top-level exclusive)', () => {
    const body = CreateConditionBody.parse({
      exclusive: true,
      parameters: { assetID: assetId, action: 'set_power_state', action_parameter: 'cycle' },
    });
    expect(ServerControlParameters.parse(body.parameters)).toEqual({
      asset_id: assetId,
      action: 'set_power_state',
      action_parameter: 'cycle',
    });
  });

  it.each(powerActions)('accepts set_power_state %s', (p) => {
    expect(issuesOf({ asset_id: assetId, action: 'set_power_state', action_parameter: p })).toEqual(
      [],
    );
  });

  it.each(bootDevices)('accepts set_next_boot_device %s with persistent and efi flags', (d) => {
    expect(
      issuesOf({
        action: 'set_next_boot_device',
        action_parameter: d,
        set_next_boot_device_persistent: true,
        set_next_boot_device_efi: true,
      }),
    ).toEqual([]);
  });

  it.each(['get_power_state', 'power_cycle_bmc', 'pxe_boot_persistent'])(
    'accepts %s without a parameter (or an empty one)',
    (action) => {
      expect(issuesOf({ action })).toEqual([]);
      expect(issuesOf({ action, action_parameter: '' })).toEqual([]);
    },
  );

  it.each([
    [
      'a power action without its parameter',
      { action: 'set_power_state' },
      'action_parameter: action set_power_state needs action_parameter, one of: on, off, ' +
        'cycle, reset, soft',
    ],
    [
      'a boot device as a power parameter',
      { action: 'set_power_state', action_parameter: 'pxe' },
      'action_parameter: action set_power_state: action_parameter must be one of on, ' +
        'off, cycle, reset, soft, got "pxe"',
    ],
    [
      'a power parameter as a boot device',
      { action: 'set_next_boot_device', action_parameter: 'on' },
      'action_parameter: action set_next_boot_device: action_parameter must be one of ' +
        'bios, cdrom, diag, floppy, disk, none, pxe, remote_drive, sd_card, usb, ' +
        'utilities, got "on"',
    ],
    [
      'a parameter on an action that takes none',
      { action: 'get_power_state', action_parameter: 'on' },
      'action_parameter: action get_power_state takes no action_parameter (or one of ' +
        'status), got "on"',
    ],
    [
      'boot flags on a power action',
      { action: 'set_power_state', action_parameter: 'on', set_next_boot_device_efi: true },
      'set_next_boot_device_efi: set_next_boot_device_efi applies only to actions ' +
        'set_next_boot_device and pxe_boot_persistent',
    ],
    [
      'an unknown action',
      { action: 'explode' },
      'action: Invalid option: expected one of ' +
        '"set_power_state"|"get_power_state"|"set_next_boot_device"|' +
        '"power_cycle_bmc"|"pxe_boot_persistent"',
    ],
    [
      'an asset id that is not a UUID',
      { asset_id: 'node01', action: 'get_power_state' },
      'asset_id: asset_id must be a UUID',
    ],
    [
      'a flag of the wrong type',
      {
        action: 'set_next_boot_device',
        action_parameter: 'pxe',
        set_next_boot_device_persistent: 'yes',
      },
      'set_next_boot_device_persistent: Invalid input: expected boolean, received string',
    ],
  ])('refuses %s', (_name, input, expected) => {
    expect(issuesOf(input)).toContain(expected);
  });

  it('refuses unknown fields and names them', () => {
    expect(issuesOf({ action: 'get_power_state', force: true, colour: 'red' })).toEqual([
      ': Unrecognized keys: "force", "colour"',
    ]);
  });

  it('refuses conflicting asset_id and assetID', () => {
    expect(
      issuesOf({
        action: 'get_power_state',
        asset_id: assetId,
        assetID: '11111111-1111-4111-8111-111111111111',
      }),
    ).toEqual([': Unrecognized key: "assetID"']);
  });

  it.each([null, 'on', 42, []])('refuses a non-object (%p)', (input) => {
    expect(issuesOf(input).length).toBeGreaterThan(0);
  });
});

describe('request bodies', () => {
  it('refuses unknown top-level fields, naming them', () => {
    const r = CreateConditionBody.safeParse({ parameters: {}, priority: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('Unrecognized key: "priority"');
  });
});
