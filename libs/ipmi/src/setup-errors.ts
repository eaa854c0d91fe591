import { COMPLETION_CODES } from './commands';
import { IpmiError, IpmiErrorCode } from './errors';
import { RMCP_STATUS } from './session-setup';

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** What an RMCP+ status code in Open Session Response, RAKP 2 or RAKP 4 means for an operator. */
const STATUS_CODES: Record<number, { code: IpmiErrorCode; hint: string }> = {
  0x01: { code: 'busy', hint: 'the BMC has no free session; try again later' },
  0x0b: { code: 'busy', hint: 'the BMC has no free session at this privilege; try again later' },
  0x04: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x05: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x06: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x07: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x10: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x11: { code: 'cipher-suite-unsupported', hint: 'choose a cipher suite the BMC offers' },
  0x09: { code: 'privilege-refused', hint: "check the user's privilege limit on the BMC" },
  0x0a: { code: 'privilege-refused', hint: "check the user's privilege limit on the BMC" },
  0x0c: { code: 'unknown-user', hint: 'check the user name' },
  0x0d: { code: 'unknown-user', hint: 'the BMC does not know this user name' },
};

export function setupRefusal(where: string, stage: string, status: number): IpmiError {
  const known = STATUS_CODES[status];
  const text = RMCP_STATUS[status] ?? 'unknown status';
  const hint = known ? `: ${known.hint}` : '';
  return new IpmiError(
    known?.code ?? 'session-refused',
    `${where}: ${stage} refused: ${text} (${hex(status)})${hint}`,
    status,
  );
}

/** A completion code other than success, with the codes an operator acts on told apart. */
export function completionError(where: string, command: string, cc: number): IpmiError {
  const text = COMPLETION_CODES[cc] ?? 'command-specific error';
  const code: IpmiErrorCode =
    cc === 0xc0 || cc === 0xd2 ? 'busy' : cc === 0xd4 ? 'privilege-refused' : 'completion-code';
  return new IpmiError(code, `${where}: ${command} refused: ${text} (${hex(cc)})`, cc);
}
