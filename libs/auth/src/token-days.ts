export const DEFAULT_TOKEN_DAYS = 30;
/** Longest lifetime a token may have: a token cannot be revoked alone, only with every other. */
export const MAX_TOKEN_DAYS = 3650;
