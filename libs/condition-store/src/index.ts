export * from './errors';
export * from './condition-store';
export type { FinalSubscription, OnFinal } from './final-watch';
export * from './create-sweeper';
export { isCasConflict } from './cas';
