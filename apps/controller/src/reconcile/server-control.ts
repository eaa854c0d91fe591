import {
  BootDevice,
  PowerAction,
  ServerControlParameters,
  ServerControlResult,
} from '@switchboard/condition-types';
import { resetBmc } from './bmc-reset';
import { setBootDevice } from './boot-device';
import type { ReconcileContext } from './context';
import { readPower } from './power-state';
import { pxeBootPersistent } from './pxe-boot';
import { setPowerState } from './set-power';

/**
 * One serverControl action, made true on the server: each returns the structured result read
 * back from it, or throws ConditionFailure saying what went wrong. Where to look:
 *   set_power_state       set-power.ts (verification in verify-power.ts)
 *   get_power_state       power-state.ts
 *   set_next_boot_device  boot-device.ts
 *   power_cycle_bmc       bmc-reset.ts
 *   pxe_boot_persistent   pxe-boot.ts
 * Non-idempotent commands and takeovers: send-once.ts and redelivery-rule.ts.
 */
export async function reconcileServerControl(
  params: ServerControlParameters,
  ctx: ReconcileContext,
): Promise<ServerControlResult> {
  switch (params.action) {
    case 'get_power_state': {
      const power = await readPower(ctx);
      ctx.progress.note(`power is ${power}`);
      return { power_state: power };
    }
    case 'set_power_state':
      return setPowerState(params.action_parameter as PowerAction, ctx);
    case 'set_next_boot_device':
      return setBootDevice(
        params.action_parameter as BootDevice,
        {
          persistent: params.set_next_boot_device_persistent ?? false,
          efi: params.set_next_boot_device_efi ?? false,
        },
        ctx,
      );
    case 'power_cycle_bmc':
      return resetBmc(ctx);
    case 'pxe_boot_persistent':
      return pxeBootPersistent(ctx);
  }
}
