#!/usr/bin/env node
import { Command } from 'commander';
import { writeNatsCredentials } from './nats-credentials';

const program = new Command('nats-credentials')
  .description(
    'Generate NATS credentials for Switchboard into DIR (0600 files, kept when run again): ' +
      'api.password, controller.password, route.password, users.conf for nats-server and, ' +
      'with --route, routes.conf for its cluster block. Prints only the file names.',
  )
  .argument('<dir>', 'directory for the files (created 0700)')
  .option(
    '--route <url>',
    'a cluster route to dial (nats://HOST:PORT), once per member',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .parse();

try {
  const { dir, files } = writeNatsCredentials(
    program.args[0],
    program.opts<{ route: string[] }>().route,
  );
  process.stdout.write(`${files.map((f) => `${dir}/${f}`).join('\n')}\n`);
} catch (err) {
  process.stderr.write(`nats-credentials: ${(err as Error).message}\n`);
  process.exit(1);
}
