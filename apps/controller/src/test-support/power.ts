import type { ConditionStore } from '@switchboard/condition-store';
import type { Condition } from '@switchboard/condition-types';
import { createCondition } from './harness';

/** Queues FlipFlop's set_power_state for `server`: the condition most suites start from. */
export function queuePower(
  store: ConditionStore,
  server: string,
  action_parameter: 'on' | 'off' | 'cycle' | 'reset' | 'soft',
): Promise<Condition> {
  return createCondition(store, server, { action: 'set_power_state', action_parameter });
}
