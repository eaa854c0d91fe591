import { randomUUID } from 'node:crypto';
import { Condition, parametersByKind } from './condition';

const now = new Date().toISOString();
const base = {
  version: '1',
  id: randomUUID(),
  target: 'node01',
  state: 'pending',
  status: { records: [{ ts: now, msg: 'queued' }] },
  createdAt: now,
  updatedAt: now,
  requestedBy: 'alice',
};

describe('condition records', () => {
  it('parses a serverControl condition with a result', () => {
    const c = Condition.parse({
      ...base,
      kind: 'serverControl',
      state: 'succeeded',
      parameters: { action: 'set_power_state', action_parameter: 'off' },
      result: { power_state: 'off' },
    });
    expect(c.kind).toBe('serverControl');
  });

  it('parses an action condition and defaults its arguments', () => {
    const c = Condition.parse({ ...base, kind: 'action', parameters: { command: 'usage' } });
    expect(c.parameters).toEqual({ command: 'usage', arguments: [] });
  });

  it.each([
    ['id', { id: 'not-a-uuid' }],
    ['state', { state: 'running' }],
    ['status', { status: { records: [{ ts: 'yesterday', msg: 'x' }] } }],
    ['requestedBy', { requestedBy: '' }],
    ['kind', { kind: 'firmwareInstall' }],
  ])('refuses a bad %s', (field, patch) => {
    const r = Condition.safeParse({
      kind: 'serverControl',
      parameters: { action: 'get_power_state' },
      ...base,
      ...patch,
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it('refuses parameters of the other kind', () => {
    expect(
      Condition.safeParse({ ...base, kind: 'action', parameters: { action: 'get_power_state' } })
        .success,
    ).toBe(false);
  });

  it.each([
    ['usage', ['--verbose'], true],
    ['../etc/passwd', [], false],
    ['power-on', [42], false],
  ])('action command %p with arguments %p valid: %p', (command, args, ok) => {
    expect(parametersByKind.action.safeParse({ command, arguments: args }).success).toBe(ok);
  });
});
