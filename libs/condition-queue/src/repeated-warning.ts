import type { Logger } from '@switchboard/logging';

/**
 * A warning that an outage repeats many times a second (every pull, every heartbeat): logged
 * the first time, then once every `every` repeats with the count, and once with the count when
 * things work again, so an outage is a few lines instead of thousands.
 */
export class RepeatedWarning {
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly event: string,
    private readonly every = 50,
  ) {}

  failed(err: unknown, message: string, fields: Record<string, unknown> = {}): void {
    if (this.count++ % this.every !== 0) return;
    this.logger.warn(
      { event: this.event, repeats: this.count, err: (err as Error)?.message, ...fields },
      message,
    );
  }

  worked(message: string): void {
    if (this.count === 0) return;
    this.logger.info({ event: `${this.event}.recovered`, repeats: this.count }, message);
    this.count = 0;
  }
}
