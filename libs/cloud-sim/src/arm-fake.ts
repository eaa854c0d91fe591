/**
 * A FAKE of Azure Resource Manager's Compute API, written for Switchboard's tests from the
 * published Compute REST reference (Virtual Machines: Get with $expand=instanceView, Start,
 * Deallocate, Power Off, Restart, Update, List Available Sizes; long-running operations answered
 * 202 with an Azure-AsyncOperation status URL; errors as {"error":{"code","message"}}). No Azure
 * emulator exists; this is not Azure and keeps only what the driver uses. Served over HTTPS
 * (the SDK's bearer-token policy refuses plain http) with a self-signed certificate.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Server, createServer } from 'node:https';

import { selfSignedCertificate } from './self-signed';

export type AzurePowerState =
  'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

export interface FakeVm {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  vmSize: string;
  power: AzurePowerState;
  /** Sizes List Available Sizes returns for it (a resize to another is refused). */
  availableSizes: string[];
  /** Set: the VM stays in this state (a stuck deallocation) until cleared. */
  stuckIn?: AzurePowerState;
}

export interface ArmRequest {
  method: string;
  path: string;
  /** Operation: get, start, deallocate, powerOff, restart, update, vmSizes, operation. */
  op: string;
  vm?: string;
  status: number;
}

export interface ArmFake {
  endpoint: string;
  /** PEM of the self-signed certificate, for the SDK's `tlsOptions.ca`. */
  ca: string;
  /** The bearer token the fake accepts; any other answers 401. */
  token: string;
  requests: ArmRequest[];
  addVm(vm: Omit<FakeVm, 'availableSizes'> & { availableSizes?: string[] }): FakeVm;
  vm(resourceGroup: string, name: string): FakeVm | undefined;
  /** The next `count` requests answer 429 with Retry-After: 0, as ARM throttles. */
  throttle(count: number): void;
  stop(): Promise<void>;
}

export interface ArmFakeOptions {
  /** How long a transitional state (starting, deallocating ...) lasts (default 300 ms). */
  transitionMs?: number;
}

const DEFAULT_SIZES = ['Standard_B2s', 'Standard_D2s_v5', 'Standard_D4s_v5', 'Standard_F4s_v2'];

// POST actions: [transitional state, final state].
const ACTIONS: Record<string, [AzurePowerState, AzurePowerState]> = {
  start: ['starting', 'running'],
  deallocate: ['deallocating', 'deallocated'],
  powerOff: ['stopping', 'stopped'],
  restart: ['starting', 'running'],
};

const COMPUTE = String.raw`\/providers\/Microsoft\.Compute`;
const VM_PATH = new RegExp(
  String.raw`^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)${COMPUTE}` +
    String.raw`\/virtualMachines\/([^/]+)(?:\/([A-Za-z]+))?$`,
  'i',
);
const OP_PATH = new RegExp(
  String.raw`^\/subscriptions\/([^/]+)${COMPUTE}\/locations\/([^/]+)\/operations\/([^/]+)$`,
  'i',
);

