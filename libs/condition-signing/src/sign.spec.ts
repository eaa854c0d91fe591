import { Condition } from '@switchboard/condition-types';
import { randomSigningKeys, SigningKeys } from './keys';
import { signCondition, verifyCondition } from './sign';

// A condition record signed by one process and checked by another: every field that decides what
// runs is covered, the key is checked by its id, and a record copied back later is refused.

const ts = '2026-11-29T12:00:00.000Z';
const action = Condition.parse({
  version: '1.1',
  id: '0b7e6f4e-8a62-4a59-9d8e-3c2b1a0f9e8d',
  kind: 'action',
  target: 'node01',
  parameters: { command: 'usage', arguments: ['--since=1d', 'nœud 🔌', ''] },
  state: 'pending',
  status: { records: [{ ts, msg: 'queued by alice' }] },
  createdAt: ts,
  updatedAt: ts,
  requestedBy: 'alice',
  client: 'alice',
  fault: { panic: false, delayDuration: '1s', failAt: '' },
});

let keys: SigningKeys;
let other: SigningKeys;
beforeAll(() => {
  keys = randomSigningKeys();
  other = randomSigningKeys();
});

/** The stored JSON of a record, as a reader gets it. */
const stored = (record: object): Record<string, unknown> => JSON.parse(JSON.stringify(record));

describe('signCondition and verifyCondition', () => {
  it('accept a record signed with the current key, after a JSON round trip', () => {
    const signed = signCondition(action, keys);
    expect(signed.signature).toEqual({
      v: 1,
      kid: keys.current.kid,
      mac: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(verifyCondition(stored(signed), keys)).toEqual({ ok: true });
    expect(Condition.parse(stored(signed))).toEqual(signed);
  });

  it('accept the same record with its fields in another order', () => {
    const signed = stored(signCondition(action, keys));
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect(verifyCondition(reordered, keys)).toEqual({ ok: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a record as an attacker edits it
  it.each<[string, (r: Record<string, any>) => void]>([
    ['id', (r) => (r.id = '1b7e6f4e-8a62-4a59-9d8e-3c2b1a0f9e8d')],
    ['kind', (r) => (r.kind = 'serverControl')],
    ['target', (r) => (r.target = 'node02')],
    ['command', (r) => (r.parameters.command = 'power-off')],
    ['first argument', (r) => (r.parameters.arguments[0] = '--since=100d')],
    ['argument order', (r) => r.parameters.arguments.reverse()],
    ['arguments (one added)', (r) => r.parameters.arguments.push('--all')],
    [
      'second argument, spelt in another Unicode form',
      (r) => (r.parameters.arguments[1] = 'nœud 🔌'.normalize('NFD').replace('œ', 'oe')),
    ],
    ['requestedBy', (r) => (r.requestedBy = 'admin')],
    ['client', (r) => (r.client = 'admin')],
    ['createdAt', (r) => (r.createdAt = '2026-11-29T12:00:01.000Z')],
    ['fault', (r) => (r.fault.panic = true)],
    ['fault (removed)', (r) => delete r.fault],
    ['state', (r) => (r.state = 'active')],
    ['controller', (r) => (r.controller = 'ctl-x')],
    ['status records', (r) => (r.status.records[0].msg = 'cycle sent')],
    ['fields (one added)', (r) => (r.error = 'x')],
    ['updatedAt', (r) => (r.updatedAt = '2026-11-29T12:00:02.000Z')],
  ])('refuse a signed record after a change to its %s', (_name, change) => {
    const record = stored(signCondition(action, keys));
    change(record);
    expect(verifyCondition(record, keys)).toEqual({
      ok: false,
      code: 'signature_invalid',
      reason: 'the record signature does not match its content: it was changed after it was signed',
    });
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ['unsigned', () => stored(action), 'signature_missing', /carries no signature/],
    [
      'signed with a key the controller does not hold',
      () => stored(signCondition(action, other)),
      'signature_invalid',
      /signed with key [0-9a-f]{16}, which this controller does not hold \(it holds [0-9a-f]{16}\)/,
    ],
    [
      'carrying the controller key id over a MAC of another key',
      () => ({
        ...stored(signCondition(action, other)),
        signature: { ...signCondition(action, other).signature, kid: keys.current.kid },
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'with a malformed signature',
      () => ({ ...stored(action), signature: { v: 2, kid: keys.current.kid, mac: 'x' } }),
      'signature_invalid',
      /malformed/,
    ],
    [
      'not an object',
      () => [stored(signCondition(action, keys))],
      'signature_invalid',
      /not a JSON object/,
    ],
    ['null', () => null, 'signature_invalid', /not a JSON object/],
  ])('refuse a record: %s', (_name, record, code, reason) => {
    const verdict = verifyCondition(record(), keys);
    expect(verdict).toEqual({ ok: false, code, reason: expect.stringMatching(reason) });
  });

  it('never put the key in a reason', () => {
    const verdict = verifyCondition(stored(signCondition(action, other)), keys);
    const secret = keys.current.key.export().toString();
    expect(JSON.stringify(verdict)).not.toContain(secret);
  });
});

describe('key rotation', () => {
  it('accepts the previous key; an update keeps the key the record was signed with', () => {
    const rotated: SigningKeys = { current: other.current, previous: keys.current };
    const old = signCondition(action, keys);
    expect(verifyCondition(stored(old), rotated)).toEqual({ ok: true });
    const updated = signCondition({ ...old, state: 'active' as const }, rotated);
    expect(updated.signature.kid).toBe(keys.current.kid);
    expect(verifyCondition(stored(updated), keys)).toEqual({ ok: true });
    const fresh = signCondition(action, rotated);
    expect(fresh.signature.kid).toBe(other.current.kid);
    expect(verifyCondition(stored(fresh), keys)).toMatchObject({ code: 'signature_invalid' });
  });

  it('signs a record whose key it does not hold with its current key', () => {
    const foreign = signCondition(action, other);
    expect(signCondition(foreign, keys).signature.kid).toBe(keys.current.kid);
  });
});

describe('freshness', () => {
  const at = (offsetMs: number) => new Date(Date.parse(ts) + offsetMs);

  it.each([0, 59_000, -59_000])('accepts a version NATS stored %i ms from its updatedAt', (gap) => {
    const record = stored(signCondition(action, keys));
    expect(verifyCondition(record, keys, { storedAt: at(gap), maxSkewMs: 60_000 })).toEqual({
      ok: true,
    });
  });

  it.each<[number, RegExp]>([
    [61_000, /stored this version of the record 61 s after the time it was signed at: .*replay/],
    [-3_600_000, /3600 s before the time it was signed at/],
  ])('refuses a version NATS stored %i ms from its updatedAt', (gap, reason) => {
    const record = stored(signCondition(action, keys));
    expect(verifyCondition(record, keys, { storedAt: at(gap), maxSkewMs: 60_000 })).toEqual({
      ok: false,
      code: 'signature_stale',
      reason: expect.stringMatching(reason),
    });
  });
});
