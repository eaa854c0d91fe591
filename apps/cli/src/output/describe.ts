import type { Condition } from '@switchboard/condition-types';

/**
 * The word a success is reported under: what was read back from the server (`on`, `off`,
 * `boot pxe persistent efi`, `bmc reset`), else what was asked for, else `ok`.
 */
export function successLabel(condition: Condition | undefined): string {
  if (!condition) return 'ok';
  if (condition.kind === 'action') {
    const code = condition.result?.exit_code;
    return code === undefined || code === null ? 'ok' : `exit ${code}`;
  }
  if (condition.kind === 'estate') {
    const r = condition.result;
    if (!r?.instance_type) return requestedLabel(condition) ?? 'ok';
    const type = `${r.machine_type ?? 'unknown'} (${r.instance_type})`;
    return r.changed === false && condition.parameters.action === 'change'
      ? `${type}, unchanged`
      : type;
  }
  const parts: string[] = [];
  const result = condition.result;
  if (result?.boot_device !== undefined) {
    parts.push(
      ['boot', result.boot_device, result.persistent ? 'persistent' : '', result.efi ? 'efi' : '']
        .filter(Boolean)
        .join(' '),
    );
  }
  if (result?.bmc_reset) parts.push('bmc reset');
  if (result?.power_state !== undefined) parts.push(result.power_state);
  if (parts.length > 0) return parts.join(', ');
  return requestedLabel(condition) ?? 'ok';
}

/** What a serverControl condition asked for, in mctl's words. */
export function requestedLabel(condition: Condition): string | undefined {
  if (condition.kind === 'action') return `${condition.parameters.command}`;
  if (condition.kind === 'estate') {
    const { action, machine_type } = condition.parameters;
    return action === 'change' ? `estate change ${machine_type ?? ''}` : 'estate show';
  }
  const p = condition.parameters;
  switch (p.action) {
    case 'set_power_state':
      return p.action_parameter;
    case 'get_power_state':
      return 'status';
    case 'power_cycle_bmc':
      return 'bmc reset';
    case 'pxe_boot_persistent':
      return 'boot pxe persistent';
    case 'set_next_boot_device':
      return [
        'boot',
        p.action_parameter,
        p.set_next_boot_device_persistent ? 'persistent' : '',
        p.set_next_boot_device_efi ? 'efi' : '',
      ]
        .filter(Boolean)
        .join(' ');
  }
}
