import { ESTATE_EXIT_CODES, EstateParameters, abstractMachineTypes } from './estate';

describe('estate parameters', () => {
  it.each([
    [{ action: 'show' }],
    [{ action: 'change', machine_type: 'compute-large' }],
    [{ action: 'change', machine_type: 't3.2xlarge' }],
    [{ action: 'change', machine_type: 'Standard_D4s_v5' }],
  ])('accepts %j', (input) => {
    expect(EstateParameters.safeParse(input).success).toBe(true);
  });

  it.each([
    [{ action: 'change' }, 'estate change needs machine_type'],
    [{ action: 'show', machine_type: 'gpu-small' }, 'estate show takes no machine_type'],
    [{ action: 'change', machine_type: '$(reboot)' }, 'machine_type must be a machine type name'],
    [{ action: 'resize', machine_type: 'gpu-small' }, 'Invalid option'],
  ])('refuses %j: %s', (input, message) => {
    const parsed = EstateParameters.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it("names OpenFlight's twelve abstract types and its three exit codes", () => {
    expect(abstractMachineTypes).toHaveLength(12);
    expect(abstractMachineTypes).toContain('mem-medium');
    expect(ESTATE_EXIT_CODES).toEqual({
      unknown_type: 101,
      unsupported_platform: 102,
      wrong_family: 103,
    });
  });
});
