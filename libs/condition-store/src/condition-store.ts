import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, MsgRequest } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import {
  ActiveClaim,
  Condition,
  CONDITION_VERSION,
  ConditionKind,
  ConditionState,
  Fault,
  STREAM_CONDITIONS,
  StatusRecord,
  activeKey,
  assertTransition,
  conditionKey,
  creatingKey,
  conditionSubject,
  isFinal,
  latestConditionKey,
} from '@switchboard/condition-types';
import { signCondition, SigningKeys } from '@switchboard/condition-signing';
import { retryTransient, TRANSIENT_RETRY_MS } from '@switchboard/nats';
import type { Buckets } from '@switchboard/nats';
import { isCasConflict } from './cas';
import { decodeClaim, encode } from './codec';
import {
  ConflictError,
  QueueUnavailableError,
  StaleWriteError,
  UnreadableConditionError,
} from './errors';
import { FinalSubscription, OnFinal, SharedFinalWatch, watchFinal } from './final-watch';

export interface NewCondition {
  /**
   * The condition's id; default a random one. A create repeated with the same id (an
   * idempotent retry) completes or answers the first one instead of creating a second.
   */
  id?: string;
  kind: ConditionKind;
  /** The inventory name of the server: the one key that claims and subjects use. */
  server: string;
  parameters: unknown;
  requestedBy: string;
  /**
   * Whether the condition holds its server exclusively (default true): the per-server claim is
   * taken, so a server has one such condition at a time. False for work that may run alongside
   * anything else on the server (an action whose command is `concurrent: true`): no claim is
   * taken or checked, and the server's claim is left to the exclusive conditions.
   */
  exclusive?: boolean;
  /** A controller-side fault to inject (rivets' Fault); the API decides who may ask for one. */
  fault?: Fault;
}

export interface ConditionUpdate {
  /** Records noted earlier, with their own times, written before `record`. */
  notes?: readonly StatusRecord[];
  record?: string;
  result?: Condition['result'];
  error?: string;
  /** With `error`: the machine-readable reason (ErrorCode). */
  errorCode?: Condition['errorCode'];
  controller?: string;
  /**
   * Write this version without a signature, whatever keys the store holds: the record of a
   * condition refused as forged, so that our key never vouches for what someone else wrote.
   */
  unsigned?: boolean;
}

/** Fault injection for the fault tests (a process held at a chosen point, then killed). */
export interface StoreHooks {
  /** Awaited after a create's KV writes, before its publish. */
  beforePublish?(condition: Condition): Promise<void>;
}

/**
 * Every record this store writes is signed with `signing` (libs/condition-signing), which the
 * controllers check before they act on one; without keys it writes unsigned records (readers
 * and tests only: no controller runs them).
 */
export interface StoreOptions extends StoreHooks {
  signing?: SigningKeys;
}

export interface StoredCondition {
  condition: Condition;
  revision: number;
  /** The record as stored (parsed JSON, before the schema's defaults): what its MAC covers. */
  json?: unknown;
  /** When NATS stored this version, by the server's clock. */
  storedAt?: Date;
}

/** Messages of one server's subject a sweep looks through for a cut-off create's message. */
const MAX_SUBJECT_SCAN = 10_000;

/** Condition records read side by side when a watch takes the current states of a batch. */
const READS_AT_ONCE = 32;

/** Longer than any create takes between its claim and its publish (the NATS request timeouts). */
export const ABANDONED_CREATE_MS = 30_000;

/**
 * A create still marked in progress after this long was cut off (its process died or lost
 * NATS): the sweeper fails its record and releases its claim. A create gives up before its
 * publish once it has taken half of this (see create), so a live create is never swept.
 */
export const CUT_OFF_CREATE_MS = 8_000;

/** How long after a sweep found a cut-off create not queued a later sweep may fail it. */
export const SWEEP_CONFIRM_MS = 1_500;

/** How long undoing a failed create retries releasing its claim through a leader election. */
const UNDO_RETRY_MS = 5_000;

/** The marker of a create in progress (creatingKey): what the sweeper needs to undo it. */
export interface CreatingMarker {
  server: string;
  kind: ConditionKind;
  exclusive: boolean;
  createdAt: string;
}

function now(): string {
  return new Date().toISOString();
}

/**
 * Creating, reading and moving conditions through their states. Every write that
 * races another (the per-server claim, state transitions) is a compare-and-set on
 * a KV revision, so two API replicas or two controllers can never both win.
 */
