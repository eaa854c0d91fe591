import { z } from 'zod';
import {
  ActionCondition,
  ConditionKind,
  ConditionState,
  EstateCondition,
  ServerControlCondition,
} from './condition';
import { ErrorCode } from './errors';
import { Fault } from './fault';

/**
 * A condition as the API answers it: rivets' Condition (condition/types.go), whose `target` is
 * the server's UUID (its inventory id, or one derived from its name); `server` adds the name.
 * The record's signature stays inside: it is for the controllers, not for clients.
 */
const onTheWire = { target: z.uuid(), server: z.string().min(1) };
const unsigned = { signature: true } as const;
export const ApiCondition = z.discriminatedUnion('kind', [
  ServerControlCondition.omit(unsigned).extend(onTheWire),
  ActionCondition.omit(unsigned).extend(onTheWire),
  EstateCondition.omit(unsigned).extend(onTheWire),
]);
export type ApiCondition = z.infer<typeof ApiCondition>;

/**
 * Body of POST /servers/{server}/condition/{kind}. Parameters are checked against the
 * kind's schema separately (the kind comes from the path). FlipFlop's legacy top-level
 * `exclusive` is accepted and ignored: every condition holds its server exclusively.
 */
export const CreateConditionBody = z.strictObject({
  parameters: z.unknown(),
  exclusive: z.boolean().optional(),
  /** conditionorc's ConditionCreate.fault: where the deployment allows it, admin tokens only. */
  fault: Fault.optional(),
});
export type CreateConditionBody = z.infer<typeof CreateConditionBody>;

/**
 * Most servers one batch may name, counted from the expression before it is expanded (and
 * groups' members as they are added). It bounds the work and the answer of one request:
 * one result each, a whole condition for each accepted one (about 6 MB at the most).
 */
export const MAX_BATCH_SERVERS = 10_000;

/** Body of POST /conditions: one request, many servers (a range or group expression). */
export const BatchConditionBody = z.strictObject({
  kind: ConditionKind,
  targets: z.string().min(1).max(4096),
  parameters: z.unknown(),
  exclusive: z.boolean().optional(),
  fault: Fault.optional(),
});
export type BatchConditionBody = z.infer<typeof BatchConditionBody>;

/**
 * FlipFlop/conditionorc answer to a condition creation or a status query: conditionorc's
 * ServerResponse (pkg/api/v1/conditions/types/types.go). `serverID` is the server's UUID;
 * `server` adds its inventory name.
 */
export const ServerConditionsResponse = z.strictObject({
  message: z.string(),
  records: z.strictObject({
    serverID: z.uuid(),
    server: z.string(),
    state: ConditionState.optional(),
    conditions: z.array(ApiCondition),
  }),
});
export type ServerConditionsResponse = z.infer<typeof ServerConditionsResponse>;

export const BatchOutcome = z.enum(['accepted', 'conflict', 'unknown', 'error']);
export const BatchConditionResponse = z.strictObject({
  message: z.string(),
  results: z.array(
    z.strictObject({
      server: z.string(),
      outcome: BatchOutcome,
      condition: ApiCondition.optional(),
      conflictingConditionId: z.uuid().optional(),
      reason: z.string().optional(),
    }),
  ),
});
export type BatchConditionResponse = z.infer<typeof BatchConditionResponse>;

export const ErrorResponse = z.strictObject({
  statusCode: z.number().int(),
  /** What went wrong, for clients to decide by; `message` is for people. */
  code: ErrorCode,
  error: z.string(),
  message: z.string(),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  conditionId: z.uuid().optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** Value of a server's claim in KV_ACTIVE while it has a non-final condition. */
export const ActiveClaim = z.strictObject({
  conditionId: z.uuid(),
  kind: ConditionKind,
  createdAt: z.iso.datetime(),
});
export type ActiveClaim = z.infer<typeof ActiveClaim>;

/** A controller replica's heartbeat in KV_CONTROLLERS. */
export const ControllerHeartbeat = z.strictObject({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.iso.datetime(),
  ts: z.iso.datetime(),
  inFlight: z.array(z.uuid()),
  /**
   * The ack subject of each in-flight condition's current delivery: a replica restarted with
   * the same id reads them from its old heartbeat and naks them, so JetStream hands it its
   * conditions back at once instead of after the ack wait.
   */
  deliveries: z.record(z.uuid(), z.string()).optional(),
});
export type ControllerHeartbeat = z.infer<typeof ControllerHeartbeat>;

/** Longest a client may ask GET /conditions/{id} to wait for the outcome. */
export const MAX_WAIT_MS = 60_000;

/**
 * `?wait=<ms>` on GET /conditions/{id} and GET /outcomes: answer once the condition is final,
 * or when the wait runs out.
 */
export const ConditionWaitQuery = z.coerce
  .number({ error: `wait must be a number of milliseconds, 0 to ${MAX_WAIT_MS}` })
  .int({ error: 'wait must be a whole number of milliseconds' })
  .min(0)
  .max(MAX_WAIT_MS)
  .optional();

/**
 * One line of GET /outcomes (NDJSON): a condition as soon as it is final, or as it stood when
 * the wait ran out; `condition` is null when there is no condition with this id.
 */
export const OutcomeLine = z.strictObject({
  id: z.uuid(),
  condition: ApiCondition.nullable(),
});
export type OutcomeLine = z.infer<typeof OutcomeLine>;
