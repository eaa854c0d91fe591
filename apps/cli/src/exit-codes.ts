/**
 * mctl's exit statuses. Scripts may rely on them:
 * 0 every server succeeded (or, with --no-wait, every condition was queued);
 * 1 some failed: at least one server did not succeed (failed, conflict, unknown server,
 *   per-server error);
 * 2 usage or configuration error: bad flag, bad range, bad config file, or a request the API
 *   rejected as invalid (400, 422);
 * 3 nothing created: the API could not be reached, refused the request as a whole (401, 403,
 *   5xx, e.g. queue unavailable, after the create retries) or answered nonsense;
 * 4 created but outcome unknown: conditions were created (or a create may have been received
 *   and its answer lost) and mctl does not know how they ended: it stopped waiting (--wait ran
 *   out) or lost the API while following them. Nothing failed as far as mctl saw.
 * `mctl run` too: a script's own status never becomes mctl's (see actions/exit-status.ts).
 */
export const ExitCode = {
  Ok: 0,
  NotAllSucceeded: 1,
  Usage: 2,
  Api: 3,
  OutcomeUnknown: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Interrupted by Ctrl-C: 128 + SIGINT, as a shell reports it. */
export const INTERRUPTED_EXIT = 130;