export class ConditionStore {
  private readonly js: JetStreamClient;
  private finals: SharedFinalWatch | undefined;
  /** Cut-off creates a sweep found without record or message: acted on when a later one agrees. */
  private readonly sweepSuspects = new Map<
    string,
    { verdict: 'no record' | 'not queued'; since: number }
  >();

  constructor(
    private readonly nc: NatsConnection,
    private readonly buckets: Buckets,
    private readonly hooks: StoreOptions = {},
  ) {
    this.js = jetstream(nc);
  }

  /**
   * Record and claim (at once), then publish, so that a condition is queued only once its
   * server is claimed, and any step that fails undoes the ones before it. The answer is
   * "accepted" only when JetStream has acknowledged the message. A non-exclusive condition
   * skips the claim (record, publish).
   */
  async create(req: NewCondition): Promise<Condition> {
    const started = Date.now();
    const ts = now();
    const condition = this.sign({
      version: CONDITION_VERSION,
      id: req.id ?? randomUUID(),
      kind: req.kind,
      target: req.server,
      parameters: req.parameters,
      state: 'pending',
      status: { records: [{ ts, msg: `queued by ${req.requestedBy}` }] },
      createdAt: ts,
      updatedAt: ts,
      requestedBy: req.requestedBy,
      client: req.requestedBy,
      ...(req.fault ? { fault: req.fault } : {}),
    });
    const exclusive = req.exclusive ?? true;
    const claim: ActiveClaim = { conditionId: condition.id, kind: condition.kind, createdAt: ts };
    const marker: CreatingMarker = { server: req.server, kind: req.kind, exclusive, createdAt: ts };

    // Side by side: a racing create that sees our claim before our record treats it as a
    // create in progress (see isStale), so the order of these writes does not matter. The
    // marker lets the sweeper find this create if it is cut off before its publish.
    const [recorded, claimed, marked] = await Promise.allSettled([
      this.writeOnce(this.buckets.conditions, conditionKey(condition.id), encode(condition), 0),
      exclusive ? this.claim(req.server, claim) : Promise.resolve(undefined),
      this.buckets.conditions.put(creatingKey(condition.id), JSON.stringify(marker)),
    ]);
    if (req.id !== undefined && recorded.status === 'rejected' && isCasConflict(recorded.reason))
      return this.repeatCreate(condition.id, claimed);
    if (recorded.status === 'rejected' || claimed.status === 'rejected') {
      if (claimed.status === 'fulfilled' && claimed.value !== undefined) {
        await this.buckets.active
          .delete(activeKey(req.server), { previousSeq: claimed.value })
          .catch(() => undefined);
      }
      if (recorded.status === 'fulfilled') {
        await this.buckets.conditions
          .purge(conditionKey(condition.id), { previousSeq: recorded.value })
          .catch(() => undefined);
      }
      if (marked.status === 'fulfilled') await this.unmark(condition.id);
      if (claimed.status === 'rejected') throw claimed.reason;
      const err = (recorded as PromiseRejectedResult).reason as Error;
      throw new QueueUnavailableError(`could not record condition: ${err.message}`, err);
    }
    const [recordRevision, claimRevision] = [recorded.value, claimed.value];
    try {
      if (marked.status === 'rejected') throw marked.reason;
      // Past half the sweeper's limit, the sweeper may be about to fail this record: give up.
      if (Date.now() - started > CUT_OFF_CREATE_MS / 2)
        throw new Error(`recording took ${Date.now() - started} ms; not queued`);
      await this.hooks.beforePublish?.(condition);
      // Retried through a NATS leader election, but only within the same half of the
      // sweeper's limit: a publish that lands after the sweeper failed the record would be lost.
      await this.publish(condition, started + CUT_OFF_CREATE_MS / 2);
    } catch (err) {
      const undone = await this.undoUnpublished(req.server, condition, {
        record: recordRevision,
        claim: claimRevision,
      });
      if (typeof undone === 'object') {
        await this.unmark(condition.id);
        return undone.taken;
      }
      if (undone === 'undone') await this.unmark(condition.id);
      throw new QueueUnavailableError(`could not queue condition: ${(err as Error).message}`, err);
    }
    // The mark of an accepted create must go: left behind, it asks the sweeper to judge a
    // condition that is queued. Retried in the background: the answer need not wait for it.
    if (!(await this.unmark(condition.id))) void this.unmark(condition.id, TRANSIENT_RETRY_MS);
    return condition;
  }

