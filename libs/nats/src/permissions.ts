import {
  CANCEL_SUBJECT_PREFIX,
  CONTROLLER_CONSUMER,
  KV_ACTIVE,
  KV_BMC_LEASES,
  KV_CONDITIONS,
  KV_CONTROLLERS,
  KV_IDEMPOTENCY,
  OUTPUT_SUBJECT_PREFIX,
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  SUBJECT_PREFIX,
} from '@switchboard/condition-types';

/**
 * The NATS users Switchboard's processes connect as. `api`: creates condition records and
 * queues conditions, reads output, sends cancels. `controller`: consumes the queue, updates
 * records and claims, publishes output and progress, answers cancels.
 */
export const NATS_ROLES = ['api', 'controller'] as const;
export type NatsRole = (typeof NATS_ROLES)[number];

/** nats-server's `permissions` block of one user. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /** Lets the user answer requests it received (once each), without any `_INBOX` publish right. */
  allow_responses?: boolean;
}

/**
 * Each user's replies come to its own inbox prefix: with the default `_INBOX.>` every user
 * could subscribe to every other user's replies (the controller's pull deliveries, the API's
 * record reads). readNatsAuth sets the client's prefix to the same name.
 */
export function inboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

const API = '$JS.API';
const ALL_STREAMS = [
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  ...[KV_CONDITIONS, KV_ACTIVE, KV_CONTROLLERS, KV_BMC_LEASES, KV_IDEMPOTENCY].map(kvStream),
];

function kvStream(bucket: string): string {
  return `KV_${bucket}`;
}

/**
 * Creating the streams, the controllers' consumer and the buckets, or bringing them to the
 * wanted replicas (`ensureJetStream`): every API and controller does it at start. Named
 * streams and one named consumer only; no delete, purge, snapshot or restore of anything.
 */
function provisioning(): string[] {
  return [
    `${API}.INFO`,
    ...ALL_STREAMS.flatMap((s) => [
      `${API}.STREAM.INFO.${s}`,
      `${API}.STREAM.CREATE.${s}`,
      `${API}.STREAM.UPDATE.${s}`,
    ]),
    `${API}.CONSUMER.INFO.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}`,
    `${API}.CONSUMER.DURABLE.CREATE.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}`,
    `${API}.CONSUMER.CREATE.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}.>`,
    // Whether a condition's message is in the queue (the cut-off-create sweeper of both roles,
    // the API's claim check): a read of the last message on its subject, not a consume.
    `${API}.STREAM.MSG.GET.${STREAM_CONDITIONS}`,
  ];
}

/**
 * Reading a bucket: a get through the stream's leader (allow_direct is off), and `keys()` /
 * `watch()`, which are ordered consumers of the bucket's stream.
 */
function kvRead(bucket: string): string[] {
  const stream = kvStream(bucket);
  return [
    `${API}.STREAM.MSG.GET.${stream}`,
    `${API}.CONSUMER.CREATE.${stream}`,
    `${API}.CONSUMER.CREATE.${stream}.>`,
    `${API}.CONSUMER.DELETE.${stream}.>`,
    `${API}.CONSUMER.INFO.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** Writing keys (put, create, update, delete) of a bucket: a publish on `$KV.<bucket>.<key>`. */
function kvWrite(bucket: string, keys = '>'): string[] {
  return [`$KV.${bucket}.${keys}`];
}

/** Reading the output stream: ordered consumers of one condition's subject, and last-line gets. */
function outputRead(): string[] {
  return [
    `${API}.STREAM.MSG.GET.${STREAM_OUTPUT}`,
    `${API}.CONSUMER.CREATE.${STREAM_OUTPUT}`,
    `${API}.CONSUMER.CREATE.${STREAM_OUTPUT}.>`,
    `${API}.CONSUMER.DELETE.${STREAM_OUTPUT}.>`,
    `${API}.CONSUMER.INFO.${STREAM_OUTPUT}.>`,
    `${API}.CONSUMER.MSG.NEXT.${STREAM_OUTPUT}.>`,
    `$JS.FC.${STREAM_OUTPUT}.>`,
  ];
}

const unique = (subjects: string[]): string[] => [...new Set(subjects)];

/**
 * What each role may publish and subscribe to; everything else is denied by nats-server.
 * Derived from the names in libs/condition-types, so a renamed stream or bucket follows.
 */
export function rolePermissions(role: NatsRole, user: string = role): NatsPermissions {
  const inbox = [`${inboxPrefix(user)}.>`];
  if (role === 'api')
    return {
      publish: {
        allow: unique([
          ...provisioning(),
          // Queue conditions (the JetStream publish) and read the queue's state for a subject.
          `${SUBJECT_PREFIX}.>`,
          // Records, claims and idempotency keys: created and updated by the API.
          ...[KV_CONDITIONS, KV_ACTIVE, KV_IDEMPOTENCY].flatMap((b) => [
            ...kvRead(b),
            ...kvWrite(b),
          ]),
          // Controllers' heartbeats and BMC leases: read only.
          ...kvRead(KV_CONTROLLERS),
          ...outputRead(),
          `${CANCEL_SUBJECT_PREFIX}.>`,
        ]),
      },
      subscribe: { allow: inbox },
    };
  return {
    publish: {
      allow: unique([
        ...provisioning(),
        // Pull from the controllers' durable consumer and acknowledge (ack, nak, in progress).
        `${API}.CONSUMER.MSG.NEXT.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}`,
        `$JS.ACK.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}.>`,
        // Records (updates and the sweeper's clean-up; not the `s.` latest pointer), claims,
        // heartbeats, BMC leases.
        ...kvRead(KV_CONDITIONS),
        ...kvWrite(KV_CONDITIONS, 'c.>'),
        ...kvWrite(KV_CONDITIONS, 'p.>'),
        ...[KV_ACTIVE, KV_CONTROLLERS, KV_BMC_LEASES].flatMap((b) => [...kvRead(b), ...kvWrite(b)]),
        `${OUTPUT_SUBJECT_PREFIX}.>`,
      ]),
    },
    subscribe: { allow: [...inbox, `${CANCEL_SUBJECT_PREFIX}.>`] },
    // Cancel replies go to the requester's inbox.
    allow_responses: true,
  };
}
