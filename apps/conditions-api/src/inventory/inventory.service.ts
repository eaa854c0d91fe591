import {
  ExpandOptions,
  Inventory,
  InventoryWatch,
  ResolveResult,
  ServerEntry,
  watchInventory,
} from '@switchboard/inventory';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from '@switchboard/logging';
import type { ApiOptions } from '../core/api-options';
import { API_OPTIONS, LOGGER } from '../core/tokens';
import { ApiError } from '../errors/api-error';
import { quote } from '../text/clip';

/**
 * The inventory as the API sees it: the last file that loaded without errors, reloaded
 * when it changes. Server names are the keys of everything; ids are accepted as aliases.
 * Loaded when its module initialises: a broken file stops the API from starting.
 */
@Injectable()
export class InventoryService implements OnModuleInit, OnApplicationShutdown {
  private watch: InventoryWatch | undefined;

  constructor(
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Loads the file now (throwing with every problem in it if it is broken) and watches it. */
  onModuleInit(): void {
    this.watch = watchInventory(this.options.inventoryFile, { logger: this.logger });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch?.close();
  }

  current(): Inventory {
    if (!this.watch) throw new Error('the inventory is read when the API starts, not before');
    return this.watch.current();
  }

  /** The server named (or with that id), or 404. */
  require(nameOrId: string): ServerEntry {
    const server = this.current().get(nameOrId);
    if (!server)
      throw ApiError.notFound(
        `server ${quote(nameOrId)} is not in the inventory`,
        'unknown_server',
      );
    return server;
  }

  /** Throws `RangeExpressionError` when the expression itself is malformed. */
  resolve(expression: string, options?: ExpandOptions): ResolveResult {
    return this.current().resolve(expression, options);
  }
}