  /**
   * Undoes a create whose publish failed. A failed publish may still have landed (its answer
   * was lost), so the record goes first, by compare-and-set on the revision we wrote: once it
   * is gone, a delivery of the message finds no record and is dropped, and only then is the
   * server's claim released. If a controller changed the record first, the message was
   * delivered and the condition is running (or was swept): it stays, claim and all, and is
   * the answer. If the record
   * cannot be removed at all (NATS is gone), claim, record and marker stay for the sweeper,
   * which fails the record "never queued" only when the stream holds no message for it
   * ('left'). Releasing the claim while the record might still run would let a second
   * condition start on the server alongside it.
   */
  private async undoUnpublished(
    server: string,
    condition: Condition,
    revisions: { record: number; claim: number | undefined },
  ): Promise<'undone' | 'left' | { taken: Condition }> {
    try {
      await this.buckets.conditions.purge(conditionKey(condition.id), {
        previousSeq: revisions.record,
      });
    } catch (err) {
      if (!isCasConflict(err)) return 'left';
      const now = await this.get(condition.id).catch(() => null);
      return now ? { taken: now } : 'left';
    }
    // A claim left behind blocks the server until it counts as abandoned (ABANDONED_CREATE_MS).
    const claim = revisions.claim;
    if (claim !== undefined) {
      await retryTransient(
        () => this.buckets.active.delete(activeKey(server), { previousSeq: claim }),
        UNDO_RETRY_MS,
      ).catch(() => undefined);
    }
    return 'undone';
  }

  /**
   * Publishes the condition and points the server's latest at it. The condition id is the
   * Nats-Msg-Id, so JetStream stores it once however often a lost answer makes us try again (its
   * duplicate window is 2 minutes). With `until`, transient failures are retried up to then;
   * without, one try.
   */
  private async publish(condition: Condition, until?: number): Promise<void> {
    const within = until === undefined ? 0 : Math.max(0, until - Date.now());
    await retryTransient(
      () =>
        this.js.publish(conditionSubject(condition.kind, condition.target), encode(condition), {
          msgID: condition.id,
        }),
      within,
    );
    await retryTransient(
      () => this.buckets.conditions.put(latestConditionKey(condition.target), condition.id),
      within,
    );
  }

  /**
   * Removes a create's in-progress marker (retrying through a leader election for up to
   * `withinMs`); false when it could not. A marker left behind is only swept later.
   */
  private async unmark(id: string, withinMs = 0): Promise<boolean> {
    return retryTransient(() => this.buckets.conditions.delete(creatingKey(id)), withinMs).then(
      () => true,
      () => false,
    );
  }

  /**
   * The same id was created before (an idempotent retry). A record that moved on (picked up,
   * final) is the answer. A pending one belongs to a create that may have been cut off before
   * its publish: the publish is repeated (JetStream drops it as a duplicate by its id if the
   * first went through), so a retry completes what the first request started.
   */
  private async repeatCreate(
    id: string,
    claimed: PromiseSettledResult<number | undefined>,
  ): Promise<Condition> {
    const stored = await this.getWithRevision(id);
    if (!stored) throw new QueueUnavailableError(`condition ${id} is being removed; try again`);
    const { condition } = stored;
    if (condition.state !== 'pending') {
      await this.unmark(id);
      return condition;
    }
    if (claimed.status === 'rejected') {
      await this.unmark(id);
      throw claimed.reason;
    }
    try {
      await this.publish(condition);
    } catch (err) {
      throw new QueueUnavailableError(`could not queue condition: ${(err as Error).message}`, err);
    }
    await this.unmark(id);
    return condition;
  }

