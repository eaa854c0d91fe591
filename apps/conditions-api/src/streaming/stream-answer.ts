import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestNote, noteRequest } from '../logging/request-log';
import { LineReadable } from './line-readable';

/** Content types of the streamed answers. */
export const CONTENT_TYPES = {
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
} as const;

export interface StreamAnswerOptions {
  contentType: string;
  /** Called once if the client goes away before the answer ends. */
  onGone?: () => void;
  /**
   * Whether the API is stopping when the answer ends: its head may have promised keep-alive,
   * and a kept-alive connection would hold the server's close until its idle timeout (72 s),
   * so the connection is ended with the answer.
   */
  stopping?: () => boolean;
}

/**
 * A streamed 200 answer, written line by line: the one way every streamed route answers
 * (live output, outcomes). `write` resolves when the client has room for more, so a slow
 * reader slows the producer down instead of filling the API's memory. The answer's end
 * goes on its audit line, before the answer closes.
 */
export class StreamAnswer {
  private readonly body: LineReadable;
  private readonly gone = new AbortController();

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly options: StreamAnswerOptions,
  ) {
    this.body = new LineReadable(() => {
      this.gone.abort();
      options.onGone?.();
    });
    // Fastify writes a streamed answer's head with its first chunk; a client waiting for
    // something that has nothing to say yet should still learn at once that it was accepted.
    // The body is resumed only once Fastify has set every header and piped it.
    this.body.once('resume', () => reply.raw.flushHeaders());
    void reply
      .status(200)
      .header('content-type', options.contentType)
      // Live data: no cache or proxy should hold it back or keep it.
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .header('x-content-type-options', 'nosniff')
      .send(this.body);
  }

  /** Aborts when the client has gone (its connection closed, or the answer ended). */
  get left(): AbortSignal {
    return this.gone.signal;
  }

  write(text: string): Promise<void> {
    return this.body.write(text);
  }

  /**
   * Ends the answer, noting `summary` on its audit line first. A whole answer ends normally;
   * one cut short drops the connection mid-body, so that it cannot pass for a whole one.
   */
  end(summary: RequestNote, whole: boolean): void {
    noteRequest(this.request, summary);
    if (this.options.stopping?.()) {
      this.reply.raw.once('finish', () => this.request.raw.socket.end());
    }
    if (whole) this.body.finish();
    else this.body.destroy(new Error(`answer cut short: ${String(summary.outcome)}`));
  }
}
