export { ProcessGroup, DEFAULT_MAX_OUTPUT_BYTES } from './spawn-group';
export type { Exit, OutputStream, StartOptions } from './spawn-group';
export { processRunner, runProcess } from './run-process';
export type { ProcessRunner, RunOptions, RunResult } from './run-process';
export { DEFAULT_KILL_POLICY, signalGroup } from './process-group';
export type { KillPolicy } from './process-group';
export { guardPid } from './guardian';
export {
  ENV_NAME,
  FALLBACK_PATH,
  NODE_KEY,
  SCRIPT_PATH,
  assertNoNul,
  nodeKeyRefusal,
  passEnvRefusal,
  scriptBaseEnvironment,
  variableRefusal,
  withoutShellStartup,
} from './environment';
export { LineSplitter, MAX_LINE_CHARS } from './line-splitter';
export { FakeRunner } from './fake-runner';
export type { FakeAnswer } from './fake-runner';
