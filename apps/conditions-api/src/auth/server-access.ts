import { Injectable } from '@nestjs/common';
import { MAX_BATCH_SERVERS } from '@switchboard/condition-types';
import { Inventory, RangeExpressionError, foldNames } from '@switchboard/inventory';
import { ApiError } from '../errors/api-error';
import { clip, quote } from '../text/clip';
import { InventoryService } from '../inventory/inventory.service';
import type { Principal } from './principal';

/** Distinct claims remembered per inventory version before the memo starts again. */
const MEMO_LIMIT = 1000;
/** Refused names a 403 lists before it stops looking (`... and more`). */
const MAX_REFUSED_LISTED = 100;

/**
 * What a token's `servers` claim allows. The claim is a range/group expression resolved
 * against the inventory in force when the token is used, so a token for `@rack1` follows
 * the group as the inventory changes. Names outside the inventory are never covered.
 */
@Injectable()
export class ServerAccess {
  // Keyed by the inventory object: a reload brings a new one, and the memo with it.
  private readonly memo = new WeakMap<Inventory, Map<string, ReadonlySet<string>>>();

  constructor(private readonly inventory: InventoryService) {}

  /** The server names the principal may act on; undefined when its token has no `servers` claim. */
  private allowedNames(principal: Principal): ReadonlySet<string> | undefined {
    const claim = principal.servers;
    if (claim === undefined) return undefined;
    const inventory = this.inventory.current();
    let byClaim = this.memo.get(inventory);
    if (!byClaim || byClaim.size >= MEMO_LIMIT) this.memo.set(inventory, (byClaim = new Map()));
    let names = byClaim.get(claim);
    if (!names) {
      try {
        names = new Set(inventory.resolve(claim).servers.map((s) => s.name));
      } catch (err) {
        if (!(err instanceof RangeExpressionError)) throw err;
        throw ApiError.of(
          401,
          `token servers claim is not a valid range expression: ${err.reason}`,
        );
      }
      byClaim.set(claim, names);
    }
    return names;
  }

  /** 403 naming the servers (inventory names, or names as given) the principal may not act on. */
  requireAll(principal: Principal, names: readonly string[]): void {
    const allowed = this.allowedNames(principal);
    if (!allowed) return;
    const refused = names.filter((name) => !allowed.has(name));
    if (refused.length === 0) return;
    const which =
      refused.length === 1
        ? `server ${quote(refused[0])}`
        : `servers ${clip(foldNames(refused), 300)}`;
    throw ApiError.of(
      403,
      `token may not act on ${which}; its servers claim is ${quote(principal.servers ?? '', 200)}`,
    ).about({ servers: clip(foldNames([...names]), 300) });
  }

  /**
   * As `requireAll` for a range expression, without expanding more of it than it takes to
   * refuse: names are made one at a time and the check stops once MAX_REFUSED_LISTED are
   * outside the claim. A malformed or oversized expression is left for the caller to refuse.
   */
  requireExpression(principal: Principal, expression: string): void {
    const allowed = this.allowedNames(principal);
    if (!allowed) return;
    const refused: string[] = [];
    let more = false;
    try {
      for (const name of this.inventory.current().names(expression, {
        limit: MAX_BATCH_SERVERS,
      })) {
        if (allowed.has(name)) continue;
        if (refused.length === MAX_REFUSED_LISTED) {
          more = true;
          break;
        }
        refused.push(name);
      }
    } catch (err) {
      if (err instanceof RangeExpressionError) return;
      throw err;
    }
    if (refused.length === 0) return;
    const which =
      refused.length === 1
        ? `server ${quote(refused[0])}`
        : `servers ${clip(foldNames(refused), 300)}${more ? ' and more' : ''}`;
    throw ApiError.of(
      403,
      `token may not act on ${which}; its servers claim is ${quote(principal.servers ?? '', 200)}`,
    ).about({ servers: clip(expression, 300) });
  }

  /** As `requireAll`, for one server named by inventory name or id. */
  requireServer(principal: Principal, nameOrId: string): void {
    if (principal.servers === undefined) return;
    this.requireAll(principal, [this.inventory.current().get(nameOrId)?.name ?? nameOrId]);
  }

  /** The entries the principal may see. */
  filter<T extends { name: string }>(principal: Principal, servers: readonly T[]): T[] {
    const allowed = this.allowedNames(principal);
    return allowed ? servers.filter((s) => allowed.has(s.name)) : [...servers];
  }
}
