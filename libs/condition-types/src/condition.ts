import { z } from 'zod';
import { ActionParameters, ActionResult } from './action';
import { ErrorCode } from './errors';
import { EstateParameters, EstateResult } from './estate';
import { Fault } from './fault';
import { ServerControlParameters, ServerControlResult } from './server-control';

/** rivets' ConditionStructVersion (condition/types.go); records of version 1 are still read. */
export const CONDITION_VERSION = '1.1';

export const conditionKinds = ['serverControl', 'action', 'estate'] as const;
export const ConditionKind = z.enum(conditionKinds);
export type ConditionKind = z.infer<typeof ConditionKind>;

export const conditionStates = ['pending', 'active', 'succeeded', 'failed'] as const;
export const ConditionState = z.enum(conditionStates);
export type ConditionState = z.infer<typeof ConditionState>;

/** FlipFlop's status shape: an append-only list of timestamped progress messages. */
export const StatusRecord = z.strictObject({ ts: z.iso.datetime(), msg: z.string() });
export type StatusRecord = z.infer<typeof StatusRecord>;
export const ConditionStatus = z.strictObject({ records: z.array(StatusRecord) });
export type ConditionStatus = z.infer<typeof ConditionStatus>;

/**
 * A MAC over the whole record but this field, by the Switchboard process that wrote this version
 * of it (libs/condition-signing): `kid` names the key, `mac` is HMAC-SHA256, base64url.
 */
export const ConditionSignature = z.strictObject({
  v: z.literal(1),
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type ConditionSignature = z.infer<typeof ConditionSignature>;

/** A condition's id: a UUID the API gives it when it is created. */
export const ConditionId = z.uuid();

export const isConditionId = (value: string): boolean => ConditionId.safeParse(value).success;

const common = {
  version: z.enum(['1', CONDITION_VERSION]),
  id: ConditionId,
  target: z.string().min(1),
  state: ConditionState,
  status: ConditionStatus,
  error: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  requestedBy: z.string().min(1),
  /** The controller replica that holds the condition while it is active. */
  controller: z.string().optional(),
  // rivets' Condition (condition/types.go) fields; defaults for records written before them.
  /** Who asked for it (the token subject, as `requestedBy`). */
  client: z.string().default(''),
  /** Tracing: empty until Switchboard traces, as rivets leaves them. */
  traceID: z.string().default(''),
  spanID: z.string().default(''),
  failOnCheckpointError: z.boolean().default(false),
  fault: Fault.optional(),
  /** Why a failed condition failed, for programs, when a code applies (`error` says it). */
  errorCode: ErrorCode.optional(),
  /** Who wrote this version: see ConditionSignature. Absent in records no process signed. */
  signature: ConditionSignature.optional(),
};

export const ServerControlCondition = z.strictObject({
  ...common,
  kind: z.literal('serverControl'),
  parameters: ServerControlParameters,
  result: ServerControlResult.optional(),
});
export type ServerControlCondition = z.infer<typeof ServerControlCondition>;

export const ActionCondition = z.strictObject({
  ...common,
  kind: z.literal('action'),
  parameters: ActionParameters,
  result: ActionResult.optional(),
});
export type ActionCondition = z.infer<typeof ActionCondition>;

/** OpenFlight's estate commands: a cloud node's machine type, read or changed. */
export const EstateCondition = z.strictObject({
  ...common,
  kind: z.literal('estate'),
  parameters: EstateParameters,
  result: EstateResult.optional(),
});
export type EstateCondition = z.infer<typeof EstateCondition>;

export const Condition = z.discriminatedUnion('kind', [
  ServerControlCondition,
  ActionCondition,
  EstateCondition,
]);
export type Condition = z.infer<typeof Condition>;

/** The parameter schema of each kind, for validating a request before a condition exists. */
export const parametersByKind = {
  serverControl: ServerControlParameters,
  action: ActionParameters,
  estate: EstateParameters,
} as const satisfies Record<ConditionKind, z.ZodType>;

export type ParametersOf<K extends ConditionKind> = z.infer<(typeof parametersByKind)[K]>;
