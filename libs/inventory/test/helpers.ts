import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, parseInventory } from '../src';

/** Builds YAML from rows so each row's line number is its position in the call (1-based). */
export function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

/** Parses text that must fail, returning the InventoryError. */
export function inventoryError(
  text: string,
  env: NodeJS.ProcessEnv = {},
  file = 'inventory.yaml',
): InventoryError {
  try {
    parseInventory(text, file, env);
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  }
  throw new Error('expected the inventory to be rejected');
}

/** A fresh directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-inventory-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
