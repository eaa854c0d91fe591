import { randomUUID } from 'node:crypto';
import type { BatchConditionResponse, Condition, ErrorResponse, ServerControlCondition, ServerControlParameters, ServerControlResult } from '@switchboard/condition-types';
import { ServerControlParameters as ParametersSchema } from '@switchboard/condition-types';
import { expandRange } from '@switchboard/inventory';
import type { PublicServer } from '@switchboard/inventory';
import { splitItems } from '../targets';

/** How a fake server answers. */
export interface FakeServer {
  name: string;
  id?: string;
  groups?: string[];
  power?: 'on' | 'off';
  /** The condition fails with this error. */
  fail?: string;
  /** The condition never finishes. */
  stuck?: boolean;
  /** Another condition holds the server. */
  busyWith?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * An in-memory stand-in for conditions-api, speaking the libs/condition-types contract,
 * for tests of the command layer that need no NATS and no BMC. Conditions finish on the
 * first poll (or never, for a stuck server).
 */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  readonly conditions = new Map<string, ServerControlCondition>();
  /** When set, every request gets this answer. */
  override?: { status: number; body: unknown };
  private readonly servers: FakeServer[];

  constructor(servers: FakeServer[]) {
    this.servers = servers.map((s) => ({ power: 'off', groups: [], ...s }));
  }

  static fleet(count: number, extra: Partial<FakeServer> = {}): FakeApi {
    return new FakeApi(Array.from({ length: count }, (_, i) => ({ name: `node${String(i + 1).padStart(2, '0')}`, ...extra })));
  }

  server(name: string): FakeServer {
    const s = this.servers.find((x) => x.name === name);
    if (!s) throw new Error(`no fake server ${name}`);
    return s;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, path: url.pathname, headers, body });
    if (this.override) return json(this.override.status, this.override.body);
    return this.route(method, url.pathname.replace(/^\/api\/v1/, ''), body);
  };

  private route(method: string, path: string, body: { parameters?: unknown; targets?: string; kind?: string } | undefined): Response {
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/servers\/([^/]+)\/condition\/serverControl$/.exec(path))) {
      const server = this.find(decodeURIComponent(m[1]));
      if (!server) return error(404, `server "${decodeURIComponent(m[1])}" is not in the inventory`);
      const parameters = ParametersSchema.safeParse(body?.parameters);
      if (!parameters.success) return error(400, 'invalid parameters', { issues: [{ path: 'parameters', message: parameters.error.issues[0].message }] });
      if (server.busyWith) return error(409, `server ${server.name} already has condition ${server.busyWith} in progress`, { conditionId: server.busyWith });
      const condition = this.create(server, parameters.data);
      return json(200, { message: 'condition set', records: { serverID: server.name, state: condition.state, conditions: [condition] } });
    }
    if (method === 'POST' && path === '/conditions') {
      const parameters = ParametersSchema.safeParse(body?.parameters);
      if (!parameters.success) return error(400, 'invalid parameters', { issues: [{ path: 'parameters', message: parameters.error.issues[0].message }] });
      const results: BatchConditionResponse['results'] = [];
      for (const name of this.resolve(body?.targets ?? '')) {
        const server = this.find(name);
        if (!server) results.push({ server: name, outcome: 'unknown', reason: `server "${name}" is not in the inventory` });
        else if (server.busyWith) results.push({ server: server.name, outcome: 'conflict', conflictingConditionId: server.busyWith, reason: 'busy' });
        else results.push({ server: server.name, outcome: 'accepted', condition: this.create(server, parameters.data) });
      }
      return json(200, { message: `${results.length} servers`, results });
    }
    if (method === 'GET' && (m = /^\/conditions\/([^/]+)$/.exec(path))) {
      const condition = this.conditions.get(m[1]);
      if (!condition) return error(404, `condition ${m[1]} not found`);
      this.advance(condition);
      return json(200, condition);
    }
    if (method === 'GET' && (m = /^\/servers\/([^/]+)\/status$/.exec(path))) {
      const server = this.find(decodeURIComponent(m[1]));
      if (!server) return error(404, `server "${m[1]}" is not in the inventory`);
      const latest = [...this.conditions.values()].filter((c) => c.target === server.name).pop();
      if (!latest) return error(404, `server ${server.name} has no conditions`);
      return json(200, { message: 'ok', records: { serverID: server.name, state: latest.state, conditions: [latest] } });
    }
    if (method === 'GET' && path === '/servers') {
      const records: PublicServer[] = this.servers.map((s) => ({ name: s.name, id: s.id, platform: 'ipmi', driver: 'ipmi', ranks: ['default'], groups: s.groups ?? [] }));
      return json(200, { message: `${records.length} servers`, records });
    }
    return error(404, `Cannot ${method} /api/v1${path}`);
  }

  private find(nameOrId: string): FakeServer | undefined {
    return this.servers.find((s) => s.name === nameOrId || s.id === nameOrId);
  }

  private resolve(targets: string): string[] {
    const names: string[] = [];
    for (const item of splitItems(targets)) {
      if (item.startsWith('@')) names.push(...this.servers.filter((s) => s.groups?.includes(item.slice(1))).map((s) => s.name));
      else names.push(...expandRange(item));
    }
    return [...new Set(names)];
  }

  private create(server: FakeServer, parameters: ServerControlParameters): ServerControlCondition {
    const now = new Date().toISOString();
    const condition: ServerControlCondition = {
      version: '1',
      id: randomUUID(),
      kind: 'serverControl',
      target: server.name,
      parameters,
      state: 'pending',
      status: { records: [{ ts: now, msg: 'queued' }] },
      createdAt: now,
      updatedAt: now,
      requestedBy: 'anonymous',
    };
    this.conditions.set(condition.id, condition);
    return structuredClone(condition);
  }

  private advance(condition: ServerControlCondition): void {
    if (condition.state === 'succeeded' || condition.state === 'failed') return;
    const server = this.server(condition.target);
    const now = new Date().toISOString();
    condition.updatedAt = now;
    if (server.stuck) {
      condition.state = 'active';
      condition.status.records.push({ ts: now, msg: 'waiting for the BMC' });
      return;
    }
    if (server.fail) {
      condition.state = 'failed';
      condition.error = server.fail;
      return;
    }
    condition.state = 'succeeded';
    condition.result = this.apply(server, condition.parameters);
  }

  private apply(server: FakeServer, p: ServerControlParameters): ServerControlResult {
    switch (p.action) {
      case 'set_power_state':
        server.power = p.action_parameter === 'off' || p.action_parameter === 'soft' ? 'off' : 'on';
        return { power_state: server.power };
      case 'get_power_state':
        return { power_state: server.power };
      case 'set_next_boot_device':
        return { boot_device: p.action_parameter, persistent: p.set_next_boot_device_persistent, efi: p.set_next_boot_device_efi };
      case 'power_cycle_bmc':
        return { bmc_reset: true };
      case 'pxe_boot_persistent':
        server.power = 'on';
        return { boot_device: 'pxe', persistent: true, power_state: 'on' };
    }
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function error(status: number, message: string, extra: Partial<ErrorResponse> = {}): Response {
  const names: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' };
  return json(status, { statusCode: status, error: names[status] ?? 'Error', message, ...extra });
}

export type { Condition };
