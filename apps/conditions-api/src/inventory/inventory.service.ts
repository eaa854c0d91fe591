import {
  Inventory,
  InventoryWatch,
  ResolveResult,
  ServerEntry,
  watchInventory,
} from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import { ApiError, quote } from '../errors/api-error';

/**
 * The inventory as the API sees it: the last file that loaded without errors, reloaded
 * when it changes. Server names are the keys of everything; ids are accepted as aliases.
 */
export class InventoryService {
  private constructor(private readonly watch: InventoryWatch) {}

  /** Loads the file now (throwing with every problem in it if it is broken) and watches it. */
  static open(file: string, logger: Logger): InventoryService {
    return new InventoryService(watchInventory(file, { logger }));
  }

  current(): Inventory {
    return this.watch.current();
  }

  /** The server named (or with that id), or 404. */
  require(nameOrId: string): ServerEntry {
    const server = this.current().get(nameOrId);
    if (!server) throw ApiError.notFound(`server ${quote(nameOrId)} is not in the inventory`);
    return server;
  }

  /** Throws `RangeExpressionError` when the expression itself is malformed. */
  resolve(expression: string): ResolveResult {
    return this.current().resolve(expression);
  }

  close(): Promise<void> {
    return this.watch.close();
  }
}
