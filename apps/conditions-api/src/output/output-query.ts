import { z } from 'zod';
import { ApiError, quote } from '../errors/api-error';
import { isConditionId } from '../validation/condition-id';

/** Most conditions one batch output request follows (a 1024-server batch in one stream). */
export const MAX_OUTPUT_IDS = 1024;
/** How long an output stream lasts unless `?timeout=` says otherwise, and the most it may say. */
export const DEFAULT_OUTPUT_TIMEOUT_S = 60 * 60;
export const MAX_OUTPUT_TIMEOUT_S = 24 * 60 * 60;

/** `?timeout=<seconds>`: when the answer ends even if conditions are still running. */
export const OutputTimeoutQuery = z.coerce
  .number({ error: `timeout must be a number of seconds, 1 to ${MAX_OUTPUT_TIMEOUT_S}` })
  .int({ error: 'timeout must be a whole number of seconds' })
  .min(1, { error: 'timeout must be at least 1 second' })
  .max(MAX_OUTPUT_TIMEOUT_S, { error: `timeout must be at most ${MAX_OUTPUT_TIMEOUT_S} seconds (24 h)` })
  .optional();

const idsIssue = (message: string) => ApiError.badRequest(`invalid ids: ${message}`, [{ path: 'ids', message }]);

/**
 * `?ids=<id>,<id>,...` (the parameter may also be repeated): condition ids, each once, in the
 * order first given; 1 to MAX_OUTPUT_IDS of them.
 */
export function parseOutputIds(raw: unknown): string[] {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string')) throw idsIssue('expected a comma-separated list of condition ids');
  const ids = values.flatMap((v) => v.split(',')).filter((id) => id !== '');
  if (ids.length === 0) throw idsIssue('give at least one condition id: ?ids=<id>,<id>');
  const bad = ids.find((id) => !isConditionId(id));
  if (bad !== undefined) throw idsIssue(`${quote(bad, 60)} is not a condition id (a UUID)`);
  const unique = [...new Set(ids)];
  if (unique.length > MAX_OUTPUT_IDS) throw idsIssue(`${unique.length} conditions; at most ${MAX_OUTPUT_IDS} per request`);
  return unique;
}
