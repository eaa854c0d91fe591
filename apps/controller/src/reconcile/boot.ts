import type { BootDevice, ServerControlResult } from '@switchboard/condition-types';
import type { BootDeviceReading } from '@switchboard/drivers';
import { ConditionFailure } from '@switchboard/condition-queue';
import { need, ReconcileContext } from './context';

/**
 * Names a BMC may report for the device we set. IPMI has no separate "disk" and "default
 * hard drive" (ipmitool `bootdev disk` reads back as "Force Boot from default Hard-Drive",
 * which ipmi_sim calls `default`).
 */
const sameDevice: Partial<Record<BootDevice, readonly string[]>> = {
  disk: ['disk', 'default', 'hdd', 'hard-drive', 'hard_drive'],
  none: ['none', 'no override'],
  remote_drive: ['remote_drive', 'remote'],
};

export function deviceMatches(requested: BootDevice, reported: string): boolean {
  const r = reported.trim().toLowerCase();
  return (sameDevice[requested] ?? [requested]).includes(r);
}

function describeOptions(o: { persistent: boolean; efi: boolean }): string {
  return `${o.persistent ? 'persistent' : 'next boot only'}, ${o.efi ? 'EFI' : 'legacy BIOS'}`;
}

/**
 * Sets the boot device (idempotent: retried on timeouts, simply re-run after a takeover) and
 * reads it back through BootDeviceGetter where the platform has one: the device must match.
 * The flags are reported as requested; when the BMC reports other flags a record says so
 * (some BMCs, ipmi_sim among them, do not keep them).
 */
export async function setBootDevice(
  device: BootDevice,
  options: { persistent: boolean; efi: boolean },
  ctx: ReconcileContext,
): Promise<ServerControlResult & { boot_device: string }> {
  const setter = need(ctx, 'bootDeviceSetter');
  await ctx.progress.record(`setting the boot device to ${device} (${describeOptions(options)})`);
  await ctx.calls.run(`set boot device ${device}`, (op) =>
    setter.setBootDevice(device, options, op),
  );

  const getter = ctx.driver.bootDeviceGetter;
  if (!getter) {
    await ctx.progress.record(
      `boot device ${device} acknowledged; platform ${ctx.platform} cannot read it back, ` +
        `so it is not verified`,
    );
    return { boot_device: device, ...options };
  }
  const read: BootDeviceReading = await ctx.calls.run('read boot device', (op) =>
    getter.bootDevice(op),
  );
  if (!deviceMatches(device, String(read.device))) {
    throw new ConditionFailure(
      `boot device did not change: the BMC reports ${read.device} after setting ${device}`,
    );
  }
  const flagsDiffer = read.persistent !== options.persistent || read.efi !== options.efi;
  await ctx.progress.record(
    `boot device is ${read.device}` +
      (flagsDiffer
        ? ` (the BMC reports ${describeOptions(read)}; it may not keep these flags)`
        : ''),
  );
  return { boot_device: String(read.device), ...options };
}
