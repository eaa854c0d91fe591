import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { abstractMachineTypes } from '@switchboard/condition-types';
import { parse } from 'yaml';

/** The mapping shipped with the controller (OpenFlight's AWS types; our Azure choice). */
export const DEFAULT_MACHINE_TYPES_FILE = join(
  __dirname,
  '..',
  '..',
  'assets',
  'machine-types.yaml',
);

/** Platform ("aws", "azure") -> abstract type -> the cloud's own type. */
export type MachineTypeTable = Map<string, Map<string, string>>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class MachineTypesFileError extends Error {}

/**
 * Reads the operator's mapping of OpenFlight's abstract types. Read at every estate condition
 * (the file is small and the operation rare), so an edit applies to the next change.
 */
export async function loadMachineTypes(file: string): Promise<MachineTypeTable> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new MachineTypesFileError(`machine types ${file}: ${(err as Error).message}`);
  }
  const table: MachineTypeTable = new Map();
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new MachineTypesFileError(`machine types ${file}: expected a map of platforms`);
  for (const [platform, types] of Object.entries(doc as Record<string, unknown>)) {
    if (types === null || typeof types !== 'object' || Array.isArray(types))
      throw new MachineTypesFileError(
        `machine types ${file}: ${platform}: expected a map of types`,
      );
    const map = new Map<string, string>();
    for (const [abstract, concrete] of Object.entries(types as Record<string, unknown>)) {
      if (!abstractMachineTypes.includes(abstract))
        throw new MachineTypesFileError(
          `machine types ${file}: ${platform}.${abstract} is not one of OpenFlight's types ` +
            `(${abstractMachineTypes.join(', ')})`,
        );
      if (typeof concrete !== 'string' || !NAME.test(concrete))
        throw new MachineTypesFileError(
          `machine types ${file}: ${platform}.${abstract} must be a type name, ` +
            `got ${JSON.stringify(concrete)}`,
        );
      map.set(abstract, concrete);
    }
    table.set(platform, map);
  }
  return table;
}

/** The abstract type a concrete one is mapped from, or undefined. */
export function abstractOf(
  types: Map<string, string> | undefined,
  concrete: string,
): string | undefined {
  for (const [abstract, value] of types ?? []) if (value === concrete) return abstract;
  return undefined;
}
