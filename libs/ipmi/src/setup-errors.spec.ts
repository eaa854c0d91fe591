import { completionError, setupRefusal } from './setup-errors';

// Refusals ipmi_sim cannot be made to give here (its users are all administrators, it has
// sessions to spare): what each status means to an operator, from IPMI v2.0 tables 13-15 and 5-2.

describe('RMCP+ status codes in session set-up', () => {
  it.each([
    [
      0x01,
      'busy',
      'insufficient resources to create a session (0x01): the BMC has no free session',
    ],
    [0x09, 'privilege-refused', "invalid role (0x09): check the user's privilege limit"],
    [0x0a, 'privilege-refused', 'unauthorized role or privilege level requested (0x0a)'],
    [0x0d, 'unknown-user', 'unauthorized name (0x0d): the BMC does not know this user name'],
    [0x11, 'cipher-suite-unsupported', 'no cipher suite match with proposed security algorithms'],
    [0x12, 'session-refused', 'illegal or unrecognized parameter (0x12)'],
    [0x7f, 'session-refused', 'unknown status (0x7f)'],
  ])('0x%s: %s', (status, code, words) => {
    const error = setupRefusal('10.0.0.9:623', 'RAKP 1', status);
    expect(error).toMatchObject({ code, status });
    expect(error.message).toContain('10.0.0.9:623: RAKP 1 refused: ');
    expect(error.message).toContain(words);
  });
});

describe('completion codes', () => {
  it.each([
    [0xc0, 'busy', 'node busy'],
    [0xd2, 'busy', 'BMC initialization in progress'],
    [0xd4, 'privilege-refused', 'insufficient privilege level'],
    [0xcc, 'completion-code', 'invalid data field in request'],
    [0x80, 'completion-code', 'command-specific error'],
  ])('0x%s: %s', (cc, code, words) => {
    const error = completionError('10.0.0.9:623', 'Chassis Control (on)', cc);
    expect(error).toMatchObject({ code, status: cc });
    expect(error.message).toBe(
      `10.0.0.9:623: Chassis Control (on) refused: ${words} (0x${cc.toString(16)})`,
    );
  });
});
