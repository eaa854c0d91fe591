import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** A streamed answer as a client sees it while it comes. */
export interface StreamClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every complete line received so far. */
  lines(): string[];
  /** Everything received so far, as text. */
  text(): string;
  /** Resolves with the lines once at least `count` have arrived; rejects after `timeoutMs`. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves with every line when the answer ends whole; rejects when it is cut short. */
  ended: Promise<string[]>;
  /** The client leaves: the connection is closed mid-answer. */
  close(): void;
}

/**
 * GET `path` over real HTTP (inject() would wait for the whole answer), resolving once the status
 * and headers are in.
 */
export function openStream(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = httpRequest(
      { host: '127.0.0.1', port, method: 'GET', path, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        const lines = () => text.split('\n').slice(0, -1);
        const ended = new Promise<string[]>((done, fail) => {
          res.on('end', () => done(lines()));
          res.on('close', () =>
            res.complete
              ? done(lines())
              : fail(new Error(`answer cut short after ${lines().length} lines`)),
          );
        });
        // Whoever does not wait for the end must not get an unhandled rejection.
        ended.catch(() => undefined);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          lines,
          text: () => text,
          async waitForLines(count, timeoutMs = 5000) {
            const deadline = Date.now() + timeoutMs;
            while (lines().length < count) {
              if (Date.now() > deadline)
                throw new Error(
                  `timed out after ${timeoutMs} ms waiting for ${count} lines; got ` +
                    `${JSON.stringify(lines())}`,
                );
              await sleep(20);
            }
            return lines();
          },
          ended,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (err) => reject(err));
    req.end();
  });
}
