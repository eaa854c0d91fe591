import { ActiveClaim, ErrorResponse, activeKey } from '@switchboard/condition-types';
import { Harness, bearer } from './harness';

/** An answer as the specs look at it: status, headers, the raw body and the body as JSON. */
export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export type Method = 'GET' | 'POST' | 'DELETE';

/**
 * One request through Fastify's inject: no socket, but every hook, guard and pipe of the real
 * app. An admin token unless `headers` says otherwise.
 */
export async function send(
  h: Harness,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = bearer(h.token()),
): Promise<Answer> {
  const res = await h.api.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body,
    json: <T>() => JSON.parse(res.body) as T,
  };
}

/**
 * Expects an error answer of `status` (whose `message` matches, when given) and returns it. The
 * body is part of the comparison so that a wrong status shows what came back instead.
 */
export function expectError(
  res: Pick<Answer, 'status' | 'body' | 'json'>,
  status: number,
  message?: string | RegExp,
): ErrorResponse {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.any(String) });
  const err = ErrorResponse.parse(res.json());
  if (message !== undefined) expect(err.message).toMatch(message);
  return err;
}

/** The server's claim in KV_ACTIVE (the API's lock on it), or null when it has none. */
export async function claimOf(h: Harness, server: string): Promise<ActiveClaim | null> {
  const entry = await h.buckets.active.get(activeKey(server));
  return entry && entry.operation === 'PUT' ? ActiveClaim.parse(entry.json()) : null;
}
