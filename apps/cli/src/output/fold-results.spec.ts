import type { ServerResult } from '../server-results';
import { failed, succeeded } from '../test-support/conditions';
import { foldResults } from './fold-results';

const on = (s: string) => succeeded(s, { power_state: 'on' });
const off = (s: string) => succeeded(s, { power_state: 'off' });
const CONFLICTING = '5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11';

describe('foldResults (ipmipower style)', () => {
  it('folds servers with the same outcome into ranges', () => {
    expect(foldResults(['node03', 'node01', 'node05', 'node02', 'node04'].map(on))).toEqual([
      'on: node[01-05]',
    ]);
  });

  it('writes one line per outcome, in a fixed order, each line ordered by its first server', () => {
    const results: ServerResult[] = [
      { server: 'node99', outcome: 'unknown', reason: 'server "node99" is not in the inventory' },
      off('node08'),
      failed('node06', 'BMC unreachable'),
      {
        server: 'node09',
        outcome: 'conflict',
        conflictingConditionId: CONFLICTING,
        reason: 'busy',
      },
      ...['node01', 'node02', 'node03', 'node04', 'node05'].map(on),
      off('node07'),
      { server: 'node10', outcome: 'timeout', state: 'active', reason: 'still active after 120 s' },
      { server: 'node11', outcome: 'error', reason: 'KV write failed' },
    ];
    expect(foldResults(results)).toEqual([
      'on: node[01-05]',
      'off: node[07-08]',
      'failed: node06 (BMC unreachable)',
      'timeout: node10 (still active after 120 s)',
      `conflict: node09 (condition ${CONFLICTING} in progress)`,
      'unknown: node99',
      'error: node11 (KV write failed)',
    ]);
  });

  it('folds failures with the same error together and keeps different errors apart', () => {
    const results = [
      failed('node02', 'BMC unreachable'),
      failed('node01', 'BMC unreachable'),
      failed('node03', 'authentication refused'),
      failed('node04', 'BMC unreachable'),
    ];
    expect(foldResults(results)).toEqual([
      'failed: node[01-02,04] (BMC unreachable)',
      'failed: node03 (authentication refused)',
    ]);
  });

  it(
    'orders lines of the same outcome by their first server, naturally (node2 before ' + 'node10)',
    () => {
      expect(foldResults([failed('node10', 'b'), failed('node2', 'a')])).toEqual([
        'failed: node2 (a)',
        'failed: node10 (b)',
      ]);
    },
  );

  it.each([
    [{ boot_device: 'pxe', persistent: true, efi: true }, 'boot pxe persistent efi'],
    [{ boot_device: 'pxe', persistent: false }, 'boot pxe'],
    [{ bmc_reset: true }, 'bmc reset'],
    [
      { boot_device: 'pxe', persistent: true, power_state: 'on' as const },
      'boot pxe persistent, on',
    ],
    [{}, 'on'], // nothing read back: what was asked for
  ])('labels a success by its result %j as "%s"', (result, label) => {
    expect(foldResults([succeeded('node01', result)])).toEqual([`${label}: node01`]);
  });

  it('labels a success without a result by the request, else "ok"', () => {
    expect(foldResults([succeeded('node01', {}, { action: 'power_cycle_bmc' })])).toEqual([
      'bmc reset: node01',
    ]);
    expect(foldResults([{ server: 'node01', outcome: 'succeeded' }])).toEqual(['ok: node01']);
  });

  it('gives each queued condition its own line with its id (--no-wait)', () => {
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    expect(
      foldResults([
        { server: 'node02', outcome: 'queued', conditionId: b },
        { server: 'node01', outcome: 'queued', conditionId: a },
      ]),
    ).toEqual([`queued: node01 (condition ${a})`, `queued: node02 (condition ${b})`]);
  });

  it('folds unknown names regardless of the reason the API gave', () => {
    expect(
      foldResults([
        { server: 'node98', outcome: 'unknown', reason: 'server "node98" is not in the inventory' },
        { server: 'node99', outcome: 'unknown', reason: 'server "node99" is not in the inventory' },
      ]),
    ).toEqual(['unknown: node[98-99]']);
  });

  it('prints nothing for nothing', () => {
    expect(foldResults([])).toEqual([]);
  });
});
