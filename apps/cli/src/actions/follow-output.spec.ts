import type { OutputLine } from '@switchboard/condition-types';
import { ApiRequestError } from '../api-errors';
import { IDS_PER_STREAM, followOutput, outputPath } from './follow-output';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

const line = (conditionId: string, text: string): OutputLine => ({
  conditionId,
  server: conditionId === A ? 'node01' : 'node02',
  stream: 'stdout',
  line: text,
  ts: '2026-01-01T00:00:00.000Z',
});
const ndjson = (...lines: Array<OutputLine | string>) =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

/** A body that sends `text`, then ends, or breaks off (as a dropped connection does). */
function body(text: string, breaksOff = false): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode(text));
      } else if (breaksOff) controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
}

/** Answers each openStream with the next of `answers` (a body, or an error to throw). */
function client(...answers: Array<ReadableStream<Uint8Array> | Error>) {
  const paths: string[] = [];
  return {
    paths,
    baseUrl: 'http://api.test',
    openStream: async (path: string) => {
      paths.push(path);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

async function follow(c: ReturnType<typeof client>, ids: string[]) {
  const seen: string[] = [];
  const reconnects: string[] = [];
  await followOutput(c, ids, {
    signal: new AbortController().signal,
    retryDelayMs: 1,
    onLine: (l) => seen.push(`${l.server}: ${l.line}`),
    onReconnect: (why) => reconnects.push(why),
  });
  return { seen, reconnects };
}

describe('outputPath', () => {
  it.each([
    [[A], undefined, `/conditions/${A}/output`],
    [[A, B], undefined, `/output?ids=${A},${B}`],
    [[A], 90.2, `/conditions/${A}/output?timeout=91`],
    [[A, B], 0.1, `/output?ids=${A},${B}&timeout=1`],
    [[A], 10 * 24 * 3600, `/conditions/${A}/output?timeout=86400`],
  ])('%j, %p s left → %s', (ids, seconds, path) => {
    expect(outputPath(ids, seconds)).toBe(path);
  });
});

describe('followOutput', () => {
  it('passes every line on, in order, until the API ends the stream', async () => {
    const c = client(body(ndjson(line(A, 'a1'), line(B, 'b1'), line(A, 'a2'))));
    expect((await follow(c, [A, B])).seen).toEqual(['node01: a1', 'node02: b1', 'node01: a2']);
  });

  it(
    'reconnects after the stream ' + 'breaks off and skips the lines replayed from the start',
    async () => {
      const c = client(
        body(ndjson(line(A, 'a1'), line(B, 'b1'), line(A, 'a2')), true),
        body(ndjson(line(A, 'a1'), line(A, 'a2'), line(B, 'b1'), line(B, 'b2'), line(A, 'a3'))),
      );
      const { seen, reconnects } = await follow(c, [A, B]);
      expect(seen).toEqual(['node01: a1', 'node02: b1', 'node01: a2', 'node02: b2', 'node01: a3']);
      expect(reconnects).toEqual([
        'cannot reach the Switchboard API at http://api.test: the output stream broke off ' +
          '(terminated)',
      ]);
    },
  );

  it('retries an API that is briefly away (5xx)', async () => {
    const c = client(
      new ApiRequestError('GET', '/output', 503, '', undefined),
      body(ndjson(line(A, 'a1'))),
    );
    expect((await follow(c, [A])).seen).toEqual(['node01: a1']);
    expect(c.paths).toHaveLength(2);
  });

  it(
    'passes over keep-alives, lines ' + 'of other conditions and what is not an output line',
    async () => {
      const stranger = '33333333-3333-4333-8333-333333333333';
      const c = client(
        body(ndjson('', line(stranger, 'not ours'), '{"hello":1}', 'not json', line(A, 'a1'))),
      );
      expect((await follow(c, [A])).seen).toEqual(['node01: a1']);
    },
  );

  it('throws what the API refuses for good (404, 403)', async () => {
    const refused = new ApiRequestError('GET', `/conditions/${A}/output`, 404, '', {
      statusCode: 404,
      error: 'Not Found',
      message: 'condition not found',
    });
    await expect(follow(client(refused), [A])).rejects.toBe(refused);
  });

  it(`opens one stream per ${IDS_PER_STREAM} conditions`, async () => {
    const ids = Array.from(
      { length: IDS_PER_STREAM * 2 + 1 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const c = client(body(''), body(''), body(''));
    await follow(c, ids);
    expect(c.paths.map((p) => (p.match(/,/g) ?? []).length + 1)).toEqual([
      IDS_PER_STREAM,
      IDS_PER_STREAM,
      1,
    ]);
  });

  it('stops when aborted', async () => {
    const stop = new AbortController();
    const hanging = new ReadableStream<Uint8Array>({
      start: (controller) =>
        stop.signal.addEventListener('abort', () => controller.error(stop.signal.reason)),
    });
    const done = followOutput(client(hanging), [A], {
      signal: stop.signal,
      retryDelayMs: 1,
      onLine: () => undefined,
    });
    stop.abort();
    await expect(done).resolves.toBeUndefined();
  });
});
