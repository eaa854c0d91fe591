export { startWorker } from './worker';
export type { Worker, WorkerOptions } from './worker';
export { HandlerRegistry } from './handler';
export type { ConditionHandler, ConditionOf, Task } from './handler';
export { Progress } from './progress';
export type { Outcome } from './progress';
export { Cancellation } from './cancellation';
export { ConditionFailure, HandBack, handedBack, LostCondition, StoreUnavailable } from './errors';
export { untilSettledOrAborted } from './abortable';
