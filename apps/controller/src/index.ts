export { startController, DEFAULTS } from './controller';
export type { ControllerOptions, RunningController } from './controller';
export { optionsFromEnv, ConfigError, ENVIRONMENT } from './config';
export type { DriverCallEvent } from './reconcile/driver-call';
export type { DriverFactory } from './services';
