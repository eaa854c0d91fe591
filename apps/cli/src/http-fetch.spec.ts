import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { describeFetchError, neverSent } from './api-errors';
import { httpFetch } from './http-fetch';

let server: Server;
let base: string;
let connections = 0;
let handler: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

describe('httpFetch', () => {
  it('sends the method, headers and body, and answers status, headers and text', async () => {
    handler = async (req, res) => {
      const body = await bodyOf(req);
      res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-seen': req.method });
      res.end(JSON.stringify({ body, auth: req.headers.authorization }));
    };
    const res = await httpFetch()(`${base}/api/v1/conditions`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect([res.status, res.statusText, res.ok]).toEqual([201, 'Made', true]);
    expect(res.headers.get('X-Seen')).toBe('POST');
    expect(res.headers.get('x-absent')).toBeNull();
    expect(await res.json()).toEqual({ body: '{"a":1}', auth: 'Bearer t' });
  });

  it('gives the body chunk by chunk as it arrives', async () => {
    let finish!: () => void;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"n":1}\n');
      finish = () => res.end('{"n":2}\n');
    };
    const res = await httpFetch()(`${base}/stream`);
    const chunks = (res.body as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    expect(String((await chunks.next()).value)).toBe('{"n":1}\n');
    finish();
    expect(String((await chunks.next()).value)).toBe('{"n":2}\n');
    expect((await chunks.next()).done).toBe(true);
  });

  it('keeps the connection for the next request', async () => {
    handler = (_req, res) => res.end('ok');
    const send = httpFetch();
    const before = connections;
    for (let i = 0; i < 3; i++) expect(await (await send(`${base}/again`)).text()).toBe('ok');
    expect(connections - before).toBe(1);
  });

  it('fails as fetch does when nothing listens: the system error is the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await httpFetch()(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { cause: { code: string } }).cause.code).toBe('ECONNREFUSED');
    expect(neverSent(err)).toBe(true);
    expect(describeFetchError(err, 1000)).toBe('connection refused (is conditions-api running?)');
  });

  it.each([
    ['before the answer', false],
    ['while the body streams', true],
  ])("ends with the signal's reason when it aborts %s", async (_when, answerFirst) => {
    handler = (_req, res) => {
      if (answerFirst) res.writeHead(200).write('partial\n');
      // Otherwise never answers: the signal must end it.
    };
    const signal = AbortSignal.timeout(200);
    const t0 = Date.now();
    const outcome = httpFetch()(`${base}/slow`, { signal }).then((res) => res.text());
    const err = await outcome.catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(describeFetchError(err, 200)).toMatch(/^no answer within/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(httpFetch()('ftp://127.0.0.1/')).rejects.toThrow(/ftp: is not http: or https:/);
  });
});
