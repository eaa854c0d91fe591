import type { Io, OutputStream } from '../io';

export interface CapturedStream extends OutputStream {
  text(): string;
}

export function captureStream(isTTY = false): CapturedStream {
  let buffer = '';
  return {
    isTTY,
    columns: 100,
    write(chunk: string) {
      buffer += chunk;
      return true;
    },
    text: () => buffer,
  };
}

export interface MemoryIo extends Io {
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/** An Io that keeps everything in memory; the home directory defaults to one with no config. */
export function memoryIo(
  overrides: Partial<Io> & { stderrTTY?: boolean; stdoutTTY?: boolean } = {},
): MemoryIo {
  const { stderrTTY, stdoutTTY, ...rest } = overrides;
  return {
    env: {},
    homeDir: '/nonexistent-home-for-mctl-tests',
    pollIntervalMs: 1,
    ...rest,
    stdout: captureStream(stdoutTTY ?? false),
    stderr: captureStream(stderrTTY ?? false),
  };
}
