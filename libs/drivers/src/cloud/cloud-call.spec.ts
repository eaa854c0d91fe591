import { context, rejection } from '../../test/helpers';
import { DriverError } from '../capabilities';
import { cloudCaller, unknownPowerAction } from './cloud-call';

// The request wrapper both cloud drivers use: the three ways a request can end badly.

const LABEL = 'cloud r1 i-1 (node01)';
const failure = (err: unknown, label: string) =>
  new DriverError('command', `${label}: mapped ${(err as Error).message}`, undefined, {
    code: 'Mapped',
  });
const call = cloudCaller(LABEL, failure);

/** A request that only ends when its signal aborts, as an SDK call does. */
const hanging = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(new Error('aborted by signal'))),
  );

describe('cloudCaller', () => {
  it("hands back the request's answer", async () => {
    await expect(call(context(), 'Describe', async () => 42)).resolves.toBe(42);
  });

  it("maps the cloud's own failure, naming the node and the request", async () => {
    const err = await rejection(
      call(context(), 'StartInstances', async () => {
        throw new Error('InvalidInstanceID');
      }),
    );
    expect(err).toMatchObject({ code: 'Mapped', fault: 'command' });
    expect(err.message).toBe(`${LABEL}: StartInstances: mapped InvalidInstanceID`);
  });

  it('our deadline: a transient timeout naming the node, the request and the budget', async () => {
    let seen: AbortSignal | undefined;
    const err = await rejection(
      call(context(100), 'DescribeInstances', (signal) => {
        seen = signal;
        return hanging(signal);
      }),
    );
    expect(err).toMatchObject({ fault: 'timeout', transient: true });
    expect(err.message).toBe(`${LABEL}: DescribeInstances: no answer within 100 ms`);
    expect(seen?.aborted).toBe(true);
  });

  it("a caller's signal aborted with a TimeoutError is a timeout too", async () => {
    const err = await rejection(
      call(context(10_000, { signal: AbortSignal.timeout(50) }), 'get VM', hanging),
    );
    expect(err.fault).toBe('timeout');
  });

  it("the caller's cancellation rejects with its own reason, not mapped", async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the operator');
    const attempt = call(context(10_000, { signal: controller.signal }), 'start', hanging);
    setTimeout(() => controller.abort(reason), 20);
    await expect(attempt).rejects.toBe(reason);
  });
});

describe('unknownPowerAction', () => {
  it.each(['aws', 'azure'])('%s: unsupported, naming the action', (cloud) => {
    expect(unknownPowerAction(cloud, 'diag')).toMatchObject({
      fault: 'unsupported',
      message: `${cloud}: unknown power action diag`,
    });
  });
});
