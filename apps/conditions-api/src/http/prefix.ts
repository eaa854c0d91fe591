/** Every route but the probes is under this prefix. */
export const API_PREFIX = '/api/v1';
