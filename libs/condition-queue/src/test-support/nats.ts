// A real nats-server with the stream, consumer and buckets provisioned, for this library's specs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomSigningKeys, SigningKeys } from '@switchboard/condition-signing';
import { ConditionStore } from '@switchboard/condition-store';
import { Buckets, connectWithRetry, provision, startEmbeddedNats } from '@switchboard/nats';

export interface TestNats {
  url: string;
  nc: NatsConnection;
  buckets: Buckets;
  /** Signs what `store` writes, as the API's keys do: give them to the workers too. */
  signing: SigningKeys;
  store: ConditionStore;
  stop(): Promise<void>;
}

export async function startTestNats(label: string): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), `sb-queue-${label}-`));
  const server = await startEmbeddedNats({ dataDir: join(dir, 'js') });
  try {
    const nc = await connectWithRetry({ servers: server.url, name: `test-${label}` });
    const buckets = await provision(nc);
    const signing = randomSigningKeys();
    return {
      url: server.url,
      nc,
      buckets,
      signing,
      store: new ConditionStore(nc, buckets, { signing }),
      async stop() {
        await nc.close().catch(() => undefined);
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