  /**
   * Creates cut off before their publish (their marker is older than CUT_OFF_CREATE_MS):
   * a pending record whose message is not in the stream is failed "never queued" (which
   * releases its claim); a claim without a record is released. Returns the ids failed.
   */
  async sweepCutOffCreates(
    olderThanMs = CUT_OFF_CREATE_MS,
    confirmAfterMs = SWEEP_CONFIRM_MS,
  ): Promise<string[]> {
    const failed: string[] = [];
    const keys: string[] = [];
    for await (const key of await this.buckets.conditions.keys(`${creatingKey('')}*`))
      keys.push(key);
    for (const key of keys) {
      const id = key.slice(creatingKey('').length);
      const entry = await this.buckets.conditions.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      let marker: CreatingMarker;
      try {
        marker = JSON.parse(entry.string()) as CreatingMarker;
      } catch {
        await this.unmark(id);
        continue;
      }
      if (Date.now() - Date.parse(marker.createdAt) < olderThanMs) continue;
      const held = await this.getWithRevision(id);
      const verdict = !held
        ? 'no record'
        : held.condition.state === 'pending' && !(await this.isQueued(held.condition))
          ? 'not queued'
          : 'fine';
      // A KV or stream leader elected a moment ago may not have applied every write yet: a
      // record not found or a message not found counts only when a later sweep agrees.
      if (verdict !== 'fine') {
        const first = this.sweepSuspects.get(id);
        if (first?.verdict !== verdict) {
          this.sweepSuspects.set(id, { verdict, since: Date.now() });
          continue;
        }
        if (Date.now() - first.since < confirmAfterMs) continue;
      }
      this.sweepSuspects.delete(id);
      if (!held) {
        if (marker.exclusive) await this.release(marker.server, id);
      } else if (verdict === 'not queued') {
        // On the revision read as pending: a controller that claimed it meanwhile wins.
        const swept = await this.failNeverQueued(
          held,
          'never queued: the API creating it stopped (or lost NATS) before the queue took it; ' +
            'it never ran',
        );
        if (swept) failed.push(id);
      }
      await this.buckets.conditions.delete(key, { previousSeq: entry.revision }).catch(() => 0);
    }
    for (const id of this.sweepSuspects.keys())
      if (!keys.includes(creatingKey(id))) this.sweepSuspects.delete(id);
    return failed;
  }

  /**
   * Whether the stream holds the condition's message (a work queue keeps it until it is acked).
   * The server's last message is looked at first: an exclusive condition's is that one, since a
   * server has one at a time. Only non-exclusive work (concurrent actions) puts several messages
   * on one subject: those are looked through one by one, by their Nats-Msg-Id (one message get
   * each, as many as the server's concurrent actions waiting or running, at most
   * MAX_SUBJECT_SCAN; past that the condition is left alone, as queued).
   */
  private async isQueued(condition: Condition): Promise<boolean> {
    const jsm = await jetstreamManager(this.nc);
    const subject = conditionSubject(condition.kind, condition.target);
    // getMessage answers null for "no message"; any other failure ends this sweep (next one
    // retries), never a verdict of "not queued".
    const last = await jsm.streams.getMessage(STREAM_CONDITIONS, { last_by_subj: subject });
    if (!last) return false;
    if (last.header?.get('Nats-Msg-Id') === condition.id) return true;
    let from = 1;
    for (let looked = 0; looked < MAX_SUBJECT_SCAN; looked++) {
      // Typed for the sequence and last-by-subject forms only; nats-server 2.9 serves this too.
      const next = { seq: from, next_by_subj: subject } as unknown as MsgRequest;
      const msg = await jsm.streams.getMessage(STREAM_CONDITIONS, next);
      if (!msg || msg.seq >= last.seq) return false;
      if (msg.header?.get('Nats-Msg-Id') === condition.id) return true;
      from = msg.seq + 1;
    }
    return true;
  }

  /**
   * Atomic per-server claim: read the claim, and write ours by compare-and-set on what was
   * read (revision 0: there was none). A claim that is stale (see isStale) is replaced; one
   * that is not is a conflict.
   */
  private async claim(server: string, claim: ActiveClaim): Promise<number> {
    const key = activeKey(server);
    for (let attempt = 0; attempt < 3; attempt++) {
      let existing: KvEntry | null;
      try {
        existing = await retryTransient(() => this.buckets.active.get(key));
      } catch (err) {
        throw new QueueUnavailableError(
          `could not claim server ${server}: ${(err as Error).message}`,
          err,
        );
      }
      if (existing?.operation === 'PUT') {
        const holder = decodeClaim(existing.string());
        // An idempotent retry of the create that wrote this claim: it is ours already.
        if (holder.conditionId === claim.conditionId) return existing.revision;
        let stale: boolean;
        try {
          stale = await this.isStale(holder);
        } catch (err) {
          throw new QueueUnavailableError(
            `could not claim server ${server}: ${(err as Error).message}`,
            err,
          );
        }
        if (!stale) throw new ConflictError(server, holder.conditionId);
      }
      try {
        return await this.writeOnce(
          this.buckets.active,
          key,
          encode(claim),
          existing?.revision ?? 0,
        );
      } catch (err) {
        if (!isCasConflict(err))
          throw new QueueUnavailableError(
            `could not claim server ${server}: ${(err as Error).message}`,
            err,
          );
        // Someone else wrote the claim since we read it: read again and decide again.
      }
    }
    const current = await this.buckets.active.get(key);
    throw new ConflictError(
      server,
      current?.operation === 'PUT' ? decodeClaim(current.string()).conditionId : 'unknown',
    );
  }

