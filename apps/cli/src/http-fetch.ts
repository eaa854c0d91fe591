import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

export interface HttpFetchOptions {
  /** Certificate authorities (PEM) to trust for https, as `ca` of node:tls. */
  ca?: string[];
}

/**
 * The fetch mctl uses, over node:http and node:https. Node's global fetch loads undici's
 * bundle and compiles its WebAssembly HTTP parser in every process that sends a request:
 * about 80 ms of CPU and 40 MB for a command that sends two, as much as the rest of mctl's
 * start. Only what ApiClient asks of fetch is here: method, headers, a string body and a
 * signal; the answer's status, statusText, headers.get, text(), json() and its body as a
 * stream of chunks. It fails as fetch does, so api-errors reads both alike: a TypeError
 * whose `cause` is the system error (ECONNREFUSED, a certificate's code), or the signal's
 * reason once it aborts, also while the body is being read. Redirects are not followed.
 * Connections are kept alive (and do not hold the process open) so the create and the
 * wait that follows share one.
 */
export function httpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const agents: Partial<Record<'http:' | 'https:', Agent>> = {};
  const agentFor = (protocol: 'http:' | 'https:') => {
    let agent = agents[protocol];
    if (!agent) {
      // https (and with it tls) is loaded only for an https URL.
      /* eslint-disable @typescript-eslint/no-require-imports */
      agent =
        protocol === 'https:'
          ? new (require('node:https') as typeof import('node:https')).Agent({
              keepAlive: true,
              ca: options.ca,
            })
          : new (require('node:http') as typeof import('node:http')).Agent({ keepAlive: true });
      /* eslint-enable @typescript-eslint/no-require-imports */
      agents[protocol] = agent;
    }
    return agent;
  };

  const send = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'object' && 'url' in input ? input.url : input);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new TypeError(`fetch failed: ${url.protocol} is not http: or https:`));
        return;
      }
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require(url.protocol === 'https:' ? 'node:https' : 'node:http') as
        typeof import('node:http') | typeof import('node:https');
      const request = lib.request(url, {
        method: init.method ?? 'GET',
        headers: init.headers as OutgoingHttpHeaders | undefined,
        agent: agentFor(url.protocol),
      });
      let answer: IncomingMessage | undefined;
      const onAbort = () => {
        if (answer) answer.destroy(signal!.reason);
        else request.destroy(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      request.on('error', (err) => {
        done();
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
      });
      request.on('response', (res) => {
        answer = res;
        // Read by whoever takes the body; this only keeps an abort from being an uncaught error.
        res.on('error', () => undefined);
        res.on('close', done);
        resolve(responseOf(res, signal));
      });
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return send as typeof fetch;
}

/** The parts of a fetch Response that ApiClient reads. */
function responseOf(res: IncomingMessage, signal: AbortSignal | undefined): Response {
  const text = async (): Promise<string> => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (err) {
      throw signal?.aborted ? signal.reason : new TypeError('terminated', { cause: err });
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  const status = res.statusCode ?? 0;
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status <= 299,
    headers: {
      get: (name: string) => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: res,
    text,
    json: async () => JSON.parse(await text()) as unknown,
  } as unknown as Response;
}
