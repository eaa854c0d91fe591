/**
 * Property-based: whatever a client with a valid token sends, the API answers a well-formed
 * 2xx or 4xx (the success shape, or an ErrorResponse), never a 5xx, a crash or a hang, and
 * a refused request leaves the queue and the claims as they were.
 */
import fc from 'fast-check';
import { z } from 'zod';
import {
  BatchConditionResponse,
  Condition,
  ErrorResponse,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { Harness, NODE01_ID, bearer, queueMarks, startHarness } from './testing/harness';

/**
 * Bounds: runs per property, and a time limit after which a property stops early (and passes on
 * what it ran).
 */
const RUNS = 200;
const TIME_LIMIT_MS = 25_000;
const settings = {
  numRuns: RUNS,
  interruptAfterTimeLimit: TIME_LIMIT_MS,
  markInterruptAsFailure: false,
};

let h: Harness;
let auth: Record<string, string>;

beforeAll(async () => {
  // A budget no property reaches: rate limiting has its own spec.
  h = await startHarness({ rateLimitPerMinute: 1_000_000 });
  auth = bearer(h.token({ sub: 'fuzzer' }));
});

afterAll(async () => {
  await h?.close();
});

// ---- generators ----------------------------------------------------------------------

/**
 * Path segments: unicode and arbitrary code points (encoded), traversal, NUL, stray %, and raw
 * fragments.
 */
const segment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ maxLength: 1500 }).map(encodeURIComponent),
  fc.constantFrom(
    'node01',
    'node02',
    NODE01_ID,
    'login1',
    'serverControl',
    'action',
    '..',
    '../',
    '..%2f',
    '%2e%2e%2f',
    '%00',
    'node01%00',
    '%',
    '%zz',
    '%E0%A4%A',
    '*',
    '%3E',
    '~',
    '',
  ),
  fc
    .array(
      fc.constantFrom(
        '..',
        '/',
        '%',
        '%00',
        '%2F',
        '.',
        ';',
        '$(id)',
        '`id`',
        'node',
        '01',
        'ü',
        '😀',
        '?',
        '#',
        '&',
        '=',
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('')),
);

/**
 * node16 is never targeted: the last test creates a condition there to show the API still works.
 */
const SPARED = 'node16';

/**
 * Mostly names the inventory knows, so that requests get past the lookup; otherwise any segment.
 */
const server = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom('node01', 'node05', 'node09', 'node15', NODE01_ID, 'login1'),
  },
  { weight: 3, arbitrary: segment },
);
const kind = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('serverControl', 'action') },
  { weight: 1, arbitrary: segment },
);

/**
 * Values for a field: anything at all, shell and control characters, or a value that field may
 * really take.
 */
const fieldValue = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.anything(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('$(touch /tmp/x)', '`id`', '; rm -rf /', `'"`, '\n', '\u0000', '', ' '),
    plausible,
  );

