#!/usr/bin/env node
import { createLogger } from '@switchboard/logging';
import { createApp } from './app';

/** Reads the process environment: NATS_URL and INVENTORY_FILE are required, PORT and HOST have defaults. */
export function readConfig(env: NodeJS.ProcessEnv): { natsUrl: string; inventoryFile: string; port: number; host: string } {
  const missing = ['NATS_URL', 'INVENTORY_FILE'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const port = Number(env.PORT ?? 9001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return { natsUrl: env.NATS_URL!, inventoryFile: env.INVENTORY_FILE!, port, host: env.HOST || '127.0.0.1' };
}

async function main(): Promise<void> {
  const logger = createLogger('conditions-api');
  let config;
  try {
    config = readConfig(process.env);
  } catch (err) {
    logger.fatal({ event: 'config.invalid', err: (err as Error).message }, (err as Error).message);
    process.exitCode = 2;
    return;
  }

  const startup = new AbortController();
  let api: Awaited<ReturnType<typeof createApp>> | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, `received ${signal}, shutting down`);
    startup.abort();
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown.timeout' }, 'shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    void (api?.close() ?? Promise.resolve()).then(
      () => logger.info({ event: 'shutdown.done' }, 'stopped'),
      (err: unknown) => {
        logger.error({ event: 'shutdown.failed', err }, 'error while shutting down');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  try {
    api = await createApp({ natsUrl: config.natsUrl, inventoryFile: config.inventoryFile, logger, signal: startup.signal });
  } catch (err) {
    if (stopping) return;
    logger.fatal({ event: 'startup.failed', err: (err as Error).message }, `could not start: ${(err as Error).message}`);
    process.exitCode = 1;
    return;
  }
  if (stopping) {
    await api.close();
    return;
  }
  await api.app.listen(config.port, config.host);
  logger.info({ event: 'listening', url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/api/v1/docs` }, 'Conditions API listening');
}

if (require.main === module) {
  void main();
}
