import { z } from 'zod';

/** How long an output stream lasts unless `?timeout=` says otherwise, and the most it may say. */
export const DEFAULT_OUTPUT_TIMEOUT_S = 60 * 60;
export const MAX_OUTPUT_TIMEOUT_S = 24 * 60 * 60;

/** `?timeout=<seconds>`: when the answer ends even if conditions are still running. */
export const OutputTimeoutQuery = z.coerce
  .number({ error: `timeout must be a number of seconds, 1 to ${MAX_OUTPUT_TIMEOUT_S}` })
  .int({ error: 'timeout must be a whole number of seconds' })
  .min(1, { error: 'timeout must be at least 1 second' })
  .max(MAX_OUTPUT_TIMEOUT_S, {
    error: `timeout must be at most ${MAX_OUTPUT_TIMEOUT_S} seconds (24 h)`,
  })
  .optional();
