import { Inject, Injectable } from '@nestjs/common';
import {
  ApiCondition,
  BatchConditionBody,
  BatchConditionResponse,
  Condition,
  Fault,
  ConditionKind,
  ParametersOf,
  ServerConditionsResponse,
  ServerControlParameters,
  parametersByKind,
  isConditionId,
  MAX_BATCH_SERVERS,
} from '@switchboard/condition-types';
import { ConflictError, FinalSubscription } from '@switchboard/condition-store';
import { RangeExpressionError, ServerEntry, foldNames, serverUuid } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import pMap from 'p-map';
import { ActionRules, actionRules, requireSingleTarget } from '../commands/action-rules';
import { CommandsCatalog } from '../commands/commands-catalog';
import { ApiError, FieldIssue } from '../errors/api-error';
import { clip, quote } from '../text/clip';
import { InventoryService } from '../inventory/inventory.service';
import { NatsLink } from '../nats/nats-link';
import type { Principal } from '../auth/principal';
import type { ApiOptions } from '../core/api-options';
import { Shutdown } from '../core/shutdown';
import { API_OPTIONS, LOGGER } from '../core/tokens';
import { fieldIssues, summarise } from '../validation/zod-pipe';
import type { IdempotentCreate } from './idempotency';

/**
 * How many conditions of one batch are being created (or read) at the same time: 128, so a
 * 100-server batch starts at once. At 64 the last 36 creates of such a batch began only as
 * earlier ones finished (each is four round trips to NATS), and their conditions reached the
 * controller a full create later (bench/profile-fleet.js: "last condition queued").
 */
export const BATCH_CONCURRENCY = 128;

type BatchResult = BatchConditionResponse['results'][number];

/** A condition of GET /outcomes as read (`toWire` makes it an `OutcomeLine`). */
export interface StoredOutcome {
  id: string;
  condition: Condition | null;
}

/** Outcomes told by the watch and not yet sent, and the conditions still awaited. */
interface OutcomeFlow {
  ready: StoredOutcome[];
  waiting: Map<string, Condition>;
  wake: (() => void) | undefined;
}

/** GET /outcomes' conditions as they stand, and their outcomes as they come (see `follow`). */
export interface Following {
  current: ReadonlyMap<string, Condition | null>;
  outcomes(clientLeft: AbortSignal): AsyncGenerator<StoredOutcome>;
  stop(): void;
}
type Parameters = ParametersOf<ConditionKind>;

/** A validated batch: what `createBatch` will create, and for which servers. */
export interface BatchPlan {
  kind: ConditionKind;
  parameters: Parameters;
  servers: ServerEntry[];
  /** Names and `@groups` of the targets that the inventory does not know. */
  unknown: string[];
  /** Whether each condition claims its server (false for a `concurrent: true` command). */
  exclusive: boolean;
  fault?: Fault;
}

/**
 * serverControl, and actions whose command the API cannot check: one server at a time, per server.
 */
const PER_SERVER_EXCLUSIVE: ActionRules = { exclusive: true, hasContext: true };

/**
 * Conditions: validated against the shared contract, created through ConditionStore, read back from
 * KV.
 */
