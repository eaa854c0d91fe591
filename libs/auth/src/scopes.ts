/**
 * What a token may do. `read` and `write` are independent on purpose: `write` creates
 * conditions and implies nothing else, not even reading them back, so a submit-only
 * automation cannot browse the fleet's state. A client that creates and then follows a
 * condition (mctl's --wait) carries both. `admin` grants every scope.
 */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** True when `granted` satisfies `needed` (admin satisfies everything). */
export function grants(granted: ReadonlySet<Scope>, needed: Scope): boolean {
  return granted.has('admin') || granted.has(needed);
}

/** The first of `needed` that `granted` does not satisfy, if any. */
export function missingScope(
  granted: ReadonlySet<Scope>,
  needed: readonly Scope[],
): Scope | undefined {
  return needed.find((scope) => !grants(granted, scope));
}

/**
 * Scope names from command-line values: each may be a comma or space separated list
 * (`--scope read,write --scope admin`). Throws naming the values it does not know.
 */
export function parseScopeList(values: readonly string[]): Scope[] {
  const names = values.flatMap((v) => v.split(/[\s,]+/)).filter((n) => n !== '');
  const unknown = names.filter((n) => !isScope(n));
  if (unknown.length > 0)
    throw new Error(
      `unknown scope${unknown.length > 1 ? 's' : ''} ` +
        `${unknown.map((n) => JSON.stringify(n)).join(', ')}; scopes are ` +
        `${SCOPES.join(', ')}`,
    );
  if (names.length === 0) throw new Error(`no scope given; scopes are ${SCOPES.join(', ')}`);
  return [...new Set(names as Scope[])];
}
