import type { ServerControlResult } from '@switchboard/condition-types';
import { setBootDevice } from './boot-device';
import { need, ReconcileContext } from './context';
import { readPower } from './power-state';
import { lastCommand, resumePowerCommand } from './redelivery-rule';
import { sendOnce } from './send-once';
import { verifyPower } from './verify-power';

/** PXE boot through UEFI, which is what servers provisioned over the network boot with today. */
export const PXE_BOOT_OPTIONS = { persistent: true, efi: true } as const;

/**
 * pxe_boot_persistent: make PXE the persistent boot device, then make the server actually
 * boot from it (FlipFlop only sets the device and reports success): power on if it is off,
 * a power cycle (sent once) if it is on; then verify that it is on.
 */
export async function pxeBootPersistent(ctx: ReconcileContext): Promise<ServerControlResult> {
  const setter = need(ctx, 'powerSetter', 'to boot the server from PXE');
  need(ctx, 'powerGetter', 'to boot the server from PXE');
  const boot = await setBootDevice('pxe', PXE_BOOT_OPTIONS, ctx);
  const result = { ...boot, power_state: 'on' as const };

  const trace = ctx.takeover ? lastCommand(ctx.takeover.previousRecords) : undefined;
  if (trace?.command === 'power cycle') {
    const resume = resumePowerCommand(trace, trace.acknowledged ? 'on' : await readPower(ctx));
    if (resume.kind === 'succeed') {
      await ctx.progress.record(resume.record);
      return result;
    }
    if (resume.kind === 'power-on') {
      await ctx.progress.record(resume.record);
      await ctx.calls.run('set power on', (op) => setter.setPower('on', op));
    }
  } else if ((await readPower(ctx)) === 'off') {
    await ctx.progress.record('powering on to boot from PXE');
    await ctx.calls.run('set power on', (op) => setter.setPower('on', op));
  } else {
    await sendOnce(ctx, 'power cycle', (op) => setter.setPower('cycle', op), { onTimeout: 'fail' });
  }
  await verifyPower('on', ctx);
  return result;
}
