import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';

/** One EC2 call as the proxy saw it. */
export interface Ec2Call {
  action: string;
  instanceIds: string[];
  /** Form fields of the call (EC2's Query protocol). */
  params: Record<string, string>;
  /** What the proxy answered itself, if it did not forward the call. */
  injected?: string;
}

export interface Ec2Proxy {
  endpoint: string;
  calls: Ec2Call[];
  /** The next `count` calls answer 503 RequestLimitExceeded, as EC2 throttles. */
  throttle(count: number): void;
  /** Every call answers 401 AuthFailure until `refuseCredentials(false)`. */
  refuseCredentials(on?: boolean): void;
  /** The next call of `action` answers `status` with EC2 error `code`. */
  failNext(action: string, status: number, code: string): void;
  /** DescribeInstances shows the instance in `state` (e.g. `stopping`) until `stuck(id)`. */
  stuck(instanceId: string, state?: string): void;
  stop(): Promise<void>;
}

const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function errorXml(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
    `<RequestID>${randomUUID()}</RequestID></Response>`
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A loopback proxy in front of a moto server that adds what moto cannot do: faults (throttling,
 * refused credentials, an instance stuck in a transitional state) and one rule of real EC2 that
 * moto does not keep: ModifyInstanceAttribute of the instance type is refused with
 * IncorrectInstanceState unless the instance is stopped. Error bodies are EC2's Query-protocol
 * XML. Every call is logged in `calls`.
 */
export async function startEc2Proxy(motoEndpoint: string): Promise<Ec2Proxy> {
  const calls: Ec2Call[] = [];
  let throttled = 0;
  let refusing = false;
  const stuckStates = new Map<string, string>();
  const failures = new Map<string, { status: number; code: string }>();

  const forward = async (req: IncomingMessage, body: Buffer): Promise<Response> => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v);
    }
    return fetch(`${motoEndpoint}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
  };

  const stateOf = async (req: IncomingMessage, instanceId: string): Promise<string | undefined> => {
    const form = new URLSearchParams({
      Action: 'DescribeInstances',
      Version: '2016-11-15',
      'InstanceId.1': instanceId,
    });
    const res = await forward(req, Buffer.from(form.toString()));
    const xml = await res.text();
    return /<instanceState>\s*<code>\d+<\/code>\s*<name>([a-z-]+)<\/name>/.exec(xml)?.[1];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const params = Object.fromEntries(new URLSearchParams(body.toString()));
    const instanceIds = Object.entries(params)
      .filter(([k]) => /^InstanceIds?(\.\d+)?$/.test(k))
      .map(([, v]) => v);
    const call: Ec2Call = { action: params.Action ?? '', instanceIds, params };
    calls.push(call);
    const answer = (status: number, code: string, message: string): void => {
      call.injected = code;
      res.writeHead(status, { 'content-type': 'text/xml' }).end(errorXml(code, message));
    };

    if (refusing)
      return answer(
        401,
        'AuthFailure',
        'AWS was not able to validate the provided access credentials',
      );
    if (throttled > 0) {
      throttled--;
      return answer(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    }
    const failure = failures.get(call.action);
    if (failure) {
      failures.delete(call.action);
      return answer(failure.status, failure.code, `injected ${failure.code}`);
    }
    if (call.action === 'ModifyInstanceAttribute' && params['InstanceType.Value']) {
      const id = params.InstanceId ?? '';
      const state = stuckStates.get(id) ?? (await stateOf(req, id));
      if (state !== undefined && state !== 'stopped') {
        return answer(
          400,
          'IncorrectInstanceState',
          `The instance '${id}' is not in the 'stopped' state.`,
        );
      }
    }
    const upstream = await forward(req, body);
    let text = await upstream.text();
    if (call.action === 'DescribeInstances') {
      for (const [id, state] of stuckStates) {
        if (!instanceIds.includes(id)) continue;
        text = text.replace(
          /<instanceState>\s*<code>\d+<\/code>\s*<name>[a-z-]+<\/name>\s*<\/instanceState>/,
          `<instanceState><code>${STATE_CODES[state] ?? 0}</code>` +
            `<name>${state}</name></instanceState>`,
        );
      }
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'text/xml',
    });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/xml' });
      res.end(errorXml('InternalError', (err as Error).message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    throttle: (count) => {
      throttled = count;
    },
    refuseCredentials: (on = true) => {
      refusing = on;
    },
    failNext: (action, status, code) => {
      failures.set(action, { status, code });
    },
    stuck: (instanceId, state) => {
      if (state) stuckStates.set(instanceId, state);
      else stuckStates.delete(instanceId);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