function withValueAt(base: object, path: readonly string[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}

/**
 * Request bodies: the valid payload itself (so that some requests succeed and later ones
 * conflict), arbitrary values, the valid payload with one field replaced, or with an
 * unknown field added; as JSON text, and sometimes raw text that is not JSON at all.
 */
function bodies(
  valid: object,
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<string> {
  const paths = Object.keys(fields);
  const value = fc.oneof(
    { weight: 1, arbitrary: fc.constant<unknown>(valid) },
    { weight: 2, arbitrary: fc.oneof(fc.anything(), fc.jsonValue()) },
    {
      weight: 5,
      arbitrary: fc
        .constantFrom(...paths)
        .chain((path) =>
          fieldValue(fields[path]).map((v) => withValueAt(valid, path.split('.'), v)),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string(), fc.jsonValue()).map(([key, v]) => ({ ...valid, [key]: v })),
    },
  );
  // JSON.stringify(undefined) is undefined: that case is an empty body.
  return fc.oneof(
    { weight: 6, arbitrary: value.map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

const powerWords = fc.constantFrom(
  'set_power_state',
  'get_power_state',
  'set_next_boot_device',
  'power_cycle_bmc',
  'on',
  'off',
  'cycle',
  'pxe',
  'disk',
  'usage',
  'status',
);
const createBody = bodies(
  { parameters: { action: 'set_power_state', action_parameter: 'on' } },
  {
    parameters: fc.constantFrom(
      { action: 'get_power_state' },
      { command: 'usage' },
      { command: 'usage', arguments: ['$(id)', '`id`', ';id'] },
    ),
    'parameters.action': powerWords,
    'parameters.action_parameter': powerWords,
    'parameters.asset_id': fc.oneof(fc.uuid(), fc.constant(NODE01_ID)),
    'parameters.set_next_boot_device_persistent': fc.boolean(),
    'parameters.command': powerWords,
    'parameters.arguments': fc.array(fc.string({ unit: 'binary' }), { maxLength: 300 }),
    exclusive: fc.boolean(),
  },
);
const batchBody = bodies(
  { kind: 'action', targets: 'node[01-15]', parameters: { command: 'usage', arguments: [] } },
  {
    kind: fc.constantFrom('action', 'serverControl'),
    targets: fc.oneof(
      segment,
      fc.constantFrom(
        'node[01-15]',
        '@rack2',
        'login1,ghost[1-3]',
        '@nogroup',
        'x[1-100000]',
        'node[1-1000000]',
        'node[01-',
        '@',
        ',,',
        'node01,,node02',
        'node[16-01]',
        'a'.repeat(4097),
      ),
    ),
    parameters: fc.constantFrom({ action: 'get_power_state' }, { command: 'usage' }, {}),
    'parameters.command': powerWords,
    'parameters.arguments': fc.array(fc.string({ unit: 'binary' }), { maxLength: 300 }),
    'parameters.action': powerWords,
    exclusive: fc.boolean(),
  },
);

// ---- checks --------------------------------------------------------------------------

interface Sent {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

async function send(request: Sent) {
  const headers = {
    ...auth,
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...request.headers,
  };
  const res = await h.api.app.inject({
    method: request.method,
    url: request.url,
    headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  return { status: res.statusCode, body: res.body };
}

/**
 * The answer is a 2xx of `success`'s shape or a 4xx ErrorResponse whose statusCode is the status.
 */
function expectWellFormed(
  answer: { status: number; body: string },
  success: z.ZodType,
  where: Sent,
): void {
  const context =
    `${where.method} ${where.url} ${where.body?.slice(0, 200) ?? ''} → ${answer.status} ` +
    `${answer.body.slice(0, 300)}`;
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok && !(answer.status >= 400 && answer.status < 500))
    throw new Error(`not a 2xx or 4xx: ${context}`);
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    throw new Error(`answer is not JSON: ${context}`);
  }
  const parsed = (ok ? success : ErrorResponse).safeParse(json);
  if (!parsed.success)
    throw new Error(`answer is not ${ok ? 'the success shape' : 'an ErrorResponse'}: ${context}`);
  if (!ok && (json as ErrorResponse).statusCode !== answer.status)
    throw new Error(`statusCode differs from the status: ${context}`);
}

/** A POST: well-formed, and when refused, nothing queued or claimed. */
async function checkCreate(request: Sent, success: z.ZodType): Promise<void> {
  const before = await queueMarks(h.observer);
  const answer = await send(request);
  expectWellFormed(answer, success, request);
  if (answer.status >= 400) {
    const after = await queueMarks(h.observer);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(
        `refused request ${request.method} ${request.url} changed the queue: ` +
          `${JSON.stringify(before)} → ${JSON.stringify(after)}`,
      );
    }
  }
}

// ---- properties ----------------------------------------------------------------------

describe('any input, with a valid token', () => {
  it(`POST /servers/{server}/condition/{kind}: any segments and body (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(server, kind, createBody, (name, kindName, body) =>
        checkCreate(
          { method: 'POST', url: `/api/v1/servers/${name}/condition/${kindName}`, body },
          ServerConditionsResponse,
        ),
      ),
      settings,
    );
  }, 60_000);

  it(`POST /conditions: any body (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(batchBody, (body) =>
        checkCreate({ method: 'POST', url: '/api/v1/conditions', body }, BatchConditionResponse),
      ),
      settings,
    );
  }, 60_000);

  it(`GET routes: any segments and wait values (${RUNS} runs)`, async () => {
    // Waits stay short: a generated wait on a real pending condition would hold the run for it.
    const wait = fc.oneof(
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
      fc.integer({ min: -5, max: 50 }).map(String),
    );
    const request = fc.oneof(
      server.map((s): Sent => ({ method: 'GET', url: `/api/v1/servers/${s}/status` })),
      fc
        .tuple(server, kind)
        .map(([s, k]): Sent => ({ method: 'GET', url: `/api/v1/servers/${s}/condition/${k}` })),
      fc
        .oneof(segment, fc.uuid())
        .map((id): Sent => ({ method: 'GET', url: `/api/v1/conditions/${id}` })),
      fc
        .tuple(fc.uuid(), wait)
        .map(([id, w]): Sent => ({ method: 'GET', url: `/api/v1/conditions/${id}?wait=${w}` })),
      segment.map((s): Sent => ({ method: 'GET', url: `/api/v1/${s}` })),
    );
    await fc.assert(
      fc.asyncProperty(request, async (sent) => {
        const success = sent.url.startsWith('/api/v1/conditions/')
          ? Condition
          : ServerConditionsResponse;
        expectWellFormed(await send(sent), success, sent);
      }),
      settings,
    );
  }, 60_000);

  it(
    `cancel, output and commands ` + `routes: any segments and query values (${RUNS} runs)`,
    async () => {
      // Ids are never those of real conditions: a found one would be cancelled, or streamed for an
      // hour.
      const query = fc.oneof(
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
        fc.array(fc.oneof(fc.uuid(), segment), { maxLength: 5 }).map((ids) => ids.join(',')),
        fc.integer({ min: -5, max: 100_000 }).map(String),
      );
      const id = fc.oneof(segment, fc.uuid());
      const request = fc.oneof(
        id.map((i): Sent => ({ method: 'DELETE', url: `/api/v1/conditions/${i}` })),
        fc.tuple(id, query).map(([i, t]): Sent => ({
          method: 'GET',
          url: `/api/v1/conditions/${i}/output?timeout=${t}`,
        })),
        fc.tuple(query, query).map(([ids, t]): Sent => ({
          method: 'GET',
          url: `/api/v1/output?ids=${ids}&timeout=${t}`,
        })),
        segment.map((name): Sent => ({ method: 'GET', url: `/api/v1/commands/${name}` })),
      );
      // Without a commands directory and without real ids, no request here can succeed: every
      // answer is a 4xx.
      await fc.assert(
        fc.asyncProperty(request, async (sent) =>
          expectWellFormed(await send(sent), z.never(), sent),
        ),
        settings,
      );
    },
    60_000,
  );

  it('stays up and keeps working', async () => {
    expect((await send({ method: 'GET', url: '/healthz' })).status).toBe(200);
    expect((await send({ method: 'GET', url: '/readyz' })).status).toBe(200);
    const res = await send({
      method: 'POST',
      url: `/api/v1/servers/${SPARED}/condition/action`,
      body: JSON.stringify({ parameters: { command: 'usage' } }),
    });
    expect(res.status).toBe(200);
  });
});

describe('any credential but a minted token', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  });

  it(`is refused with 401 (${RUNS} runs)`, async () => {
    const valid = h.token({ sub: 'fuzzer' });
    const tampered = fc
      .tuple(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
      )
      .filter(([at, c]) => valid[at] !== c)
      .map(([at, c]) => `Bearer ${valid.slice(0, at)}${c}${valid.slice(at + 1)}`);
    const header = fc.oneof(
      printable,
      printable.map((s) => `Bearer ${s}`),
      tampered,
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const sent: Sent = { method: 'GET', url: '/api/v1/servers', headers: { authorization } };
        const answer = await send(sent);
        if (answer.status !== 401)
          throw new Error(
            `expected 401 for ${JSON.stringify(authorization)}, got ${answer.status} ` +
              `${answer.body}`,
          );
        expectWellFormed(answer, ErrorResponse, sent);
      }),
      settings,
    );
  }, 60_000);
});
