import type { ApiCondition, ParametersOf } from '@switchboard/condition-types';
import { expandRange } from '@switchboard/inventory/node-ranges';
import { ApiRequestError } from '../api-errors';
import { ExitCode } from '../exit-codes';
import type { Session } from '../session';
import { isSingleServer, resolveAgainst } from '../targets';

/**
 * What metal-toolbox mctl prints for `power` (cmd/power/power.go, cmd/common.go), so that
 * scripts written for it keep working: a queued action is one Go `log` line on stderr
 * (`status=200 msg=condition set conditionID=<id>`); `--action-status` is the latest
 * serverControl condition as indented JSON on stdout (its conditionDisplay), which scripts pipe
 * to jq. It does not wait for the outcome. A failure is one log line, as Go's log.Fatal writes it.
 */

/** Go's `log` prefix: local date and time, "2006/01/02 15:04:05 ". */
function goLogTime(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${now.getFullYear()}/${p(now.getMonth() + 1)}/${p(now.getDate())} ` +
    `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())} `
  );
}

/** Go's time.Time in JSON: RFC 3339 with the fraction's trailing zeros dropped. */
export function goTime(iso: string): string {
  return iso.replace(/\.(\d*?)0+Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** Go's encoding/json escapes <, > and & in strings. */
function goJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/** mctl's conditionDisplay of a condition (cmd/common.go). */
export function conditionDisplay(condition: ApiCondition): string {
  return goJson({
    id: condition.id,
    kind: condition.kind,
    state: condition.state,
    parameters: condition.parameters,
    status: condition.status,
    updated_at: goTime(condition.updatedAt),
    created_at: goTime(condition.createdAt),
  });
}

async function serverNames(session: Session, targets: string): Promise<string[]> {
  if (isSingleServer(targets)) return [targets];
  if (!targets.includes('@')) return expandRange(targets);
  const { names, unknown } = resolveAgainst(targets, await session.client().listServers());
  return [...names, ...unknown];
}

function fatal(session: Session, text: string): void {
  session.io.stderr.write(`${goLogTime()}${text}\n`);
}

const unexpected = (status: number, message: string) =>
  `Unexpected response from Conditions API status code: ${status}` +
  (message ? ` response message: ${message}` : '');

/** `mctl power --server S --action A`, as metal-toolbox mctl prints it. */
export async function metalToolboxCreate(
  session: Session,
  targets: string,
  parameters: ParametersOf<'serverControl'>,
): Promise<number> {
  let failed = false;
  for (const server of await serverNames(session, targets)) {
    try {
      const answer = await session.client().createCondition(server, 'serverControl', parameters);
      if (answer.outcome === 'accepted') {
        fatal(session, `status=200 msg=condition set conditionID=${answer.condition.id}`);
        continue;
      }
      failed = true;
      fatal(session, unexpected(answer.outcome === 'unknown' ? 404 : 409, answer.message));
    } catch (err) {
      if (!(err instanceof ApiRequestError)) throw err;
      failed = true;
      fatal(session, unexpected(err.status, err.body?.message ?? ''));
    }
  }
  return failed ? ExitCode.NotAllSucceeded : ExitCode.Ok;
}

/** `mctl power --server S --action-status`, as metal-toolbox mctl prints it. */
export async function metalToolboxStatus(session: Session, targets: string): Promise<number> {
  let failed = false;
  for (const server of await serverNames(session, targets)) {
    const status = await session.client().serverStatus(server);
    const latest =
      status.found === 'server'
        ? status.conditions.filter((c) => c.kind === 'serverControl').at(-1)
        : undefined;
    if (latest) {
      session.out(conditionDisplay(latest));
      continue;
    }
    failed = true;
    fatal(
      session,
      status.found === 'server'
        ? 'condition response error: response contains no condition of type: serverControl'
        : `condition response error: ${unexpected(404, status.message)}`,
    );
  }
  return failed ? ExitCode.NotAllSucceeded : ExitCode.Ok;
}
