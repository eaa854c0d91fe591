import { DriverError } from '../../src/capabilities';
import { capturingLogger, context, timedRejection } from '../helpers';
import { ContractWorld, PASSWORD, eventsOf } from './world';

/** How each driver fails: the fault the controller decides on, quickly, naming the BMC. */
export function failureCases({ fleet, silentHost, driverFor }: ContractWorld): void {
  describe('failures', () => {
    it.each([
      { case: 'a wrong password', fields: { password: 'wrong-pw' }, suite: 3, fault: 'auth' },
      { case: 'an unknown user', fields: { username: 'nobody' }, suite: 3, fault: 'auth' },
      {
        case: 'cipher suite 17 (ipmi_sim lacks it)',
        fields: {},
        suite: 17,
        fault: 'unsupported',
      },
    ])('$case: $fault, at once, naming the BMC', async ({ fields, suite, fault }) => {
      const bmc = fleet().get('general');
      const { logger, text } = capturingLogger();
      const { error, ms } = await timedRejection(() =>
        driverFor(bmc, fields, suite).powerGetter!.powerState(context(10_000, { logger })),
      );
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({ fault, transient: false });
      expect((error as Error).message).toMatch(new RegExp(`^ipmi ${bmc.host}:623: `));
      if (fault === 'auth') {
        const user = fields.username ?? 'ADMIN';
        expect((error as Error).message).toContain(`authentication refused (user ${user}): `);
      }
      expect(ms).toBeLessThan(5000);
      expect(`${(error as Error).message} ${text()}`).not.toContain(PASSWORD);
    });

    it('nothing listening: a timeout within the deadline, naming the address', async () => {
      const bmc = fleet().get('general');
      const { error, ms } = await timedRejection(() =>
        driverFor(bmc, { host: silentHost() }).powerGetter!.powerState(context(3000)),
      );
      expect(error).toMatchObject({ fault: 'timeout', transient: true });
      expect((error as Error).message).toContain(`${silentHost()}:623`);
      expect(ms).toBeLessThan(3000 + 1000);
    });

    it("the caller's own deadline (a TimeoutError abort) is a timeout fault too", async () => {
      const bmc = fleet().get('general');
      const signal = AbortSignal.timeout(500);
      const { error, ms } = await timedRejection(() =>
        driverFor(bmc, { host: silentHost() }).powerGetter!.powerState(context(10_000, { signal })),
      );
      expect(error).toMatchObject({ fault: 'timeout', transient: true });
      expect(ms).toBeLessThan(500 + 2000);
    });

    it('a host name that does not resolve: unreachable', async () => {
      const bmc = fleet().get('general');
      const attempt = driverFor(bmc, { host: 'no-such-bmc.invalid' }).powerGetter!.powerState(
        context(),
      );
      await expect(attempt).rejects.toMatchObject({ fault: 'unreachable' });
    });

    it("the caller's cancellation rejects with its own reason", async () => {
      const bmc = fleet().get('general');
      const controller = new AbortController();
      const reason = new Error('cancelled by the operator');
      const attempt = driverFor(bmc, { host: silentHost() }).powerGetter!.powerState(
        context(10_000, { signal: controller.signal }),
      );
      setTimeout(() => controller.abort(reason), 100);
      await expect(attempt).rejects.toBe(reason);
    });

    it('cancelled before it starts: rejects with its reason; the BMC gets nothing', async () => {
      const bmc = fleet().get('general');
      const before = eventsOf(bmc).length;
      const reason = new Error('cancelled before the send');
      const attempt = driverFor(bmc).powerSetter!.setPower(
        'on',
        context(10_000, { signal: AbortSignal.abort(reason) }),
      );
      await expect(attempt).rejects.toBe(reason);
      // A command that slipped out would show in the set-log within this time.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(eventsOf(bmc)).toHaveLength(before);
    });
  });
}
