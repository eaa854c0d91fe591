import { setTimeout as sleep } from 'node:timers/promises';
import type { Condition } from '@switchboard/condition-types';

/** What one attempt to create a condition came to. */
export type CreateOutcome =
  | { kind: 'accepted'; id: string }
  /** 409: the server already has this condition (perhaps one of ours whose answer was lost). */
  | { kind: 'busy'; id?: string }
  /** No answer (connection refused or reset, timeout) or a 5xx: nothing is known. */
  | { kind: 'unavailable'; status?: number; reason: string };

/**
 * Several API replicas, as a client behind a load balancer sees them: each request goes to
 * the next one, and one that does not answer is skipped for the next try.
 */
export class ApiPool {
  private next = 0;
  readonly counts = { requests: 0, unavailable: 0, busy: 0 };

  constructor(
    private readonly urls: string[],
    private readonly token: string,
  ) {}

  private pick(): string {
    const url = this.urls[this.next % this.urls.length];
    this.next++;
    return url;
  }

  async create(server: string, parameters: object): Promise<CreateOutcome> {
    this.counts.requests++;
    const url = this.pick();
    try {
      const res = await fetch(
        `${url}/api/v1/servers/${encodeURIComponent(server)}/condition/serverControl`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
          body: JSON.stringify({ parameters }),
          signal: AbortSignal.timeout(30_000),
        },
      );
      const body = (await res.json().catch(() => ({}))) as {
        records?: { conditions?: Array<{ id: string }> };
        conditionId?: string;
        message?: string;
      };
      if (res.status === 200) return { kind: 'accepted', id: body.records!.conditions![0].id };
      if (res.status === 409) {
        this.counts.busy++;
        return { kind: 'busy', id: body.conditionId };
      }
      if (res.status >= 500) {
        this.counts.unavailable++;
        return { kind: 'unavailable', status: res.status, reason: body.message ?? '' };
      }
      throw new Error(`${url}: POST answered ${res.status}: ${JSON.stringify(body)}`);
    } catch (err) {
      if ((err as Error).message.includes('POST answered')) throw err;
      this.counts.unavailable++;
      return { kind: 'unavailable', reason: (err as Error).message };
    }
  }

  /** The condition once final, or undefined when `deadline` passes first; rides out dead APIs. */
  async waitFinal(id: string, deadline: number): Promise<Condition | undefined> {
    while (Date.now() < deadline) {
      const url = this.pick();
      try {
        const wait = Math.max(1000, Math.min(20_000, deadline - Date.now()));
        const res = await fetch(`${url}/api/v1/conditions/${id}?wait=${wait}`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(wait + 10_000),
        });
        if (res.status === 200) {
          const c = (await res.json()) as Condition;
          if (c.state === 'succeeded' || c.state === 'failed') return c;
          continue;
        }
      } catch {
        // that API is down: the next try goes to another
      }
      await sleep(250);
    }
    return undefined;
  }
}
