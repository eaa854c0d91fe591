import { Condition, ActiveClaim } from '@switchboard/condition-types';

export const encode = (value: unknown): string => JSON.stringify(value);

export function decodeCondition(text: string): Condition {
  return Condition.parse(JSON.parse(text));
}

export function decodeClaim(text: string): ActiveClaim {
  return ActiveClaim.parse(JSON.parse(text));
}
