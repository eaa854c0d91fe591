import { execFileSync } from 'node:child_process';

let setpriv: boolean | undefined;

/**
 * The command line that runs `command` so that the kernel kills it when this process dies, even
 * by SIGKILL (setpriv --pdeathsig, util-linux): a crashed stack or test leaves no nats-server,
 * API or controller behind. Without setpriv, the command as it is.
 */
export function dyingWithParent(command: string, args: string[]): [string, string[]] {
  setpriv ??= (() => {
    try {
      execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  return setpriv ? ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
}
