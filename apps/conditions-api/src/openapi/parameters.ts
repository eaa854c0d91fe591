import { ApiHeader, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import {
  ActionParameters,
  ConditionId,
  ConditionKind,
  ConditionWaitQuery,
} from '@switchboard/condition-types';
import { MAX_IDS_PER_REQUEST } from '../validation/condition-ids-query';
import { inline } from './schemas';

/** A zod-generated JSON Schema, as the swagger decorators type it. */
const schemaOf = (schema: Record<string, unknown>) => schema as SchemaObject;

/** The path and query parameters routes share, described once. */
export const Params = {
  server: () =>
    ApiParam({
      name: 'server',
      description: 'Inventory name or id of the server.',
      schema: { type: 'string' },
    }),
  kind: () =>
    ApiParam({
      name: 'kind',
      description: 'Condition kind.',
      schema: schemaOf(inline(ConditionKind)),
    }),
  id: () =>
    ApiParam({ name: 'id', description: 'Condition id.', schema: schemaOf(inline(ConditionId)) }),
  command: () =>
    ApiParam({
      name: 'name',
      description: 'Command name.',
      schema: schemaOf(inline(ActionParameters.shape.command)),
    }),
  ids: () =>
    ApiQuery({
      name: 'ids',
      required: true,
      description:
        `Condition ids, comma-separated (or the parameter repeated); 1 to ` +
        `${MAX_IDS_PER_REQUEST}.`,
      schema: { type: 'string' },
    }),
  wait: () =>
    ApiQuery({
      name: 'wait',
      required: false,
      description: 'Milliseconds to wait for the condition(s) to be final (at most 60000).',
      schema: schemaOf(inline(ConditionWaitQuery)),
    }),
  accept: () =>
    ApiHeader({
      name: 'accept',
      required: false,
      description:
        '`application/x-ndjson` for one `OutputLine` JSON object per line; anything else gives ' +
        'plain text.',
    }),
};
