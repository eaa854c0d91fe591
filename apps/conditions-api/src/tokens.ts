/** Injection token of the process's pino logger. */
export const LOGGER = Symbol('LOGGER');

/** Injection token of the AbortSignal that aborts when the API begins to stop. */
export const SHUTDOWN = Symbol('SHUTDOWN');
