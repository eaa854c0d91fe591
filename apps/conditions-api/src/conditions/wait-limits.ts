import { Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { quote } from '../text/clip';

/**
 * Waits (`GET /outcomes`, `GET /conditions/{id}?wait=`) one token subject may hold at once.
 * mctl holds one `/outcomes` per 200 servers, 50 for the largest batch (10,000 servers).
 */
export const MAX_WAITS_PER_SUBJECT = 64;
/** Waits the whole API holds at once, whoever asks. */
export const MAX_WAITS = 512;

/**
 * Bounds the long waits in progress. Each holds reads of up to 1024 records, a place in
 * the final-watch and an HTTP connection for up to a minute; 200 of them of 1,024 ids each,
 * from one read token, stalled `/healthz` for 90 s and cost the API its NATS connection.
 * Past a bound: 429 at once, before anything is read.
 */
@Injectable()
export class WaitLimits {
  private total = 0;
  private readonly perSubject = new Map<string, number>();

  /** Takes a place for `subject`, or throws 429; call the answer once the wait is over. */
  acquire(subject: string): () => void {
    const held = this.perSubject.get(subject) ?? 0;
    if (held >= MAX_WAITS_PER_SUBJECT)
      throw tooMany(
        `too many waits for ${quote(subject)}: at most ${MAX_WAITS_PER_SUBJECT} at once; ` +
          `retry when one has ended`,
      );
    if (this.total >= MAX_WAITS)
      throw tooMany(`the API holds ${MAX_WAITS} waits already; retry shortly`);
    this.perSubject.set(subject, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perSubject.get(subject) ?? 1) - 1;
      if (left > 0) this.perSubject.set(subject, left);
      else this.perSubject.delete(subject);
    };
  }

  /** Waits held now, for tests and the log. */
  get held(): number {
    return this.total;
  }
}

function tooMany(message: string): ApiError {
  return ApiError.of(429, message, { code: 'too_many_waits' });
}
