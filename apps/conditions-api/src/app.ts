import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, createLogger } from '@switchboard/logging';
import { AppModule } from './app.module';
import { ErrorFilter } from './errors/error.filter';
import { ApiFastifyAdapter } from './http/fastify-adapter';
import { InventoryService } from './inventory/inventory.service';
import { installRequestLog } from './logging/request-log';
import { NestPinoLogger } from './logging/nest-logger';
import { NatsLink } from './nats/nats-link';
import { API_PREFIX } from './openapi/openapi-document';
import { setupDocs } from './openapi/docs';

export interface CreateAppOptions {
  natsUrl: string;
  inventoryFile: string;
  logger?: Logger;
  /** Aborts the wait for NATS during start-up (Ctrl-C). */
  signal?: AbortSignal;
}

export interface ConditionsApi {
  /** Initialised, not listening: call `app.listen(port, host)`, or use `app.inject()`. */
  app: NestFastifyApplication;
  /** Stops HTTP, then the NATS connection and the inventory watch. */
  close(): Promise<void>;
}

/**
 * Builds the Conditions API: loads the inventory (throwing if it is broken), connects to
 * NATS (waiting for it, with retry), provisions the stream and buckets, and initialises
 * the Nest application on Fastify. The caller decides where it listens.
 */
export async function createApp(options: CreateAppOptions): Promise<ConditionsApi> {
  const logger = options.logger ?? createLogger('conditions-api');
  const inventory = InventoryService.open(options.inventoryFile, logger);
  let nats: NatsLink;
  try {
    nats = await NatsLink.open({ url: options.natsUrl, logger, signal: options.signal });
  } catch (err) {
    await inventory.close();
    throw err;
  }
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.register({ nats, inventory, logger }), new ApiFastifyAdapter(), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    app.setGlobalPrefix(API_PREFIX.slice(1), { exclude: ['healthz', 'readyz'] });
    app.useGlobalFilters(new ErrorFilter(logger));
    installRequestLog(app.getHttpAdapter().getInstance(), logger);
    setupDocs(app);
    await app.init();
  } catch (err) {
    await app?.close().catch(() => undefined);
    await nats.close();
    await inventory.close();
    throw err;
  }
  const ready = app;
  let closing: Promise<void> | undefined;
  return {
    app: ready,
    close: () =>
      (closing ??= (async () => {
        await ready.close();
        await nats.close();
        await inventory.close();
      })()),
  };
}
