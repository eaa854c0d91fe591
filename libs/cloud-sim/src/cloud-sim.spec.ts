import { startArmFake } from './arm-fake';
import { motoCommand } from './moto-server';

describe('cloud-sim', () => {
  it('names what is missing when moto cannot be started, instead of skipping', () => {
    expect(() => motoCommand({ PATH: '/nonexistent' })).toThrow(/moto_server is not installed/);
  });

  it('finds moto on this machine (the EC2 tests need it)', () => {
    expect(motoCommand().length).toBeGreaterThan(0);
  });

  it('serves the ARM fake over HTTPS only to the bearer of its token', async () => {
    const arm = await startArmFake();
    try {
      expect(arm.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(arm.ca).toContain('BEGIN CERTIFICATE');
      const { request } = await import('node:https');
      const status = await new Promise<number>((resolve, reject) => {
        const vm =
          '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z';
        const url = `${arm.endpoint}${vm}?api-version=2024-11-01`;
        request(url, { ca: arm.ca }, (res) => resolve(res.statusCode ?? 0))
          .on('error', reject)
          .end();
      });
      expect(status).toBe(401);
    } finally {
      await arm.stop();
    }
  });
});
