import { isConditionId } from '@switchboard/condition-types';
import { ApiError } from '../errors/api-error';
import { quote } from '../text/clip';

/** Most conditions one request names in `?ids=` (a 1024-server batch in one answer). */
export const MAX_IDS_PER_REQUEST = 1024;

const idsIssue = (message: string) =>
  ApiError.badRequest(`invalid ids: ${message}`, [{ path: 'ids', message }]);

/**
 * `?ids=<id>,<id>,...` (the parameter may also be repeated): condition ids, each once, in the
 * order first given; 1 to MAX_IDS_PER_REQUEST of them.
 */
export function parseConditionIds(raw: unknown): string[] {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string'))
    throw idsIssue('expected a comma-separated list of condition ids');
  const ids = values.flatMap((v) => v.split(',')).filter((id) => id !== '');
  if (ids.length === 0) throw idsIssue('give at least one condition id: ?ids=<id>,<id>');
  const bad = ids.find((id) => !isConditionId(id));
  if (bad !== undefined) throw idsIssue(`${quote(bad, 60)} is not a condition id (a UUID)`);
  const unique = [...new Set(ids)];
  if (unique.length > MAX_IDS_PER_REQUEST)
    throw idsIssue(`${unique.length} conditions; at most ${MAX_IDS_PER_REQUEST} per request`);
  return unique;
}
