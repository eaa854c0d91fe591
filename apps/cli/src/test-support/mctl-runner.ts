import { run } from '../program';
import { MemoryIo, memoryIo } from './memory-io';

export interface MctlResult {
  code: number;
  out: string;
  err: string;
}

/**
 * `mctl argv...` in this process (what dist/main.js calls) against an API, with `env` (its URL and
 * token) and a short poll interval; `io` gives a terminal or stdin of the test's own.
 * MCTL_E2E_ECHO=1 shows every command and what it printed, to read the real output.
 */
export async function runMctl(
  env: NodeJS.ProcessEnv,
  argv: string[],
  io: MemoryIo = memoryIo(),
): Promise<MctlResult> {
  io.env = env;
  io.pollIntervalMs = 100;
  const code = await run(argv, io);
  const result = { code, out: io.stdout.text(), err: io.stderr.text() };
  if (process.env.MCTL_E2E_ECHO)
    process.stderr.write(`$ mctl ${argv.join(' ')}\n${result.out}${result.err}[exit ${code}]\n`);
  return result;
}
