import { context, capturingLogger, ipmiServer } from '../helpers';
import { ContractWorld, PASSWORD } from './world';

/** What the controller reads off a driver before calling it: kind, lock key, capabilities. */
export function identityCases({ subject, fleet, driverFor }: ContractWorld): void {
  describe('identity', () => {
    it('is kind ipmi for its server, keyed by the BMC address, with all five capabilities', () => {
      const bmc = fleet().get('general');
      const driver = driverFor(bmc);
      expect(driver).toMatchObject({
        kind: 'ipmi',
        server: 'node-general',
        lockKey: `ipmi:${bmc.host}:623`,
      });
      for (const capability of [
        'powerGetter',
        'powerSetter',
        'bootDeviceSetter',
        'bootDeviceGetter',
        'bmcResetter',
      ] as const) {
        expect(driver[capability]).toBeDefined();
      }
    });

    it('servers behind one BMC share its lock key; another port is another BMC', () => {
      const endpoint = { host: '127.64.0.1', port: 623, username: 'ADMIN' };
      const key = (name: string, port = 623) =>
        subject.driverFor(ipmiServer(name, { ...endpoint, port })).lockKey;
      expect(key('blade-1')).toBe(key('blade-2'));
      expect(key('blade-1', 6230)).toBe('ipmi:127.64.0.1:6230');
    });

    it('refuses a server without bmc settings, naming it', () => {
      const server = {
        ...ipmiServer('node-x', { host: '127.64.0.1', port: 623, username: 'ADMIN' }),
        bmc: undefined,
      };
      expect(() => subject.driverFor(server)).toThrow(
        'server node-x: the ipmi driver needs bmc settings',
      );
    });

    it('logs a successful call at debug level, and no line holds the password', async () => {
      const { logger, events, text } = capturingLogger();
      await driverFor(fleet().get('general')).powerGetter!.powerState(context(10_000, { logger }));
      expect(events().length).toBeGreaterThan(0);
      expect(text()).not.toContain(PASSWORD);
    });
  });
}
