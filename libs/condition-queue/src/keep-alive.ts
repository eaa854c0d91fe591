import type { JsMsg } from '@nats-io/jetstream';

/**
 * The delivery a running condition answers to. A condition can be delivered again while this
 * replica still works on it (its ack timer ran out during a stall); the newer delivery then
 * replaces the older one, and the final ack goes to the newest.
 */
export class MessageHolder {
  constructor(public msg: JsMsg) {}

  replace(msg: JsMsg): void {
    this.msg = msg;
  }
}

/**
 * Sends in-progress acks (`working()`) every `intervalMs` while a condition runs, so the
 * consumer's 30 s ack_wait never expires while this process lives. A process killed
 * mid-action stops sending them, and JetStream redelivers the message to another replica
 * (or this one after a restart) about 30 s after the last one.
 */
export function keepAlive(holder: MessageHolder, intervalMs: number): { stop(): void } {
  const timer = setInterval(() => {
    try {
      holder.msg.working();
    } catch {
      // connection closing: the message is redelivered anyway
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
