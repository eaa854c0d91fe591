import { readFileSync } from 'node:fs';
import { InventoryError } from './inventory-error';
import { parseInventory } from './parse-inventory';
import { Inventory } from './types';

/** Reads and parses an inventory file; a missing or unreadable file is an `InventoryError` too. */
export function loadInventory(file: string, env: NodeJS.ProcessEnv = process.env): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InventoryError(file, [
      { line: 0, message: `cannot read the inventory file (${code})` },
    ]);
  }
  return parseInventory(text, file, env);
}
