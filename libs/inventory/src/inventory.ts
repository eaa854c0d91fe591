import { expandExpression } from './range-expand';
import { Inventory, PublicServer, ResolveResult, ServerEntry, ShellPlatform } from './types';

/** The loaded, validated inventory with its lookups; built only by `parseInventory`. */
export class LoadedInventory implements Inventory {
  private readonly byName = new Map<string, ServerEntry>();
  private readonly byId = new Map<string, ServerEntry>();

  constructor(
    readonly file: string,
    readonly servers: ServerEntry[],
    readonly platforms: Map<string, ShellPlatform>,
    readonly groups: Map<string, string[]>,
  ) {
    for (const server of servers) {
      this.byName.set(server.name, server);
      if (server.id !== undefined) this.byId.set(server.id, server);
    }
  }

  get(nameOrId: string): ServerEntry | undefined {
    return this.byName.get(nameOrId) ?? this.byId.get(nameOrId.toLowerCase());
  }

  resolve(expr: string): ResolveResult {
    const unknown = new Set<string>();
    const names = expandExpression(expr, (group) => {
      const members = this.groups.get(group);
      if (!members) unknown.add(`@${group}`);
      return members ?? [];
    });
    const servers = new Set<ServerEntry>();
    for (const name of names) {
      const server = this.get(name);
      if (server) servers.add(server);
      else unknown.add(name);
    }
    return { servers: [...servers], unknown: [...unknown] };
  }

  toPublicView(): PublicServer[] {
    return this.servers.map((s) => {
      const view: PublicServer = {
        name: s.name,
        driver: s.driver,
        ranks: [...s.ranks],
        groups: [...s.groups],
      };
      if (s.id !== undefined) view.id = s.id;
      if (s.platform !== undefined) view.platform = s.platform;
      return view;
    });
  }
}
