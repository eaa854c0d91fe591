import type { ConditionState } from './condition';

/**
 * The legal state machine of a condition, as data: pending -> active -> succeeded|failed,
 * pending -> failed (refused or cancelled before it ran). Final states have no exits.
 */
export const legalTransitions: Readonly<Record<ConditionState, readonly ConditionState[]>> = {
  pending: ['active', 'failed'],
  active: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function isFinal(state: ConditionState): boolean {
  return legalTransitions[state].length === 0;
}

export function canTransition(from: ConditionState, to: ConditionState): boolean {
  return legalTransitions[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: ConditionState,
    readonly to: ConditionState,
  ) {
    super(`illegal condition state transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(from: ConditionState, to: ConditionState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
