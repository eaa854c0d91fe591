import type { PublicServer } from '@switchboard/inventory';
import { compareNatural, foldNames } from '@switchboard/inventory/node-ranges';
import { ExitCode } from '../exit-codes';
import { toJson } from '../output/json';
import { renderTable } from '../output/tables';
import type { Session } from '../session';
import { resolveAgainst } from '../targets';

/** The columns of a server listing: what matters for power (driver, id) or for actions (ranks). */
export interface ServerColumns {
  head: string[];
  row(server: PublicServer): string[];
}

export const POWER_COLUMNS: ServerColumns = {
  head: ['NAME', 'ID', 'PLATFORM', 'DRIVER', 'GROUPS'],
  row: (s) => [s.name, s.id ?? '', s.platform ?? '', s.driver, s.groups.join(',')],
};

/** OpenFlight's estate list: ranks pick a command's script, so they come first. */
export const ESTATE_COLUMNS: ServerColumns = {
  head: ['NAME', 'RANKS', 'GROUPS', 'PLATFORM'],
  row: (s) => [s.name, s.ranks.join(','), s.groups.join(','), s.platform ?? ''],
};

/**
 * `mctl power list` and `mctl estate-list` [range] [-g group]: the servers the API knows
 * (GET /servers), like OpenFlight's `power list`. It reads the inventory only and never
 * touches a BMC; use `power status` for live power states. `-o json` is the public view.
 */
export async function listServers(
  session: Session,
  targets: string | undefined,
  columns: ServerColumns = POWER_COLUMNS,
): Promise<number> {
  const all = await session.client().listServers();
  let shown: PublicServer[] = all;
  let unknown: string[] = [];
  if (targets !== undefined) {
    const resolved = resolveAgainst(targets, all);
    const wanted = new Set(resolved.names);
    shown = all.filter((s) => wanted.has(s.name));
    unknown = resolved.unknown;
  }
  shown = [...shown].sort((a, b) => compareNatural(a.name, b.name));

  if (session.json) {
    session.out(toJson(shown));
  } else if (shown.length > 0) {
    session.out(renderTable(columns.head, shown.map(columns.row)));
  }
  if (unknown.length > 0) session.io.stderr.write(`unknown: ${foldNames(unknown)}\n`);
  return unknown.length > 0 ? ExitCode.NotAllSucceeded : ExitCode.Ok;
}
