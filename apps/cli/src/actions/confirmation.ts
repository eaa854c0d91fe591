import { createInterface } from 'node:readline';
import { UsageError } from '../errors';
import type { InputStream, OutputStream } from '../io';

export interface ConfirmationInputs {
  /** The command's `confirmation`, `%{nodes}` already filled in; undefined when it asks nothing. */
  question?: string;
  /** --yes (or OpenFlight's --confirm). */
  yes: boolean;
  /** stdin is a terminal someone can answer on. */
  canAsk: boolean;
  command: string;
}

/**
 * Whether to ask before running. A command that asks must never run unasked, and mctl must
 * never hang on a question no one can see: without a terminal and without --yes it refuses
 * (exit 2), so a cron job or pipeline fails loudly instead of blocking or running blind.
 */
export function confirmationStep(
  inputs: ConfirmationInputs,
): { ask: false } | { ask: true; question: string } {
  if (inputs.question === undefined || inputs.yes) return { ask: false };
  if (!inputs.canAsk) {
    throw new UsageError(
      `${inputs.command} asks "${inputs.question}" before it runs, and stdin is not a ` +
        `terminal to answer on; add --yes to run it without asking`,
    );
  }
  return { ask: true, question: inputs.question };
}

/** Only an explicit yes runs the command; Enter alone, anything else or end of input is no. */
export function isYes(answer: string | undefined): boolean {
  return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
}

/** Writes the question to `output` (stderr: stdout may be a pipe) and reads one line of `input`. */
export function askYesNo(
  input: InputStream,
  output: OutputStream,
  question: string,
): Promise<boolean> {
  output.write(`${question} [y/N] `);
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(isYes(line));
    });
    rl.once('close', () => {
      if (answered) return;
      output.write('\n');
      resolve(false);
    });
  });
}
