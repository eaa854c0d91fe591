import { setMaxListeners } from 'node:events';
import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Aborts when the API begins to stop, before anything is closed: long waits end at once
 * with what stands, and their connections close with the answer. Nest destroys modules
 * before it closes the HTTP server, so the abort comes first.
 */
@Injectable()
export class Shutdown implements OnModuleDestroy {
  private readonly controller = new AbortController();

  constructor() {
    // Every wait and output stream listens for the stop (up to MAX_WAITS waits, and streams):
    // many listeners are expected here, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get started(): boolean {
    return this.controller.signal.aborted;
  }

  onModuleDestroy(): void {
    this.controller.abort();
  }
}
