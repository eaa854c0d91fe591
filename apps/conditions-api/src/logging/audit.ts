import { SetMetadata } from '@nestjs/common';
import type { RequestNote } from './request-log';

export const AUDIT_DESCRIBER = 'switchboard:audit:describe';

/** What a route's answer adds to its audit line, given the answer and its status. */
export type Describer<T> = (answer: T, status: number) => RequestNote;

/**
 * How the audit interceptor describes this route's answer (the request itself, its path
 * parameters and body fields, it notes on its own). Routes that stream describe their end
 * through `StreamAnswer`.
 */
export const Audit = <T>(describe: Describer<T>) => SetMetadata(AUDIT_DESCRIBER, describe);