export async function startArmFake(options: ArmFakeOptions = {}): Promise<ArmFake> {
  const transitionMs = options.transitionMs ?? 300;
  const tls = selfSignedCertificate();
  const vms = new Map<string, FakeVm>();
  const operations = new Map<string, { done: () => boolean }>();
  const requests: ArmRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let throttled = 0;
  const key = (rg: string, name: string) => `${rg.toLowerCase()}/${name.toLowerCase()}`;

  const fake: ArmFake = {
    endpoint: '',
    ca: tls.cert,
    token: `fake-arm-token-${randomUUID()}`,
    requests,
    addVm(vm) {
      const full: FakeVm = { availableSizes: [...DEFAULT_SIZES], ...vm };
      vms.set(key(vm.resourceGroup, vm.name), full);
      return full;
    },
    vm: (rg, name) => vms.get(key(rg, name)),
    throttle(count) {
      throttled = count;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const vmBody = (vm: FakeVm) => ({
    id:
      `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}` +
      `/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westeurope',
    properties: {
      vmId: randomUUID(),
      hardwareProfile: { vmSize: vm.vmSize },
      provisioningState: 'Succeeded',
      instanceView: {
        statuses: [
          {
            code: 'ProvisioningState/succeeded',
            level: 'Info',
            displayStatus: 'Provisioning succeeded',
          },
          { code: `PowerState/${vm.power}`, level: 'Info', displayStatus: `VM ${vm.power}` },
        ],
      },
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const entry: ArmRequest = { method, path: url.pathname, op: 'unknown', status: 0 };
    requests.push(entry);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-ms-request-id': randomUUID(),
        ...headers,
      });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const error = (
      status: number,
      code: string,
      message: string,
      headers?: Record<string, string>,
    ) => send(status, { error: { code, message } }, headers);

    if (req.headers.authorization !== `Bearer ${fake.token}`) {
      return error(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    if (!url.searchParams.get('api-version')) {
      return error(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (throttled > 0) {
      throttled--;
      return error(429, 'TooManyRequests', 'The request is being throttled.', {
        'retry-after': '0',
      });
    }

    const op = OP_PATH.exec(url.pathname);
    if (op && method === 'GET') {
      entry.op = 'operation';
      const found = operations.get(op[3]);
      if (!found) return error(404, 'NotFound', `The operation '${op[3]}' was not found.`);
      return send(200, {
        name: op[3],
        status: found.done() ? 'Succeeded' : 'InProgress',
        startTime: new Date().toISOString(),
      });
    }

    const m = VM_PATH.exec(url.pathname);
    if (!m) return error(404, 'InvalidResourceType', `No route for ${method} ${url.pathname}`);
    const [, sub, rg, name, action] = m;
    entry.vm = name;
    const vm = vms.get(key(rg, name));
    if (!vm || vm.subscriptionId !== sub) {
      entry.op = action ?? (method === 'PATCH' ? 'update' : 'get');
      return error(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/virtualMachines/${name}' ` +
          `under resource group '${rg}' was not found.`,
      );
    }

    if (!action && method === 'GET') {
      entry.op = 'get';
      return send(200, vmBody(vm));
    }
    if (action === 'vmSizes' && method === 'GET') {
      entry.op = 'vmSizes';
      return send(200, {
        value: vm.availableSizes.map((s) => ({ name: s, numberOfCores: 2, memoryInMB: 4096 })),
      });
    }
    if (!action && method === 'PATCH') {
      entry.op = 'update';
      const size = (
        JSON.parse(body || '{}') as { properties?: { hardwareProfile?: { vmSize?: string } } }
      ).properties?.hardwareProfile?.vmSize;
      if (size !== undefined) {
        if (!vm.availableSizes.includes(size)) {
          return error(
            409,
            'OperationNotAllowed',
            `The requested VM size ${size} is not available ` +
              'in the current region or hardware cluster.',
          );
        }
        vm.vmSize = size;
      }
      return send(200, vmBody(vm));
    }
    if (action && ACTIONS[action] && method === 'POST') {
      entry.op = action;
      const [during, after] = ACTIONS[action];
      vm.power = vm.stuckIn ?? during;
      const id = randomUUID();
      const finishAt = Date.now() + transitionMs;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!vm.stuckIn) vm.power = after;
      }, transitionMs);
      timers.add(timer);
      operations.set(id, { done: () => !vm.stuckIn && Date.now() >= finishAt });
      const status =
        `${fake.endpoint}/subscriptions/${sub}/providers/Microsoft.Compute/locations/westeurope` +
        `/operations/${id}?api-version=${url.searchParams.get('api-version')}`;
      return send(202, undefined, {
        'azure-asyncoperation': status,
        location: status,
        'retry-after': '0',
      });
    }
    return error(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString()).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(err) } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  fake.endpoint = `https://127.0.0.1:${port}`;
  return fake;
}
