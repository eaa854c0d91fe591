import type { ServerControlResult } from '@switchboard/condition-types';
import { setBootDevice } from './boot';
import { need, ReconcileContext } from './context';
import { restart } from './power';

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
  await restart(ctx, 'power cycle', (op) => setter.setPower('cycle', op), {
    whenOff: 'powering on to boot from PXE',
  });
  return { ...boot, power_state: 'on' };
}
