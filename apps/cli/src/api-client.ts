import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiCondition,
  BatchConditionResponse,
  CommandsResponse,
  ErrorCode,
  ErrorResponse,
  OutcomeLine,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import type { ConditionKind, ParametersOf } from '@switchboard/condition-types';
import type { PublicServer } from '@switchboard/inventory';
import { z } from 'zod';
import { ndjsonLines } from './ndjson-lines';
import {
  ApiProtocolError,
  ApiRequestError,
  ErrorAnswer,
  ApiUnreachableError,
  CreateOutcomeUnknownError,
  describeFetchError,
  neverSent,
  retryable,
} from './api-errors';
import { formatDuration } from './output/duration';
import { httpFetch } from './http-fetch';

export const API_PREFIX = '/api/v1';

/**
 * Condition ids per request that names them in its URL (`?ids=`). 200 ids make a request line
 * of about 7.4 KB: inside the 8 KB a proxy such as nginx allows for one by default (the API
 * itself takes 64 KiB).
 */
export const IDS_PER_REQUEST = 200;

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:9001`, without `/api/v1`. */
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  /** Bound on a single HTTP request (default 30 s). */
  requestTimeoutMs?: number;
  /** Other API replicas (MCTL_URL=a,b,c) a create is retried against, after `baseUrl`. */
  otherUrls?: string[];
  /**
   * How long a create is retried (same Idempotency-Key) on a connection error or 503 (default 60
   * s).
   */
  createRetryMs?: number;
  /** Told one line per retry of a create (the progress line on stderr). */
  onRetry?: (line: string) => void;
}

/**
 * Pause before the first retry of a create, doubled per attempt up to CREATE_RETRY_MAX_DELAY_MS.
 */
const CREATE_RETRY_FIRST_DELAY_MS = 250;
const CREATE_RETRY_MAX_DELAY_MS = 2000;

/**
 * Answer of a single-server creation: 404 and 409 are per-server outcomes, not failures of the
 * command.
 */
export type CreateResult =
  | { outcome: 'accepted'; condition: ApiCondition }
  | { outcome: 'unknown'; message: string }
  | { outcome: 'conflict'; conditionId?: string; message: string };

export type ServerStatus =
  /** `server`: the inventory name (the answer's `serverID` is the server's UUID). */
  | { found: 'server'; server: string; conditions: ApiCondition[] }
  /** Known server, no condition yet. */
  | { found: 'none'; message: string }
  /** Not in the inventory. */
  | { found: 'unknown'; message: string };

/** Answer of DELETE /conditions/{id}. */
export type CancelResult =
  /** It was still pending: failed now, it will never run. */
  | { outcome: 'cancelled' }
  /** It was running: its controller is stopping the script; it becomes final soon. */
  | { outcome: 'cancelling' }
  /** 409: already final, or no controller acknowledged; the API says which. */
  | { outcome: 'refused'; message: string }
  | { outcome: 'unknown'; message: string };

type Method = 'GET' | 'POST' | 'DELETE';

interface Answer {
  status: number;
  statusText: string;
  body: unknown;
}

/** The inventory listing: GET /servers answers an array or wraps it in `records` / `servers`. */
const ListedServer = z.looseObject({ name: z.string() });
const ServerList = z.union([
  z.array(ListedServer),
  z.object({ records: z.array(ListedServer) }).transform((a) => a.records),
  z.object({ servers: z.array(ListedServer) }).transform((a) => a.servers),
]);

/** A thin typed client of conditions-api: every answer is checked against libs/condition-types. */
export class ApiClient {
  /** The API in use: the first configured, or the replica that last answered a create. */
  baseUrl: string;
  private readonly token?: string;
  private readonly fetchFn: typeof fetch;
  private readonly requestTimeoutMs: number;
  private readonly urls: string[];
  private readonly createRetryMs: number;
  private readonly onRetry: (line: string) => void;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.token = opts.token;
    this.fetchFn = opts.fetch ?? httpFetch();
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.urls = [opts.baseUrl, ...(opts.otherUrls ?? [])];
    this.createRetryMs = opts.createRetryMs ?? 60_000;
    this.onRetry = opts.onRetry ?? (() => undefined);
  }

  /** POST /servers/{server}/condition/{kind}. */
  async createCondition<K extends ConditionKind>(
    server: string,
    kind: K,
    parameters: ParametersOf<K>,
  ): Promise<CreateResult> {
    const path = `/servers/${encodeURIComponent(server)}/condition/${kind}`;
    const answer = await this.sendCreate(path, { parameters });
    if (codeOf(answer) === 'unknown_server') {
      return {
        outcome: 'unknown',
        message: errorBody(answer.body)?.message ?? `server ${server} not found`,
      };
    }
    if (codeOf(answer) === 'server_busy') {
      const body = errorBody(answer.body);
      return {
        outcome: 'conflict',
        conditionId: body?.conditionId,
        message: body?.message ?? 'conflict',
      };
    }
    const response = this.expect('POST', path, answer, ServerConditionsResponse);
    const condition =
      response.records.conditions.find((c) => c.kind === kind) ?? response.records.conditions[0];
    if (!condition)
      throw new ApiProtocolError('POST', this.url(path), 'the answer holds no condition');
    return { outcome: 'accepted', condition };
  }

  /** POST /conditions: one request, many servers. */
  async createBatch<K extends ConditionKind>(
    kind: K,
    targets: string,
    parameters: ParametersOf<K>,
  ): Promise<BatchConditionResponse> {
    const path = '/conditions';
    return this.expect(
      'POST',
      path,
      await this.sendCreate(path, { kind, targets, parameters }),
      BatchConditionResponse,
    );
  }

  /**
   * GET /outcomes?ids=…&wait=…: each condition as the API sends it, as soon as it is final, or
   * as it stands when `waitMs` runs out (null: no such condition); ends once the API has sent
   * them all. `timeoutMs` bounds the whole answer; `signal` abandons it (Ctrl-C).
   */
  async *followOutcomes(
    ids: readonly string[],
    opts: { waitMs: number; timeoutMs: number; signal?: AbortSignal },
  ): AsyncGenerator<OutcomeLine> {
    const wait = Math.max(0, Math.floor(opts.waitMs));
    const path = `/outcomes?ids=${ids.map(encodeURIComponent).join(',')}&wait=${wait}`;
    const bound = AbortSignal.timeout(Math.max(1, opts.timeoutMs));
    const signal = opts.signal ? AbortSignal.any([opts.signal, bound]) : bound;
    try {
      const body = await this.openStream(path, signal);
      for await (const text of ndjsonLines(body as unknown as AsyncIterable<Uint8Array>)) {
        const line = OutcomeLine.safeParse(parseBody(text));
        if (!line.success)
          throw new ApiProtocolError(
            'GET',
            this.url(path),
            `an answer line is not an OutcomeLine: ${line.error.issues[0].message}`,
          );
        yield line.data;
      }
    } catch (err) {
      if (opts.signal?.aborted || err instanceof ApiRequestError || err instanceof ApiProtocolError)
        throw err;
      throw new ApiUnreachableError(this.baseUrl, describeFetchError(err, opts.timeoutMs));
    }
  }

  /**
   * GET /servers/{server}/status: the server's latest condition. The API answers 404 both for
   * a server it does not know and for one that never had a condition; the message tells which.
   */
  async serverStatus(server: string): Promise<ServerStatus> {
    const path = `/servers/${encodeURIComponent(server)}/status`;
    const answer = await this.send('GET', path);
    const message = errorBody(answer.body)?.message ?? '';
    if (codeOf(answer) === 'no_condition') return { found: 'none', message };
    if (codeOf(answer) === 'unknown_server') return { found: 'unknown', message };
    const records = this.expect('GET', path, answer, ServerConditionsResponse).records;
    return { found: 'server', server: records.server, conditions: records.conditions };
  }

  /** GET /servers: the public view of the inventory. */
  async listServers(): Promise<PublicServer[]> {
    const list = this.expect('GET', '/servers', await this.send('GET', '/servers'), ServerList);
    return list.map((s) => ({
      name: s.name,
      id: typeof s.id === 'string' ? s.id : undefined,
      platform: typeof s.platform === 'string' ? s.platform : undefined,
      driver: (typeof s.driver === 'string' ? s.driver : 'none') as PublicServer['driver'],
      ranks: stringArray(s.ranks),
      groups: stringArray(s.groups),
      uuid: typeof s.uuid === 'string' ? s.uuid : '',
    }));
  }

  /** GET /commands: the commands directory as the API sees it, broken commands as problems. */
  async listCommands(): Promise<CommandsResponse> {
    return this.expect('GET', '/commands', await this.send('GET', '/commands'), CommandsResponse);
  }

  /**
   * DELETE /conditions/{id}: asks for the condition to be stopped. It ends as `failed` once the
   * controller has stopped the script (or at once while still pending); follow it to see that.
   */
  async cancelCondition(id: string): Promise<CancelResult> {
    const path = `/conditions/${encodeURIComponent(id)}`;
    const answer = await this.send('DELETE', path);
    const message = errorBody(answer.body)?.message ?? '';
    if (codeOf(answer) === 'unknown_condition') return { outcome: 'unknown', message };
    if (codeOf(answer) === 'not_cancellable') return { outcome: 'refused', message };
    this.expect('DELETE', path, answer, z.unknown());
    return answer.status === 202 ? { outcome: 'cancelling' } : { outcome: 'cancelled' };
  }

  /**
   * Opens a live output stream (NDJSON, one `OutputLine` per line) and resolves once the API
   * has answered 2xx; the body is the caller's to read. Only the wait for the answer is bounded:
   * the stream itself runs as long as the conditions do, until `signal` aborts it.
   */
  async openStream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const connect = AbortSignal.timeout(this.requestTimeoutMs);
    const both = AbortSignal.any([signal, connect]);
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path), {
        method: 'GET',
        headers: this.headers('application/x-ndjson'),
        signal: both,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ApiUnreachableError(this.baseUrl, describeFetchError(err, this.requestTimeoutMs));
    }
    if (res.status < 200 || res.status > 299) {
      const text = await res.text().catch(() => '');
      throw this.refusal('GET', path, {
        status: res.status,
        statusText: res.statusText,
        body: parseBody(text),
      });
    }
    if (!res.body) throw new ApiProtocolError('GET', this.url(path), 'the answer has no body');
    return res.body;
  }

  url(path: string): string {
    return `${this.baseUrl}${API_PREFIX}${path}`;
  }

  private headers(accept: string, withBody = false): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (withBody) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /**
   * A create, sent with one Idempotency-Key however often it is retried: on a connection
   * error or a 503 it is sent again (to the next of the configured URLs) until it is answered
   * or `createRetryMs` runs out, one progress line per retry. The API answers a repeat with
   * the conditions the key already created, so a retry never creates anything twice. Out of
   * time: the last refusal if no attempt can have reached the API (nothing was created), else
   * CreateOutcomeUnknownError.
   */
  private async sendCreate(path: string, body: unknown): Promise<Answer> {
    const key = randomUUID();
    const started = Date.now();
    let delay = CREATE_RETRY_FIRST_DELAY_MS;
    let mayHaveArrived = false;
    for (let attempt = 0; ; attempt++) {
      const base = this.urls[attempt % this.urls.length];
      let failure: Error;
      try {
        const answer = await this.send('POST', path, body, { 'idempotency-key': key }, base);
        if (answer.status !== 503) {
          // Follow the conditions where they were created: the first URL may be the dead one.
          this.baseUrl = base;
          return answer;
        }
        failure = this.refusal('POST', path, answer);
      } catch (err) {
        if (!(err instanceof ApiUnreachableError) || !err.retryable) throw err;
        failure = err;
        if (!err.neverSent) mayHaveArrived = true;
      }
      const left = this.createRetryMs - (Date.now() - started);
      if (left <= 0) throw mayHaveArrived ? new CreateOutcomeUnknownError(key, failure) : failure;
      const next = this.urls[(attempt + 1) % this.urls.length];
      this.onRetry(
        `${failure.message}; retrying the create at ${next} with the same Idempotency-Key ` +
          `(${formatDuration(Date.now() - started)} of ${formatDuration(this.createRetryMs)})`,
      );
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, CREATE_RETRY_MAX_DELAY_MS);
    }
  }

  private async send(
    method: Method,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
    base = this.baseUrl,
  ): Promise<Answer> {
    const bound = Math.max(1, this.requestTimeoutMs);
    const headers = { ...this.headers('application/json', body !== undefined), ...extraHeaders };
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(`${base}${API_PREFIX}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(bound),
      });
      text = await res.text();
    } catch (err) {
      throw new ApiUnreachableError(
        base,
        describeFetchError(err, bound),
        neverSent(err),
        retryable(err),
      );
    }
    return { status: res.status, statusText: res.statusText, body: parseBody(text) };
  }

  /** A 2xx answer in the expected shape, or the error that explains why not. */
  private expect<T>(
    method: string,
    path: string,
    answer: Answer,
    schema: z.ZodType<T, unknown>,
  ): T {
    if (answer.status < 200 || answer.status > 299) throw this.refusal(method, path, answer);
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ApiProtocolError(
        method,
        this.url(path),
        `${issue.message}${where} (is ${this.baseUrl} a Switchboard conditions-api of ` +
          `the same version?)`,
      );
    }
    return parsed.data;
  }

  /** Why a request as a whole was refused, in the API's own words. */
  private refusal(method: string, path: string, answer: Answer): ApiRequestError {
    const body = errorBody(answer.body);
    const fallback =
      typeof answer.body === 'string'
        ? { statusCode: answer.status, error: '', message: answer.body.slice(0, 200) }
        : undefined;
    return new ApiRequestError(
      method,
      `${API_PREFIX}${path}`,
      answer.status,
      answer.statusText,
      body ?? fallback,
      hintFor(answer, this.baseUrl),
    );
  }
}

function parseBody(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/** An error answer, from this API (with its `code`) or one that predates codes. */
const ErrorAnswerShape = ErrorResponse.extend({ code: ErrorCode.optional() });

function errorBody(body: unknown): ErrorAnswer | undefined {
  const parsed = ErrorAnswerShape.safeParse(body);
  if (parsed.success) return parsed.data;
  // Not the contract's shape, but probably still says something.
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return { statusCode: 0, error: '', message: body.message };
  }
  return undefined;
}

/** The API's error `code` of an answer: what the client decides by, never the message. */
function codeOf(answer: Answer): ErrorCode | undefined {
  return answer.status >= 400 ? errorBody(answer.body)?.code : undefined;
}

function hintFor(answer: Answer, baseUrl: string): string | undefined {
  if (answer.status === 401 || answer.status === 403)
    return 'check the token (MCTL_TOKEN, or token in the config file)';
  if (codeOf(answer) === 'unknown_route' || (answer.status === 404 && !codeOf(answer)))
    return `is ${baseUrl} the Switchboard conditions-api? (check base_url / MCTL_URL / --url)`;
  return undefined;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
