import { randomUUID } from 'node:crypto';
import type {
  ApiCondition,
  ActionCondition,
  ActionParameters,
  BatchConditionResponse,
  CommandProblem,
  CommandSummary,
  Condition,
  ConditionKind,
  ErrorResponse,
  OutputLine,
  ParametersOf,
  ServerControlCondition,
  ServerControlParameters,
  ServerControlResult,
} from '@switchboard/condition-types';
import { defaultErrorCode, isFinal, parametersByKind } from '@switchboard/condition-types';
import { expandRange } from '@switchboard/inventory/node-ranges';
import { serverUuid } from '@switchboard/inventory';
import type { PublicServer } from '@switchboard/inventory';
import { splitItems } from '../targets';

/** How a fake server answers. */
export interface FakeServer {
  name: string;
  id?: string;
  groups?: string[];
  ranks?: string[];
  power?: 'on' | 'off';
  /** The condition fails with this error. */
  fail?: string;
  /** The condition never finishes (an action: until it is cancelled). */
  stuck?: boolean;
  /** Cancelling its running action is refused (no controller acknowledges). */
  uncancellable?: boolean;
  /** Another condition holds the server. */
  busyWith?: string;
  /** What an action's script prints here (default: `hello from <name>` on stdout). */
  output?: Array<Pick<OutputLine, 'stream' | 'line'>>;
  /** How an action's script exits here (default 0); null: killed (a timeout). */
  exitCode?: number | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A command as GET /commands lists it, with defaults for what a test does not care about. */
export function fakeCommand(name: string, extra: Partial<CommandSummary> = {}): CommandSummary {
  return {
    name,
    summary: `the ${name} command`,
    description: '',
    has_context: true,
    timeout_seconds: 30,
    concurrent: false,
    ranks: ['default'],
    ...extra,
  };
}

/**
 * An in-memory stand-in for conditions-api, speaking the libs/condition-types contract,
 * for tests of the command layer that need no NATS and no BMC. Conditions finish the
 * first time their outcome or output is asked for (or never, for a stuck server: an action then
 * runs until it is cancelled with DELETE).
 */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  readonly conditions = new Map<string, Condition>();
  /** GET /commands. */
  commands: CommandSummary[] = [fakeCommand('hello')];
  problems: CommandProblem[] = [];
  /** When set, every request gets this answer. */
  override?: { status: number; body: unknown };
  /** Called whenever a condition changes (open output streams listen). */
  private readonly listeners = new Set<() => void>();
  private readonly servers: FakeServer[];

  constructor(servers: FakeServer[]) {
    this.servers = servers.map((s) => ({ power: 'off', groups: [], ...s }));
  }

  static fleet(count: number, extra: Partial<FakeServer> = {}): FakeApi {
    return new FakeApi(
      Array.from({ length: count }, (_, i) => ({
        name: `node${String(i + 1).padStart(2, '0')}`,
        ...extra,
      })),
    );
  }

