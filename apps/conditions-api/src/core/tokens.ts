/** Injection token of the options `createApp` was given (`ApiOptions`). */
export const API_OPTIONS = Symbol('API_OPTIONS');

/** Injection token of the process's pino logger. */
export const LOGGER = Symbol('LOGGER');
