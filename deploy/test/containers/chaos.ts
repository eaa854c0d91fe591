import { setTimeout as sleep } from 'node:timers/promises';

/** A condition as the API answers it: only what the chaos test reads. */
export interface ConditionView {
  id: string;
  state: 'pending' | 'active' | 'succeeded' | 'failed';
  parameters?: { action_parameter?: string };
  target?: string;
}

/**
 * The client side of the chaos test: talks to whichever of the published APIs answers,
 * moving to the other when one is gone, as an operator's mctl with two URLs would.
 */
export class TwoApis {
  private current = 0;
  switches = 0;

  constructor(
    private readonly ports: number[],
    private readonly token: string,
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let lastError: unknown;
    // Bounded: 60 tries a second apart across both APIs.
    for (let attempt = 0; attempt < 60; attempt++) {
      const port = this.ports[this.current];
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            ...init.headers,
          },
          signal: AbortSignal.timeout(90_000),
        });
        if (res.status < 500) return res;
        lastError = new Error(`${res.status} ${await res.text()}`);
      } catch (err) {
        lastError = err;
      }
      this.current = (this.current + 1) % this.ports.length;
      this.switches++;
      await sleep(1000);
    }
    throw new Error(`no API answered ${path}: ${String(lastError)}`);
  }

  /** One batch; returns the ids of the conditions accepted, per server. */
  async batch(targets: string, power: 'on' | 'off'): Promise<Map<string, string>> {
    const res = await this.request('/api/v1/conditions', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'serverControl',
        targets,
        parameters: { action: 'set_power_state', action_parameter: power },
      }),
    });
    if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as {
      results: { server: string; outcome: string; condition?: { id: string } }[];
    };
    return new Map(
      body.results
        .filter((r) => r.outcome === 'accepted' && r.condition)
        .map((r) => [r.server, r.condition!.id]),
    );
  }

  /** Waits until every condition is final; returns them. Gives up at the deadline. */
  async waitFinal(ids: string[], deadline: number): Promise<Map<string, ConditionView>> {
    const final = new Map<string, ConditionView>();
    while (final.size < ids.length) {
      if (Date.now() > deadline)
        throw new Error(`${ids.length - final.size} conditions not final by the deadline`);
      const open = ids.filter((id) => !final.has(id));
      try {
        const res = await this.request(`/api/v1/outcomes?ids=${open.join(',')}&wait=15000`);
        for (const line of (await res.text()).split('\n').filter(Boolean)) {
          const { id, condition } = JSON.parse(line) as { id: string; condition: ConditionView };
          if (condition && (condition.state === 'succeeded' || condition.state === 'failed'))
            final.set(id, condition);
        }
      } catch {
        // The stream broke with its API: ask again (the other one if need be).
        this.current = (this.current + 1) % this.ports.length;
      }
    }
    return final;
  }
}