  server(name: string): FakeServer {
    const s = this.servers.find((x) => x.name === name);
    if (!s) throw new Error(`no fake server ${name}`);
    return s;
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, path: url.pathname, headers, body });
    if (this.override) return json(this.override.status, this.override.body);
    return this.route(
      method,
      url.pathname.replace(/^\/api\/v1/, ''),
      url.searchParams,
      body,
      init?.signal ?? undefined,
    );
  };

  private async route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: { parameters?: unknown; targets?: string; kind?: string } | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    let m: RegExpExecArray | null;
    if (
      method === 'POST' &&
      (m = /^\/servers\/([^/]+)\/condition\/(serverControl|action)$/.exec(path))
    ) {
      const kind = m[2] as ConditionKind;
      const server = this.find(decodeURIComponent(m[1]));
      if (!server)
        return error(404, `server "${decodeURIComponent(m[1])}" is not in the inventory`, {
          code: 'unknown_server',
        });
      const parameters = this.parameters(kind, body?.parameters);
      if (parameters instanceof Response) return parameters;
      if (server.busyWith)
        return error(
          409,
          `server ${server.name} already has condition ${server.busyWith} in progress`,
          { conditionId: server.busyWith, code: 'server_busy' },
        );
      const condition = this.create(server, kind, parameters);
      return json(200, {
        message: 'condition set',
        records: this.records(server, condition),
      });
    }
    if (method === 'POST' && path === '/conditions') {
      const kind = (body?.kind ?? 'serverControl') as ConditionKind;
      const parameters = this.parameters(kind, body?.parameters);
      if (parameters instanceof Response) return parameters;
      const results: BatchConditionResponse['results'] = [];
      for (const name of this.resolve(body?.targets ?? '')) {
        const server = this.find(name);
        if (!server)
          results.push({
            server: name,
            outcome: 'unknown',
            reason: `server "${name}" is not in the inventory`,
          });
        else if (server.busyWith)
          results.push({
            server: server.name,
            outcome: 'conflict',
            conflictingConditionId: server.busyWith,
            reason: 'busy',
          });
        else
          results.push({
            server: server.name,
            outcome: 'accepted',
            condition: this.wire(this.create(server, kind, parameters)),
          });
      }
      return json(200, { message: `${results.length} servers`, results });
    }
    if (method === 'GET' && (m = /^\/conditions\/([^/]+)\/output$/.exec(path))) {
      return this.output([m[1]], signal);
    }
    if (method === 'GET' && path === '/output') {
      return this.output((query.get('ids') ?? '').split(','), signal);
    }
    if (method === 'DELETE' && (m = /^\/conditions\/([^/]+)$/.exec(path))) {
      const condition = this.conditions.get(m[1]);
      if (!condition)
        return error(404, `condition ${m[1]} not found`, { code: 'unknown_condition' });
      if (isFinal(condition.state))
        return error(409, `condition ${m[1]} already ${condition.state}`, {
          code: 'not_cancellable',
        });
      if (this.server(condition.target).uncancellable)
        return error(409, `no controller acknowledged the cancel of condition ${m[1]} within 5 s`, {
          code: 'not_cancellable',
        });
      const wasActive = condition.state === 'active';
      this.finish(condition, 'failed', {
        error: 'cancelled by anonymous',
        result: { exit_code: null, signal: 'SIGTERM' },
      });
      return json(wasActive ? 202 : 200, this.wire(condition));
    }
    if (method === 'GET' && path === '/outcomes') {
      return this.outcomes(
        (query.get('ids') ?? '').split(','),
        Number(query.get('wait') ?? 0),
        signal,
      );
    }
    if (method === 'GET' && (m = /^\/servers\/([^/]+)\/status$/.exec(path))) {
      const server = this.find(decodeURIComponent(m[1]));
      if (!server)
        return error(404, `server "${m[1]}" is not in the inventory`, { code: 'unknown_server' });
      const latest = [...this.conditions.values()].filter((c) => c.target === server.name).pop();
      if (!latest)
        return error(404, `server ${server.name} has no conditions`, { code: 'no_condition' });
      return json(200, { message: 'ok', records: this.records(server, latest) });
    }
    if (method === 'GET' && path === '/servers') {
      const records: PublicServer[] = this.servers.map((s) => ({
        name: s.name,
        id: s.id,
        platform: 'ipmi',
        driver: 'ipmi',
        ranks: s.ranks ?? ['default'],
        groups: s.groups ?? [],
        uuid: serverUuid(s),
      }));
      return json(200, { message: `${records.length} servers`, records });
    }
    if (method === 'GET' && path === '/commands') {
      return json(200, {
        message: `${this.commands.length} commands`,
        commands: this.commands,
        problems: this.problems,
      });
    }
    return error(404, 'invalid request - route not found', { code: 'unknown_route' });
  }

  /**
   * As the API's GET /outcomes: NDJSON, each condition's line as soon as it is final (they are
   * moved on when asked about), the rest as they stand once the wait is over; then the end.
   */
  private outcomes(ids: string[], waitMs: number, signal: AbortSignal | undefined): Response {
    const encoder = new TextEncoder();
    const unsent = new Set(ids);
    let open = true;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const send = (id: string) => {
          unsent.delete(id);
          controller.enqueue(
            encoder.encode(
              `${JSON.stringify({ id, condition: this.wireOrNull(this.conditions.get(id)) })}\n`,
            ),
          );
        };
        const end = () => {
          if (!open) return;
          open = false;
          clearTimeout(timer);
          this.listeners.delete(flush);
          for (const id of [...unsent]) send(id);
          controller.close();
        };
        const flush = () => {
          if (!open) return;
          for (const id of [...unsent]) {
            const c = this.conditions.get(id);
            if (!c || isFinal(c.state)) send(id);
          }
          if (unsent.size === 0) end();
        };
        const timer = setTimeout(end, waitMs);
        signal?.addEventListener('abort', () => {
          this.listeners.delete(flush);
          clearTimeout(timer);
          if (open) controller.error(signal.reason);
          open = false;
        });
        this.listeners.add(flush);
        for (const id of ids) {
          const c = this.conditions.get(id);
          if (c) this.advance(c);
        }
        flush();
      },
    });
    return new Response(stream, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
    });
  }

  /**
   * As the API does: an action for a command it does not list is 400 before anything is created.
   */
  /** A create's parameters, checked as the API checks them (schema, then a known command). */
  private parameters(kind: ConditionKind, raw: unknown): ParametersOf<ConditionKind> | Response {
    const parsed = parametersByKind[kind].safeParse(raw);
    if (!parsed.success)
      return error(400, 'invalid parameters', {
        issues: [{ path: 'parameters', message: parsed.error.issues[0].message }],
      });
    const parameters = parsed.data;
    if (kind !== 'action' || !('command' in parameters)) return parameters;
    if (this.commands.some((c) => c.name === parameters.command)) return parameters;
    const message = `unknown command "${parameters.command}": not in the commands directory`;
    return error(400, message, { issues: [{ path: 'parameters.command', message }] });
  }

  /**
   * NDJSON of every line of the conditions, then open until each is final, as the real API:
   * lines come when the condition has run (at once, unless its server is stuck).
   */
  private output(ids: string[], signal: AbortSignal | undefined): Response {
    const conditions = ids.map((id) => this.conditions.get(id));
    if (conditions.some((c) => c === undefined))
      return error(404, `condition ${ids.find((id) => !this.conditions.has(id))} not found`, {
        code: 'unknown_condition',
      });
    const encoder = new TextEncoder();
    const sent = new Map<string, number>();
    let open = true;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const flush = () => {
          if (!open) return;
          for (const c of conditions as Condition[]) {
            const lines = this.linesOf(c);
            for (let i = sent.get(c.id) ?? 0; i < lines.length; i++)
              controller.enqueue(encoder.encode(`${JSON.stringify(lines[i])}\n`));
            sent.set(c.id, lines.length);
          }
          if ((conditions as Condition[]).every((c) => isFinal(c.state))) {
            open = false;
            this.listeners.delete(flush);
            controller.close();
          }
        };
        signal?.addEventListener('abort', () => {
          this.listeners.delete(flush);
          if (open) controller.error(signal.reason);
          open = false;
        });
        this.listeners.add(flush);
        for (const c of conditions as Condition[]) this.advance(c);
        flush();
      },
    });
    return new Response(stream, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
    });
  }

  /**
   * What a condition printed so far: a stuck one its first line only, a finished one everything.
   */
  private linesOf(condition: Condition): OutputLine[] {
    if (condition.kind !== 'action' || condition.state === 'pending') return [];
    const server = this.server(condition.target);
    const printed = server.output ?? [{ stream: 'stdout', line: `hello from ${server.name}` }];
    const lines = server.stuck && !isFinal(condition.state) ? printed.slice(0, 1) : printed;
    const ts = condition.createdAt;
    return lines.map((l) => ({
      conditionId: condition.id,
      server: condition.target,
      stream: l.stream,
      line: l.line,
      ts,
    }));
  }

  private find(nameOrId: string): FakeServer | undefined {
    return this.servers.find((s) => s.name === nameOrId || s.id === nameOrId);
  }

  private resolve(targets: string): string[] {
    const names: string[] = [];
    for (const item of splitItems(targets)) {
      if (item.startsWith('@'))
        names.push(
          ...this.servers.filter((s) => s.groups?.includes(item.slice(1))).map((s) => s.name),
        );
      else names.push(...expandRange(item));
    }
    return [...new Set(names)];
  }

  /** A condition as the API answers it: `target` the server's UUID, `server` its name. */
  private wire(condition: Condition): ApiCondition {
    const server = this.find(condition.target);
    const target = serverUuid(server ?? { name: condition.target });
    return { ...condition, target, server: condition.target } as ApiCondition;
  }

  private wireOrNull(condition: Condition | undefined): ApiCondition | null {
    return condition ? this.wire(condition) : null;
  }

  private records(server: FakeServer, condition: Condition) {
    const wire = this.wire(condition);
    return {
      serverID: wire.target,
      server: server.name,
      state: condition.state,
      conditions: [wire],
    };
  }

  private create(
    server: FakeServer,
    kind: ConditionKind,
    parameters: ParametersOf<ConditionKind>,
  ): Condition {
    const now = new Date().toISOString();
    const common = {
      version: '1.1' as const,
      id: randomUUID(),
      target: server.name,
      state: 'pending' as const,
      status: { records: [{ ts: now, msg: 'queued' }] },
      createdAt: now,
      updatedAt: now,
      requestedBy: 'anonymous',
      client: 'anonymous',
      traceID: '',
      spanID: '',
      failOnCheckpointError: false,
    };
    const condition: Condition =
      kind === 'action'
        ? ({
            ...common,
            kind: 'action',
            parameters: parameters as ActionParameters,
          } satisfies ActionCondition)
        : ({
            ...common,
            kind: 'serverControl',
            parameters: parameters as ServerControlParameters,
          } satisfies ServerControlCondition);
    this.conditions.set(condition.id, condition);
    return structuredClone(condition);
  }

  private advance(condition: Condition): void {
    if (isFinal(condition.state)) return;
    const server = this.server(condition.target);
    const now = new Date().toISOString();
    if (server.stuck) {
      condition.state = 'active';
      condition.updatedAt = now;
      if (condition.kind === 'serverControl')
        condition.status.records.push({ ts: now, msg: 'waiting for the BMC' });
      this.changed();
      return;
    }
    if (server.fail) return this.finish(condition, 'failed', { error: server.fail });
    if (condition.kind === 'action') {
      const code = server.exitCode === undefined ? 0 : server.exitCode;
      if (code === 0)
        return this.finish(condition, 'succeeded', {
          result: { exit_code: 0, script: `${condition.parameters.command}/default.sh` },
        });
      const error =
        code === null
          ? 'timed out after 30 s (process group killed)'
          : `${condition.parameters.command}/default.sh on ${server.name} exited with ` +
            `status ${code}`;
      return this.finish(condition, 'failed', {
        error,
        result: { exit_code: code, script: `${condition.parameters.command}/default.sh` },
      });
    }
    if (condition.kind === 'estate') {
      // The fake keeps no machine types: the real controller is tested in e2e/mctl-cloud.
      return this.finish(condition, 'failed', { error: 'the fake API has no cloud nodes' });
    }
    this.finish(condition, 'succeeded', { result: this.apply(server, condition.parameters) });
  }

  private finish(
    condition: Condition,
    state: 'succeeded' | 'failed',
    outcome: { error?: string; result?: unknown },
  ): void {
    condition.state = state;
    condition.updatedAt = new Date().toISOString();
    if (outcome.error !== undefined) condition.error = outcome.error;
    if (outcome.result !== undefined) (condition as { result?: unknown }).result = outcome.result;
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private apply(server: FakeServer, p: ServerControlParameters): ServerControlResult {
    switch (p.action) {
      case 'set_power_state':
        server.power = p.action_parameter === 'off' || p.action_parameter === 'soft' ? 'off' : 'on';
        return { power_state: server.power };
      case 'get_power_state':
        return { power_state: server.power };
      case 'set_next_boot_device':
        return {
          boot_device: p.action_parameter,
          persistent: p.set_next_boot_device_persistent,
          efi: p.set_next_boot_device_efi,
        };
      case 'power_cycle_bmc':
        return { bmc_reset: true };
      case 'pxe_boot_persistent':
        server.power = 'on';
        return { boot_device: 'pxe', persistent: true, power_state: 'on' };
    }
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function error(status: number, message: string, extra: Partial<ErrorResponse> = {}): Response {
  const code = extra.code ?? defaultErrorCode(status);
  const names: Record<number, string> = {
    400: 'Bad Request',
    404: 'Not Found',
    409: 'Conflict',
    503: 'Service Unavailable',
  };
  return json(status, {
    statusCode: status,
    code,
    error: names[status] ?? 'Error',
    message,
    ...extra,
  });
}

export type { Condition };
