import { ServerControlCondition } from '@switchboard/condition-types';

/** A condition id, exactly as the contract defines it (every condition kind shares the field). */
export const ConditionId = ServerControlCondition.shape.id;

export const isConditionId = (value: string): boolean => ConditionId.safeParse(value).success;
