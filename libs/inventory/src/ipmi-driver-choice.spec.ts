import { inventoryError, lines } from '../test/helpers';
import { parseInventory } from './index';

// Which implementation speaks IPMI for a node: native (libs/ipmi) unless the node or the
// file's `platforms.ipmi` says ipmitool.

describe('the IPMI driver of a native IPMI node', () => {
  it.each([
    { case: 'nothing said', node: '{ platform: ipmi }', platforms: [], expected: 'native' },
    {
      case: 'the node says ipmitool',
      node: '{ platform: ipmi, driver: ipmitool }',
      platforms: [],
      expected: 'ipmitool',
    },
    {
      case: 'the platform says ipmitool',
      node: '{ platform: ipmi }',
      platforms: ['  ipmi: { driver: ipmitool }'],
      expected: 'ipmitool',
    },
    {
      case: 'the node says native over the platform',
      node: '{ platform: ipmi, driver: native }',
      platforms: ['  ipmi: { driver: ipmitool }'],
      expected: 'native',
    },
  ])('$case: $expected', ({ node, platforms, expected }) => {
    const inv = parseInventory(
      lines('static_nodes:', `  node01: ${node}`, 'platforms:', ...platforms),
      'inventory.yaml',
    );
    expect(inv.get('node01')).toMatchObject({ driver: 'ipmi', ipmiDriver: expected });
  });

  it('a platforms.ipmi with only a driver setting is not a shell platform', () => {
    const inv = parseInventory(
      lines(
        'static_nodes:',
        '  node01: { platform: ipmi }',
        'platforms:',
        '  ipmi: { driver: native }',
      ),
      'inventory.yaml',
    );
    expect(inv.get('node01')?.driver).toBe('ipmi');
  });

  it('a platforms.ipmi with commands stays the shell platform it was', () => {
    const inv = parseInventory(
      lines(
        'static_nodes:',
        '  node01: { platform: ipmi }',
        'platforms:',
        '  ipmi: { status: "exit 0", driver: ipmitool }',
      ),
      'inventory.yaml',
    );
    expect(inv.get('node01')?.driver).toBe('shell');
  });

  it('`driver` on a node of another platform is an ordinary attribute', () => {
    const inv = parseInventory(
      lines(
        'static_nodes:',
        '  node01: { platform: lab, driver: anything }',
        'platforms:',
        '  lab: { status: "exit 0" }',
      ),
      'inventory.yaml',
    );
    expect(inv.get('node01')).toMatchObject({
      driver: 'shell',
      attributes: { driver: 'anything' },
    });
    expect(inv.get('node01')?.ipmiDriver).toBeUndefined();
  });

  it.each([
    [
      'on the node',
      lines('node01:', '  platform: ipmi', '  driver: freeipmi'),
      'inventory.yaml:3: node "node01": field "driver": ' +
        'unknown IPMI driver "freeipmi" (expected native or ipmitool)',
    ],
    [
      'on the platform',
      lines(
        'static_nodes:',
        '  node01: { platform: ipmi }',
        'platforms:',
        '  ipmi:',
        '    driver: lanplus',
      ),
      'inventory.yaml:5: field "platforms.ipmi.driver": ' +
        'unknown IPMI driver "lanplus" (expected native or ipmitool)',
    ],
  ])('an unknown driver %s is refused, naming both choices', (_where, text, message) => {
    expect(inventoryError(text).message).toBe(message);
  });
});
