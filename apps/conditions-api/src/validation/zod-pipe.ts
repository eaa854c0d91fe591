import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError, FieldIssue } from '../errors/api-error';
import { quote } from '../text/clip';

/**
 * zod issues as field-level reasons. `prefix` places them in the body (parameters are
 * checked on their own, so their issues get `parameters` in front); an issue about the
 * value as a whole gets the prefix alone, or `root` when there is none.
 */
export function fieldIssues(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
  root = '(body)',
): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return { path: path === '' ? root : path, message: issue.message };
  });
}

export function summarise(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

export interface ZodPipeOptions {
  /** `body`, or the name of the path parameter the pipe guards. */
  source: 'body' | { param: string };
}

/**
 * Validates a request part against a schema of `@switchboard/condition-types`; 400 with field-level
 * reasons otherwise.
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly options: ZodPipeOptions = { source: 'body' },
  ) {}

  transform(value: unknown): z.output<T> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const { source } = this.options;
    if (source === 'body') {
      const issues = fieldIssues(result.error);
      throw ApiError.badRequest(`invalid request body: ${summarise(issues)}`, issues);
    }
    const issues = fieldIssues(result.error, [], source.param);
    const shown = typeof value === 'string' ? ` ${quote(value)}` : '';
    throw ApiError.badRequest(
      `invalid ${source.param}${shown}: ${issues.map((i) => i.message).join('; ')}`,
      issues,
    );
  }
}
