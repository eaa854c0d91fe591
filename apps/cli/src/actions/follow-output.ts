import { OutputLine } from '@switchboard/condition-types';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDS_PER_REQUEST } from '../api-client';
import type { ApiClient } from '../api-client';
import { ApiUnreachableError, isTransient } from '../api-errors';
import { ndjsonLines } from '../ndjson-lines';

/**
 * Conditions per output stream. The API lets a token hold 32 streams open, so one run follows up to
 * 6400 nodes live.
 */
export const IDS_PER_STREAM = IDS_PER_REQUEST;

type StreamClient = Pick<ApiClient, 'openStream' | 'baseUrl'>;

export interface FollowOptions {
  /** Stops following (the overall deadline, or a second Ctrl-C). */
  signal: AbortSignal;
  /** Pause before reconnecting after the stream broke. */
  retryDelayMs: number;
  /**
   * When the API should end the stream even if conditions still run (`?timeout=`; its default is 1
   * h).
   */
  deadline?: number;
  /** Each line, once, in the order the API sent it. */
  onLine(line: OutputLine): void;
  /** The stream broke and is being reopened: why. */
  onReconnect?(reason: string): void;
}

/** The API's bounds on `?timeout=` of an output stream, in seconds. */
const STREAM_TIMEOUT_S = { min: 1, max: 24 * 60 * 60 };

/** One condition: GET /conditions/{id}/output; several: GET /output?ids=a,b,c (interleaved). */
export function outputPath(ids: readonly string[], timeoutSeconds?: number): string {
  const seconds =
    timeoutSeconds === undefined
      ? undefined
      : Math.min(STREAM_TIMEOUT_S.max, Math.max(STREAM_TIMEOUT_S.min, Math.ceil(timeoutSeconds)));
  const timeout = seconds === undefined ? '' : `timeout=${seconds}`;
  if (ids.length === 1)
    return `/conditions/${encodeURIComponent(ids[0])}/output${timeout ? `?${timeout}` : ''}`;
  return `/output?ids=${ids.map(encodeURIComponent).join(',')}${timeout ? `&${timeout}` : ''}`;
}

/**
 * Follows the live output of conditions until the API ends the streams (every condition is
 * final), `signal` aborts, or the API refuses for good (that error is thrown).
 *
 * A stream that breaks (API restart, network blip) is reopened. The API replays a condition's
 * output from its first line to a client that connects late, so after a reconnect the first
 * lines of each condition, as many as were already passed on, are skipped: every line reaches
 * `onLine` exactly once.
 */
export async function followOutput(
  client: StreamClient,
  ids: readonly string[],
  opts: FollowOptions,
): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STREAM)
    chunks.push(ids.slice(i, i + IDS_PER_STREAM));
  await Promise.all(chunks.map((chunk) => followStream(client, chunk, opts)));
}

async function followStream(
  client: StreamClient,
  ids: string[],
  opts: FollowOptions,
): Promise<void> {
  const wanted = new Set(ids);
  const passedOn = new Map<string, number>();
  while (!opts.signal.aborted) {
    const seen = new Map<string, number>();
    try {
      const path = outputPath(
        ids,
        opts.deadline === undefined ? undefined : (opts.deadline - Date.now()) / 1000,
      );
      const body = await client.openStream(path, opts.signal);
      for await (const text of readLines(body, client)) {
        const line = parseLine(text);
        if (!line || !wanted.has(line.conditionId)) continue;
        const nth = (seen.get(line.conditionId) ?? 0) + 1;
        seen.set(line.conditionId, nth);
        if (nth <= (passedOn.get(line.conditionId) ?? 0)) continue;
        passedOn.set(line.conditionId, nth);
        opts.onLine(line);
      }
      return;
    } catch (err) {
      if (opts.signal.aborted) return;
      if (!isTransient(err)) throw err;
      opts.onReconnect?.((err as Error).message);
      await sleep(opts.retryDelayMs, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  }
}

/** A body that breaks off mid-stream is the API or the network going away: worth reconnecting. */
async function* readLines(
  body: ReadableStream<Uint8Array>,
  client: StreamClient,
): AsyncGenerator<string> {
  try {
    yield* ndjsonLines(body as unknown as AsyncIterable<Uint8Array>);
  } catch (err) {
    throw new ApiUnreachableError(
      client.baseUrl,
      `the output stream broke off (${(err as Error).message})`,
    );
  }
}

/** Blank lines (keep-alives) and anything that is not an output line are passed over. */
function parseLine(text: string): OutputLine | undefined {
  if (text.trim() === '') return undefined;
  try {
    const parsed = OutputLine.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
