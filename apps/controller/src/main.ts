#!/usr/bin/env node
import { createLogger } from '@switchboard/logging';
import { ConfigError, optionsFromEnv } from './config';
import { RunningController, startController } from './controller';
import { startHealthServer } from './health/health-server';

/**
 * switchboard-controller: configuration from the environment (see config.ts / README.md).
 * SIGTERM or SIGINT drains (stop pulling, finish or hand back in-flight work, exit 0);
 * a second signal hands everything back at once.
 */
async function main(): Promise<void> {
  const logger = createLogger('controller');
  let opts;
  try {
    opts = optionsFromEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.fatal({ event: 'controller.config_invalid', problems: err.problems }, err.message);
    process.exit(2);
  }

  const running: { controller?: RunningController } = {};
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    logger.info({ event: 'controller.signal', signal }, `received ${signal}`);
    const { controller } = running;
    if (!controller) process.exit(0); // still connecting: nothing to hand back
    const stop = signals === 1 ? controller.drain() : controller.close();
    stop.then(
      () => process.exit(0),
      (err) => {
        logger.error({ event: 'controller.stop_failed', err }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  if (opts.healthPort !== undefined) {
    // Up before NATS is reached: liveness holds while the controller waits for NATS.
    const health = () => running.controller?.health();
    const server = await startHealthServer(
      {
        started: () => running.controller !== undefined,
        stopping: () => signals > 0 || (health()?.stopping ?? false),
        natsOpen: () => health()?.natsOpen ?? false,
        inFlight: () => health()?.inFlight ?? 0,
      },
      opts.healthPort,
    );
    logger.info({ event: 'health.listening', port: server.port }, 'probes and metrics listening');
  }
  running.controller = await startController({ ...opts, logger });
}

main().catch((err) => {
  createLogger('controller').fatal(
    { event: 'controller.failed', err },
    `controller failed: ${(err as Error).message}`,
  );
  process.exit(1);
});
