import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abstractOf, DEFAULT_MACHINE_TYPES_FILE, loadMachineTypes } from './machine-types';

describe('machine types file', () => {
  it("ships OpenFlight's AWS mapping and an Azure one, all twelve types each", async () => {
    const table = await loadMachineTypes(DEFAULT_MACHINE_TYPES_FILE);
    expect(table.get('aws')?.get('compute-large')).toBe('c5.2xlarge');
    expect(table.get('aws')?.get('gpu-small')).toBe('p3.2xlarge');
    expect(table.get('aws')?.size).toBe(12);
    expect(table.get('azure')?.size).toBe(12);
    expect(abstractOf(table.get('aws'), 'r5.xlarge')).toBe('mem-medium');
  });

  it.each([
    ['aws: { huge-large: x1.32xlarge }', "aws.huge-large is not one of OpenFlight's types"],
    ['aws: { gpu-small: "p3 2xlarge" }', 'aws.gpu-small must be a type name'],
    ['- aws', 'expected a map of platforms'],
  ])('refuses %s, naming the file', async (text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'machine-types-')), 'types.yaml');
    writeFileSync(file, text);
    await expect(loadMachineTypes(file)).rejects.toThrow(`machine types ${file}: ${message}`);
  });
});
