#!/usr/bin/env node
import { createLogger } from '@switchboard/logging';
import { createApp } from './app';
import { generateToken } from './cli/generate-token';
import { readConfig } from './config';

async function serve(): Promise<void> {
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
    api = await createApp({ ...config, logger, signal: startup.signal });
  } catch (err) {
    if (stopping) return;
    logger.fatal(
      { event: 'startup.failed', err: (err as Error).message },
      `could not start: ${(err as Error).message}`,
    );
    process.exitCode = 1;
    return;
  }
  if (stopping) {
    await api.close();
    return;
  }
  await api.app.listen(config.port, config.host);
  const base = `${config.tls ? 'https' : 'http'}://${config.host}:${config.port}`;
  logger.info(
    {
      event: 'listening',
      url: base,
      docs: `${base}/api/v1/docs`,
      tls: Boolean(config.tls),
      rateLimitPerMinute: config.rateLimitPerMinute,
      commandsDir: config.commandsDir ?? null,
    },
    'Conditions API listening',
  );
}

/**
 * `conditions-api` serves; `conditions-api generate-token ...` mints a token and exits without
 * starting anything.
 */
if (require.main === module) {
  if (process.argv[2] === 'generate-token') {
    process.exitCode = generateToken(process.argv.slice(3), process.env, process);
  } else {
    void serve();
  }
}
