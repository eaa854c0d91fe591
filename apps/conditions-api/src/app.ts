import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { ApiOptions } from './core/api-options';
import { Shutdown } from './core/shutdown';
import { LOGGER } from './core/tokens';
import { ErrorFilter } from './errors/error.filter';
import { ApiFastifyAdapter } from './http/fastify-adapter';
import { API_PREFIX } from './http/prefix';
import { closeConnectionsOnShutdown } from './http/shutdown';
import { installRequestLog } from './logging/request-log';
import { NestPinoLogger } from './logging/nest-logger';
import { setupDocs } from './openapi/docs';
import { createLogger, Logger } from '@switchboard/logging';

export type CreateAppOptions = ApiOptions;

export interface ConditionsApi {
  /** Initialised, not listening: call `app.listen(port, host)`, or use `app.inject()`. */
  app: NestFastifyApplication;
  /**
   * Stops HTTP (long waits answered as things stand, open output streams cut), then NATS
   * and the file watches.
   */
  close(): Promise<void>;
}

/**
 * Builds the Conditions API and initialises it: the modules' hooks take the JWT secret
 * (refusing to start without one), load the inventory and the commands (throwing if they
 * are broken), then connect to NATS (waiting for it, with retry) and provision the stream
 * and buckets. The caller decides where it listens.
 */
export async function createApp(options: ApiOptions): Promise<ConditionsApi> {
  const logger: Logger = options.logger ?? createLogger('conditions-api');
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ ...options, logger }),
    new ApiFastifyAdapter(options.tls),
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );
  try {
    app.setGlobalPrefix(API_PREFIX.slice(1), { exclude: ['healthz', 'readyz'] });
    app.useGlobalFilters(new ErrorFilter(app.get<Logger>(LOGGER)));
    const fastify = app.getHttpAdapter().getInstance();
    installRequestLog(fastify, logger);
    closeConnectionsOnShutdown(fastify, app.get(Shutdown).signal);
    setupDocs(app);
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  let closing: Promise<void> | undefined;
  return { app, close: () => (closing ??= app.close()) };
}
