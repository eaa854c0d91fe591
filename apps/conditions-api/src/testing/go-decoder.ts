/**
 * Decodes an answer the way Go's encoding/json decodes it into conditionorc's and rivets'
 * types, and as strictly: a field of the wrong JSON type, a UUID that github.com/google/uuid
 * cannot parse, or a time that time.Time cannot parse (RFC 3339) is an error, as it is for
 * `json.Unmarshal` in the Go client; unknown fields are ignored, as Go ignores them.
 *
 * Written from (never copied):
 * - metal-toolbox/conditionorc pkg/api/v1/conditions/types/types.go: ServerResponse,
 *   ConditionsResponse
 * - metal-toolbox/conditionorc pkg/api/v1/conditions/client/requests.go: every answer, error
 *   answers included, is decoded into a ServerResponse
 * - metal-toolbox/rivets condition/types.go: Condition, Fault, State
 */

type Json = unknown;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// time.Time's UnmarshalJSON: RFC 3339, with an optional fraction of up to 9 digits.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

class GoDecodeError extends Error {}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `null` decodes to the zero value for every Go type; absent fields too. */
function field(
  obj: Record<string, Json>,
  key: string,
  check: (v: Json, at: string) => void,
  at: string,
) {
  if (!(key in obj) || obj[key] === null) return;
  check(obj[key], `${at}.${key}`);
}

const str = (v: Json, at: string) => {
  if (typeof v !== 'string')
    throw new GoDecodeError(`${at}: cannot unmarshal ${typeof v} into string`);
};
const bool = (v: Json, at: string) => {
  if (typeof v !== 'boolean')
    throw new GoDecodeError(`${at}: cannot unmarshal ${typeof v} into bool`);
};
const int = (v: Json, at: string) => {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new GoDecodeError(`${at}: cannot unmarshal ${JSON.stringify(v)} into int`);
};
const uuid = (v: Json, at: string) => {
  str(v, at);
  if (!UUID.test(v as string)) throw new GoDecodeError(`${at}: invalid UUID ${JSON.stringify(v)}`);
};
const time = (v: Json, at: string) => {
  str(v, at);
  if (!RFC3339.test(v as string) || Number.isNaN(Date.parse(v as string)))
    throw new GoDecodeError(`${at}: cannot parse ${JSON.stringify(v)} as RFC 3339`);
};
const anyJson = () => undefined;
const object = (inner: (o: Record<string, Json>, at: string) => void) => (v: Json, at: string) => {
  if (!isObject(v))
    throw new GoDecodeError(`${at}: cannot unmarshal ${JSON.stringify(v)} into struct`);
  inner(v, at);
};
const array = (inner: (v: Json, at: string) => void) => (v: Json, at: string) => {
  if (!Array.isArray(v)) throw new GoDecodeError(`${at}: cannot unmarshal ${typeof v} into slice`);
  v.forEach((item, i) => {
    if (item !== null) inner(item, `${at}[${i}]`);
  });
};

/** rivets' Fault. */
const fault = object((o, at) => {
  field(o, 'panic', bool, at);
  field(o, 'delayDuration', str, at);
  field(o, 'failAt', str, at);
});

/** rivets' Condition. */
export const goCondition = object((o, at) => {
  for (const key of ['version', 'client', 'traceID', 'spanID', 'kind', 'state'])
    field(o, key, str, at);
  field(o, 'id', uuid, at);
  field(o, 'target', uuid, at);
  field(o, 'parameters', anyJson, at);
  field(o, 'status', anyJson, at);
  field(o, 'failOnCheckpointError', bool, at);
  field(o, 'fault', fault, at);
  field(o, 'updatedAt', time, at);
  field(o, 'createdAt', time, at);
});

/** conditionorc's ServerResponse, with its ConditionsResponse. */
export const goServerResponse = object((o, at) => {
  field(o, 'statusCode', int, at);
  field(o, 'message', str, at);
  field(
    o,
    'records',
    object((r, rat) => {
      field(r, 'serverID', uuid, rat);
      field(r, 'state', str, rat);
      field(r, 'conditions', array(goCondition), rat);
    }),
    at,
  );
});

/** Throws as `json.Unmarshal` would fail; `body` is the answer's text. */
export function decodeLikeGo(body: string, into: (v: Json, at: string) => void): void {
  let value: Json;
  try {
    value = JSON.parse(body);
  } catch {
    throw new GoDecodeError(`invalid character in the answer: ${body.slice(0, 80)}`);
  }
  into(value, '$');
}
