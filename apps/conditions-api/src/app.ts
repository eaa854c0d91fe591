import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, createLogger } from '@switchboard/logging';
import { AppModule } from './app.module';
import { CommandsCatalog } from './commands/commands-catalog';
import { readJwtSecret } from '@switchboard/auth';
import { TokenVerifier } from './auth/token-verifier';
import { ErrorFilter } from './errors/error.filter';
import { ApiFastifyAdapter, TlsOptions } from './http/fastify-adapter';
import { InventoryService } from './inventory/inventory.service';
import { closeConnectionsOnShutdown } from './http/shutdown';
import { installRequestLog } from './logging/request-log';
import { NestPinoLogger } from './logging/nest-logger';
import { NatsLink } from './nats/nats-link';
import { API_PREFIX } from './openapi/openapi-document';
import { setupDocs } from './openapi/docs';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from './rate-limit/rate-limit.options';

export interface CreateAppOptions {
  natsUrl: string;
  inventoryFile: string;
  logger?: Logger;
  /** Aborts the wait for NATS during start-up (Ctrl-C). */
  signal?: AbortSignal;
  /** The HS256 secret tokens are verified with; else JWT_SECRET_FILE or JWT_SECRET from the environment. */
  jwtSecret?: string;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsOptions;
  /** Condition-creating requests per token subject per minute (default 600). */
  rateLimitPerMinute?: number;
  /**
   * The commands directory (the controller's): listed at GET /commands, and action requests
   * checked against it. Without it, nothing is listed and any well-formed command is queued.
   */
  commandsDir?: string;
}

export interface ConditionsApi {
  /** Initialised, not listening: call `app.listen(port, host)`, or use `app.inject()`. */
  app: NestFastifyApplication;
  /** Stops HTTP (long waits answered as things stand, open output streams cut), then the NATS connection, the inventory and commands watches. */
  close(): Promise<void>;
}

/**
 * Builds the Conditions API: takes the JWT secret (refusing to start without one), loads
 * the inventory (throwing if it is broken), connects to NATS (waiting for it, with retry),
 * provisions the stream and buckets, and initialises the Nest application on Fastify.
 * The caller decides where it listens.
 */
export async function createApp(options: CreateAppOptions): Promise<ConditionsApi> {
  // Before anything else: an API that cannot verify tokens must not even connect.
  const verifier =
    options.jwtSecret === undefined
      ? new TokenVerifier(readJwtSecret(process.env), 'the environment')
      : new TokenVerifier(options.jwtSecret, 'createApp options');
  const rateLimitPerMinute = options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1)
    throw new Error(`rateLimitPerMinute must be a whole number above 0, got ${rateLimitPerMinute}`);
  const logger = options.logger ?? createLogger('conditions-api');
  const inventory = InventoryService.open(options.inventoryFile, logger);
  let commands: CommandsCatalog;
  try {
    commands = CommandsCatalog.open(options.commandsDir, logger);
  } catch (err) {
    await inventory.close();
    throw err;
  }
  const closeWatches = async () => {
    await inventory.close();
    await commands.close();
  };
  let nats: NatsLink;
  try {
    nats = await NatsLink.open({ url: options.natsUrl, logger, signal: options.signal });
  } catch (err) {
    await closeWatches();
    throw err;
  }
  const shutdown = new AbortController();
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register({
        nats,
        inventory,
        commands,
        logger,
        verifier,
        rateLimitPerMinute,
        shutdown: shutdown.signal,
      }),
      new ApiFastifyAdapter(options.tls),
      {
        logger: new NestPinoLogger(logger),
        abortOnError: false,
      },
    );
    app.setGlobalPrefix(API_PREFIX.slice(1), { exclude: ['healthz', 'readyz'] });
    app.useGlobalFilters(new ErrorFilter(logger));
    installRequestLog(app.getHttpAdapter().getInstance(), logger);
    closeConnectionsOnShutdown(app.getHttpAdapter().getInstance(), shutdown.signal);
    setupDocs(app);
    await app.init();
  } catch (err) {
    await app?.close().catch(() => undefined);
    await nats.close();
    await closeWatches();
    throw err;
  }
  const ready = app;
  let closing: Promise<void> | undefined;
  return {
    app: ready,
    close: () =>
      (closing ??= (async () => {
        // First, so that long waits answer now and their connections close with the answer.
        shutdown.abort();
        await ready.close();
        await nats.close();
        await closeWatches();
      })()),
  };
}
