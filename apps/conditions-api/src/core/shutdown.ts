import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Aborts when the API begins to stop, before anything is closed: long waits end at once
 * with what stands, and their connections close with the answer. Nest destroys modules
 * before it closes the HTTP server, so the abort comes first.
 */
@Injectable()
export class Shutdown implements OnModuleDestroy {
  private readonly controller = new AbortController();

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
