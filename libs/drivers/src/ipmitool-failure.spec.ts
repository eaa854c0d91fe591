import { classifyIpmitoolFailure, withoutChatter } from './ipmitool-failure';

// stderr of ipmitool 1.8.19 -v, as printed against ipmi_sim on this machine (see
// ipmitool-runner.spec.ts).
const WRONG_PASSWORD = `Loading IANA PEN Registry...
> RAKP 2 HMAC is invalid
Error: Unable to establish IPMI v2 / RMCP+ session
`;
const UNKNOWN_USER = `Loading IANA PEN Registry...
RAKP 2 message indicates an error : unauthorized name
Error: Unable to establish IPMI v2 / RMCP+ session
`;
const NOTHING_LISTENS = `Loading IANA PEN Registry...
Get Auth Capabilities error
Error issuing Get Channel Authentication Capabilities request
Error: Unable to establish IPMI v2 / RMCP+ session
`;
const NO_SUCH_HOST = `Loading IANA PEN Registry...
Address lookup for no-such-host.invalid failed
Could not open socket!
Error: Unable to establish IPMI v2 / RMCP+ session
`;
const BAD_ARGUMENT = `Loading IANA PEN Registry...
Running Get VSO Capabilities my_addr 0x20, transit 0, target 0x20
Invalid completion code received: Invalid command
Discovered IPMB address 0x0
Invalid argument: usbx
`;

describe('classifying a failed ipmitool run by its stderr', () => {
  it.each([
    ['a wrong password', WRONG_PASSWORD, 'auth', 'RAKP 2 HMAC is invalid'],
    [
      'an unknown user',
      UNKNOWN_USER,
      'auth',
      'RAKP 2 message indicates an error : unauthorized name',
    ],
    ['a silent address', NOTHING_LISTENS, 'timeout', 'Get Auth Capabilities error'],
    [
      'a host name that does not resolve',
      NO_SUCH_HOST,
      'unreachable',
      'Address lookup for no-such-host.invalid failed',
    ],
    [
      'a bare session failure',
      'Error: Unable to establish IPMI v2 / RMCP+ session\n',
      'timeout',
      'Error: Unable to establish IPMI v2 / RMCP+ session',
    ],
    [
      'a cipher suite the BMC lacks',
      'RAKP 2 message indicates an error : no cipher suite match with proposed security ' +
        'algorithms\nError: Unable to establish IPMI v2 / RMCP+ session\n',
      'unsupported',
      'RAKP 2 message indicates an error : no cipher suite match with proposed security algorithms',
    ],
    ['anything else, by its last line', BAD_ARGUMENT, 'command', 'Invalid argument: usbx'],
    ['no stderr at all', '', 'command', 'no message'],
  ])('%s: %s', (_case, stderr, fault, reason) => {
    expect(classifyIpmitoolFailure(stderr)).toEqual({ fault, summary: expect.any(String), reason });
  });
});

describe('the chatter -v adds to every call', () => {
  it('is dropped, and what concerns the failure stays', () => {
    expect(withoutChatter(BAD_ARGUMENT)).toBe('Invalid argument: usbx');
  });

  it('keeps an "Invalid command" that is not the answer to the VSO probe', () => {
    expect(withoutChatter('Invalid completion code received: Invalid command\n')).toBe(
      'Invalid completion code received: Invalid command',
    );
  });
});