@Injectable()
export class ConditionsService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly nats: NatsLink,
    private readonly catalog: CommandsCatalog,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly shutdown: Shutdown,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  /**
   * A condition as the API answers it (rivets' Condition): target the UUID, server the name, and
   * no signature (it is for the controllers).
   */
  toWire(condition: Condition): ApiCondition {
    const entry = this.inventory.current().get(condition.target);
    const target = serverUuid(entry ?? { name: condition.target });
    const { signature: _signature, ...answer } = condition;
    return { ...answer, target, server: condition.target } as ApiCondition;
  }

  /** conditionorc's ServerResponse for one condition of a server. */
  serverConditions(message: string, condition: Condition): ServerConditionsResponse {
    const wire = this.toWire(condition);
    return {
      message,
      records: {
        serverID: wire.target,
        server: wire.server,
        state: condition.state,
        conditions: [wire],
      },
    };
  }

  /**
   * rivets' fault injection is for testing recovery: refused unless the deployment enables it
   * (FAULT_INJECTION) and the token is an admin's.
   */
  checkFault(fault: Fault | undefined, principal: Principal): void {
    if (fault === undefined) return;
    if (!this.options.faultInjection)
      throw ApiError.badRequest(
        'fault injection is off in this deployment (FAULT_INJECTION); send no fault',
        [{ path: 'fault', message: 'fault injection is off in this deployment' }],
        'fault_not_allowed',
      );
    if (!principal.scopes.has('admin'))
      throw ApiError.badRequest(
        'a fault needs a token with the admin scope',
        [{ path: 'fault', message: 'a fault needs a token with the admin scope' }],
        'fault_not_allowed',
      );
  }

  /**
   * The parameters of `kind`, parsed (defaults applied, legacy spellings normalised), or 400 naming
   * each field.
   */
  parseParameters(kind: ConditionKind, input: unknown): Parameters {
    const result = parametersByKind[kind].safeParse(input);
    if (result.success) return result.data;
    const issues = fieldIssues(result.error, ['parameters']);
    throw ApiError.badRequest(`invalid parameters for ${kind}: ${summarise(issues)}`, issues);
  }

  /**
   * How conditions of these parameters are created; for an action, what its command's metadata says
   * (or 400).
   */
  rulesFor(parameters: Parameters): ActionRules {
    return 'command' in parameters ? actionRules(this.catalog, parameters) : PER_SERVER_EXCLUSIVE;
  }

  /**
   * A serverControl `asset_id`, when given, must be the server's UUID (its inventory id, or the
   * one derived from its name): the request names one machine twice.
   */
  assetIdProblem(
    kind: ConditionKind,
    parameters: Parameters,
    server: ServerEntry,
  ): FieldIssue | undefined {
    const assetId =
      kind === 'serverControl' ? (parameters as ServerControlParameters).asset_id : undefined;
    if (assetId === undefined) return undefined;
    const given = assetId.toLowerCase();
    const own = serverUuid(server);
    if (given === own) return undefined;
    return {
      path: 'parameters.asset_id',
      message: `asset_id ${given} does not match server ${server.name}, whose id is ${own}`,
    };
  }

  async createForServer(
    serverNameOrId: string,
    kind: ConditionKind,
    body: { parameters: unknown; fault?: Fault },
    principal: Principal,
    idempotent?: (
      server: ServerEntry,
      parameters: Parameters,
    ) => Promise<IdempotentCreate | undefined>,
  ): Promise<Condition> {
    const server = this.inventory.require(serverNameOrId);
    const parameters = this.parseParameters(kind, body.parameters);
    const problem = this.assetIdProblem(kind, parameters, server);
    if (problem) throw ApiError.badRequest(problem.message, [problem]);
    this.checkFault(body.fault, principal);
    // A context-free command is fine here: the path names exactly one server, which files and
    // claims it.
    const { exclusive } = this.rulesFor(parameters);
    const id = (await idempotent?.(server, parameters))?.idFor(server.name);
    return this.nats.available().create({
      id,
      kind,
      server: server.name,
      parameters,
      requestedBy: principal.subject,
      exclusive,
      fault: body.fault,
    });
  }

  /** The most recent condition of a server, final or not; 404 when it never had one. */
  async latestFor(serverNameOrId: string): Promise<{ server: ServerEntry; condition: Condition }> {
    const server = this.inventory.require(serverNameOrId);
    const condition = await this.nats.available().latestFor(server.name);
    if (!condition)
      throw ApiError.notFound(`server ${server.name} has no conditions`, 'no_condition');
    return { server, condition };
  }

  /**
   * conditionorc's read form. The store keeps a pointer to each server's latest condition
   * only, so this answers that condition when it is of `kind`, and 404 otherwise.
   */
  async latestOfKind(
    serverNameOrId: string,
    kind: ConditionKind,
  ): Promise<{ server: ServerEntry; condition: Condition }> {
    const server = this.inventory.require(serverNameOrId);
    const condition = await this.nats.available().latestFor(server.name);
    if (!condition)
      throw ApiError.notFound(`server ${server.name} has no conditions`, 'no_condition');
    if (condition.kind !== kind) {
      throw ApiError.notFound(
        `server ${server.name} has no current ${kind} condition; its latest condition ` +
          `${condition.id} is ${condition.kind} (${condition.state})`,
        'no_condition',
      );
    }
    return { server, condition };
  }

  async get(id: string): Promise<Condition> {
    const condition = await this.nats.available().get(id);
    if (!condition) throw ApiError.notFound(`condition ${id} not found`, 'unknown_condition');
    return condition;
  }

  /** Each of `ids` as it stands (null: there is no such condition), read side by side. */
  async getMany(ids: readonly string[]): Promise<Map<string, Condition | null>> {
    const store = this.nats.available();
    return new Map(
      await pMap(ids, async (id) => [id, await store.get(id)] as const, {
        concurrency: BATCH_CONCURRENCY,
      }),
    );
  }

  /**
   * GET /outcomes' reads and wait. Resolves with each condition as it stands (null: there is
   * none), for the caller to decide who may see them, and `outcomes`: each condition as soon
   * as it is final, or as it stands once `waitMs` runs out, `clientLeft` aborts or the API
   * stops; it ends when every one was given. To wait, it listens before it reads, and that one
   * read serves both, instead of a read for the access check and another once listening. A
   * condition that cannot be followed or read meanwhile (NATS lost) is given as last seen: the
   * client sees it unfinished and asks again. `stop` when done (also if never iterated).
   */
  async follow(ids: readonly string[], waitMs: number): Promise<Following> {
    if (waitMs <= 0) {
      const current = await this.getMany(ids);
      return { current, outcomes: () => this.given([...current]), stop: () => undefined };
    }
    const flow: OutcomeFlow = { ready: [], waiting: new Map(), wake: undefined };
    const told = new Set<string>();
    let subscription: FinalSubscription;
    try {
      subscription = await this.nats.available().watchFinal(ids, (id, condition) => {
        told.add(id);
        flow.ready.push({ id, condition });
        flow.wake?.();
      });
    } catch (err) {
      this.log.warn(
        { event: 'outcomes.watch_failed', conditions: ids.length, err: (err as Error).message },
        'could not follow conditions; answering them as last seen',
      );
      const current = await this.getMany(ids);
      return { current, outcomes: () => this.given([...current]), stop: () => undefined };
    }
    const { current } = subscription;
    for (const [id, condition] of current)
      if (condition && !told.has(id)) flow.waiting.set(id, condition);
    return {
      current,
      outcomes: (clientLeft) => this.asTheyCome(flow, subscription, waitMs, clientLeft),
      stop: () => subscription.stop(),
    };
  }

  private async *asTheyCome(
    flow: OutcomeFlow,
    subscription: FinalSubscription,
    waitMs: number,
    clientLeft: AbortSignal,
  ): AsyncGenerator<StoredOutcome> {
    const signal = AbortSignal.any([clientLeft, this.shutdown.signal, AbortSignal.timeout(waitMs)]);
    const onAbort = () => flow.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const next = flow.ready.splice(0);
        for (const outcome of next) flow.waiting.delete(outcome.id);
        yield* next;
        // Outcomes that came in while the last ones were being sent go out before anything
        // else, even when nothing is left waiting: they are the last of the batch.
        if (flow.ready.length > 0) continue;
        if (flow.waiting.size === 0 || signal.aborted) break;
        await new Promise<void>((resolve) => {
          flow.wake = resolve;
          if (flow.ready.length > 0 || signal.aborted) resolve();
        });
        flow.wake = undefined;
      }
      subscription.stop();
      // The wait ran out (or the client left, or the API is stopping): the rest as they stand.
      const rest = [...flow.waiting];
      flow.waiting.clear();
      yield* await pMap(
        rest,
        async ([id, seen]) => ({ id, condition: await this.reread(id, seen) }),
        { concurrency: BATCH_CONCURRENCY },
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async *given(
    outcomes: ReadonlyArray<readonly [string, Condition | null]>,
  ): AsyncGenerator<StoredOutcome> {
    for (const [id, condition] of outcomes) yield { id, condition };
  }

  private async reread(id: string, seen: Condition): Promise<Condition | null> {
    try {
      return await this.nats.available().get(id);
    } catch (err) {
      this.log.warn(
        { event: 'outcomes.read_failed', conditionId: id, err: (err as Error).message },
        'could not read a condition; answering it as last seen',
      );
      return seen;
    }
  }

  /**
   * The condition once final, or as it stands after `waitMs`, when the API stops or when
   * `clientLeft` aborts: clients hear of the outcome without polling.
   */
  async waitUntilFinal(id: string, waitMs: number, clientLeft?: AbortSignal): Promise<Condition> {
    const signal = clientLeft
      ? AbortSignal.any([clientLeft, this.shutdown.signal])
      : this.shutdown.signal;
    const condition = await this.nats.available().waitUntilFinal(id, waitMs, signal);
    if (!condition) throw ApiError.notFound(`condition ${id} not found`, 'unknown_condition');
    return condition;
  }

  /**
   * A batch before anything is created: its parameters validated once and its targets
   * resolved (400 for either), so the caller can check access to every server first.
   */
  planBatch(body: BatchConditionBody): BatchPlan {
    const parameters = this.parseParameters(body.kind, body.parameters);
    const rules = this.rulesFor(parameters);
    let resolved: Pick<BatchPlan, 'servers' | 'unknown'>;
    try {
      resolved = this.inventory.resolve(body.targets, { limit: MAX_BATCH_SERVERS });
    } catch (err) {
      if (!(err instanceof RangeExpressionError)) throw err;
      throw ApiError.badRequest(`invalid targets: ${err.reason}`, [
        { path: 'targets', message: err.reason },
      ]);
    }
    const { servers, unknown } = resolved;
    if ('command' in parameters)
      requireSingleTarget(parameters, rules, servers.length + unknown.length);
    return {
      kind: body.kind,
      parameters,
      servers,
      unknown,
      exclusive: rules.exclusive,
      fault: body.fault,
    };
  }

  /** One condition per server of the plan; each server gets its own outcome. */
  async createBatch(
    plan: BatchPlan,
    requestedBy: string,
    idempotent?: IdempotentCreate,
  ): Promise<BatchConditionResponse> {
    const { kind, parameters, exclusive, fault } = plan;
    const store = this.nats.available();
    const created = await pMap(
      plan.servers,
      async (server): Promise<BatchResult> => {
        const problem = this.assetIdProblem(kind, parameters, server);
        if (problem) return { server: server.name, outcome: 'error', reason: problem.message };
        try {
          const condition = await store.create({
            id: idempotent?.idFor(server.name),
            kind,
            server: server.name,
            parameters,
            requestedBy,
            exclusive,
            fault,
          });
          return { server: server.name, outcome: 'accepted', condition: this.toWire(condition) };
        } catch (err) {
          if (err instanceof ConflictError) {
            const id = isConditionId(err.conditionId)
              ? { conflictingConditionId: err.conditionId }
              : {};
            return { server: server.name, outcome: 'conflict', ...id, reason: err.message };
          }
          return { server: server.name, outcome: 'error', reason: (err as Error).message };
        }
      },
      { concurrency: BATCH_CONCURRENCY },
    );
    const unknown = plan.unknown.map((name): BatchResult => ({
      server: name,
      outcome: 'unknown',
      reason: name.startsWith('@')
        ? `group ${quote(name.slice(1))} is not in the inventory`
        : `server ${quote(name)} is not in the inventory`,
    }));
    const results = [...created, ...unknown];
    // One line per condition touched; names the inventory does not know are one folded line.
    for (const r of created) {
      this.log.info(
        {
          event: 'condition.batch_item',
          server: r.server,
          kind,
          outcome: r.outcome,
          conditionId: r.condition?.id,
          conflictingConditionId: r.conflictingConditionId,
          reason: r.reason,
          requestedBy,
        },
        `batch ${kind} ${r.server}: ${r.outcome}`,
      );
    }
    if (unknown.length > 0) {
      this.log.info(
        {
          event: 'condition.batch_unknown',
          kind,
          count: unknown.length,
          names: clip(foldNames(plan.unknown), 300),
        },
        'batch names not in the inventory',
      );
    }
    return { message: batchMessage(results), results };
  }
}

export function batchMessage(results: readonly BatchResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const parts = (['accepted', 'conflict', 'unknown', 'error'] as const)
    .filter((o) => counts.has(o))
    .map((o) => `${counts.get(o)} ${o}`);
  return (
    `${results.length} server${results.length === 1 ? '' : 's'}: ` +
    `${parts.length > 0 ? parts.join(', ') : 'nothing to do'}`
  );
}
