import type {
  BootDevice,
  PowerAction,
  ServerControlParameters,
  ServerControlResult,
} from '@switchboard/condition-types';
import { resetBmc } from './bmc-reset';
import { setBootDevice } from './boot';
import type { ReconcileContext } from './context';
import { getPowerState, setPowerState } from './power';
import { pxeBootPersistent } from './pxe-boot';

/**
 * One serverControl action, made true on the server: each returns the structured result read
 * back from it, or throws ConditionFailure saying what went wrong. One file per action:
 * power.ts, boot.ts, bmc-reset.ts, pxe-boot.ts.
 */
export async function reconcileServerControl(
  params: ServerControlParameters,
  ctx: ReconcileContext,
): Promise<ServerControlResult> {
  switch (params.action) {
    case 'get_power_state':
      return getPowerState(ctx);
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