  /**
   * Whether a claim no longer holds its server: its condition is final, or it was never
   * queued (neverQueued), or its record is missing and the claim is older than any create
   * takes (a younger one may belong to a create that is writing its record right now).
   */
  private async isStale(holder: ActiveClaim): Promise<boolean> {
    const held = await this.get(holder.conditionId);
    if (!held) return Date.now() - Date.parse(holder.createdAt) >= ABANDONED_CREATE_MS;
    return isFinal(held.state) || (await this.neverQueued(held));
  }

  /**
   * A create that lost NATS between its claim and its publish, and could not undo the
   * claim, leaves a pending condition that no controller will ever see. Once it is older
   * than any create could take, and the stream holds no message for it, it is failed
   * and its claim becomes stale, so the server is never blocked for good.
   */
  private async neverQueued(held: Condition): Promise<boolean> {
    if (held.state !== 'pending' || Date.now() - Date.parse(held.createdAt) < ABANDONED_CREATE_MS)
      return false;
    if (await this.isQueued(held)) return false;
    const stored = await this.getWithRevision(held.id);
    if (!stored) return true;
    if (stored.condition.state !== 'pending') return isFinal(stored.condition.state);
    return this.failNeverQueued(
      stored,
      'the queue failed while this condition was being created; it never ran',
    );
  }

  /**
   * Fails a pending record that no message will ever run, by compare-and-set on the revision
   * read as pending: if a controller claimed it in between, the claim stands and this returns
   * false. A plain update would fail a condition a controller is running, release its server's
   * claim, and let a second condition start on the server alongside it.
   */
  private async failNeverQueued(stored: StoredCondition, error: string): Promise<boolean> {
    try {
      await this.updateFrom(stored, 'failed', { record: 'never queued', error });
      return true;
    } catch (err) {
      if (err instanceof StaleWriteError) return false;
      throw err;
    }
  }

  async get(id: string): Promise<Condition | null> {
    return (await this.getWithRevision(id))?.condition ?? null;
  }

  async getWithRevision(id: string): Promise<StoredCondition | null> {
    const entry = await retryTransient(() => this.buckets.conditions.get(conditionKey(id)));
    if (!entry || entry.operation !== 'PUT') return null;
    let json: unknown;
    let condition: Condition;
    try {
      json = JSON.parse(entry.string());
      condition = Condition.parse(json);
    } catch (err) {
      throw new UnreadableConditionError(id, err);
    }
    return { condition, revision: entry.revision, json, storedAt: entry.created };
  }

  /** The record checked against the schema, signed with this store's keys if it has any. */
  private sign(record: unknown): Condition {
    const condition = Condition.parse(record);
    return this.hooks.signing
      ? signCondition(condition, this.hooks.signing)
      : withoutSignature(condition);
  }

  /**
   * Calls `onFinal` once for each of `ids` as soon as it is final, or with null when it has
   * no record (or one that cannot be read). A KV watch shared by every caller of this store,
   * so a waiting client hears of an outcome as soon as it is written instead of polling.
   * Resolves once the current states are read (those already final are reported by then).
   */
  async watchFinal(ids: readonly string[], onFinal: OnFinal): Promise<FinalSubscription> {
    this.finals ??= new SharedFinalWatch(this.buckets.conditions);
    const read = async (id: string) => {
      const entry = await this.buckets.conditions.get(conditionKey(id));
      return entry && entry.operation === 'PUT' ? entry.string() : null;
    };
    return watchFinal(this.finals, ids, read, onFinal, READS_AT_ONCE);
  }

  /**
   * The condition once it is final, or as it stands when `timeoutMs` runs out (or `signal`
   * aborts). Null when there is no such condition.
   */
  async waitUntilFinal(
    id: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Condition | null> {
    let settle!: (outcome: Condition | null | 'timeout') => void;
    const outcome = new Promise<Condition | null | 'timeout'>((resolve) => (settle = resolve));
    const subscription = await this.watchFinal([id], (_id, condition) => settle(condition));
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    // The client went away: stop waiting at once rather than hold a listener until the timeout.
    const onAbort = () => settle('timeout');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      const result = await outcome;
      return result === 'timeout' ? await this.get(id) : result;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      subscription.stop();
    }
  }

