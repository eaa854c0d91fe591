import { ExpandOptions, generateNames } from './range-expand';
import { serverUuid } from './server-uuid';
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
      this.byId.set(serverUuid(server), server);
    }
  }

  get(nameOrId: string): ServerEntry | undefined {
    return this.byName.get(nameOrId) ?? this.byId.get(nameOrId.toLowerCase());
  }

  resolve(expr: string, options?: ExpandOptions): ResolveResult {
    const unknown = new Set<string>();
    const servers = new Set<ServerEntry>();
    for (const name of this.names(expr, options)) {
      const server = this.byName.get(name);
      if (server) servers.add(server);
      else unknown.add(name);
    }
    return { servers: [...servers], unknown: [...unknown] };
  }

  *names(expr: string, options?: ExpandOptions): Generator<string> {
    const seen = new Set<string>();
    // An unknown group stands for itself, `@name`: no server name starts with "@".
    const members = (group: string) => this.groups.get(group) ?? [`@${group}`];
    for (const name of generateNames(expr, members, options)) {
      const shown = this.get(name)?.name ?? name;
      if (seen.has(shown)) continue;
      seen.add(shown);
      yield shown;
    }
  }

  toPublicView(): PublicServer[] {
    return this.servers.map((s) => {
      const view: PublicServer = {
        name: s.name,
        driver: s.driver,
        ranks: [...s.ranks],
        groups: [...s.groups],
        uuid: serverUuid(s),
      };
      if (s.id !== undefined) view.id = s.id;
      if (s.platform !== undefined) view.platform = s.platform;
      return view;
    });
  }
}