  /** The most recent condition of a server, final or not. */
  async latestFor(server: string): Promise<Condition | null> {
    const pointer = await this.buckets.conditions.get(latestConditionKey(server));
    if (!pointer || pointer.operation !== 'PUT') return null;
    return this.get(pointer.string());
  }

  /** The condition currently holding a server's claim, if any. */
  async activeFor(server: string): Promise<ActiveClaim | null> {
    const entry = await this.buckets.active.get(activeKey(server));
    return entry && entry.operation === 'PUT' ? decodeClaim(entry.string()) : null;
  }

  /**
   * Moves a condition to a new state (or, with the same state, only appends progress),
   * checking the transition is legal and that nobody else wrote in between. Reaching a
   * final state releases the server's claim.
   */
  async update(
    id: string,
    state: ConditionState,
    change: ConditionUpdate = {},
    expectedRevision?: number,
  ): Promise<StoredCondition> {
    const stored = await this.getWithRevision(id);
    if (!stored) throw new Error(`condition ${id} not found`);
    if (expectedRevision !== undefined && stored.revision !== expectedRevision)
      throw new StaleWriteError(id);
    return this.updateFrom(stored, state, change);
  }

  /**
   * As `update`, for a writer that holds the condition as of its own last write: the
   * compare-and-set on that revision refuses the write if anyone else wrote since, so
   * the read before it would add a round trip and nothing else.
   */
  async updateFrom(
    stored: StoredCondition,
    state: ConditionState,
    change: ConditionUpdate = {},
  ): Promise<StoredCondition> {
    const { condition } = stored;
    const id = condition.id;
    if (state !== condition.state) assertTransition(condition.state, state);
    else if (isFinal(state)) throw new Error(`condition ${id} is already ${state}`);
    const ts = now();
    const update = {
      ...condition,
      state,
      updatedAt: ts,
      status: {
        records: [
          ...condition.status.records,
          ...(change.notes ?? []),
          ...(change.record ? [{ ts, msg: change.record }] : []),
        ],
      },
      ...(change.result !== undefined ? { result: change.result } : {}),
      ...(change.error !== undefined ? { error: change.error } : {}),
      ...(change.errorCode !== undefined ? { errorCode: change.errorCode } : {}),
      ...(change.controller !== undefined ? { controller: change.controller } : {}),
    };
    const next = change.unsigned ? withoutSignature(Condition.parse(update)) : this.sign(update);
    let revision: number;
    try {
      revision = await this.writeOnce(
        this.buckets.conditions,
        conditionKey(id),
        encode(next),
        stored.revision,
      );
    } catch (err) {
      if (isCasConflict(err)) throw new StaleWriteError(id);
      throw err;
    }
    if (isFinal(state)) await this.release(next.target, id);
    return { condition: next, revision };
  }

  /**
   * A compare-and-set write (`previous` 0: the key must not exist) that rides out a leader
   * election. A try whose answer was lost may have landed: when a retry then meets another
   * revision, the key is read, and if it holds exactly our value (each value here is unique: it
   * carries its own id and time) the write was ours and its revision is returned. Otherwise the
   * CAS error stands: someone else wrote.
   */
  private async writeOnce(kv: KV, key: string, value: string, previous: number): Promise<number> {
    return retryTransient(async (retried) => {
      try {
        return await kv.put(key, value, { previousSeq: previous });
      } catch (err) {
        if (!retried || !isCasConflict(err)) throw err;
        const now = await kv.get(key);
        if (now?.operation === 'PUT' && now.string() === value) return now.revision;
        throw err;
      }
    });
  }

  /** Drops a server's claim, but only if it is still this condition's. */
  async release(server: string, conditionId: string): Promise<void> {
    const entry = await retryTransient(() => this.buckets.active.get(activeKey(server)));
    if (
      !entry ||
      entry.operation !== 'PUT' ||
      decodeClaim(entry.string()).conditionId !== conditionId
    )
      return;
    // A retried delete that meets a changed revision finds the claim gone or someone else's.
    await retryTransient(() =>
      this.buckets.active.delete(activeKey(server), { previousSeq: entry.revision }),
    ).catch((err) => {
      if (!isCasConflict(err)) throw err;
    });
  }
}

/** The record without a signature: one a write changed no longer matches it. */
function withoutSignature(condition: Condition): Condition {
  const { signature: _signature, ...rest } = condition;
  return rest as Condition;
}
