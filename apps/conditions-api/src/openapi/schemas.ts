import { z } from 'zod';
import {
  ActionParameters,
  ApiCondition,
  BatchConditionBody,
  BatchConditionResponse,
  CommandProblem,
  CommandSummary,
  CommandsResponse,
  CreateConditionBody,
  ErrorResponse,
  OutcomeLine,
  OutputLine,
  ServerConditionsResponse,
  parametersByKind,
} from '@switchboard/condition-types';

type JsonSchema = Record<string, unknown>;

/** JSON Schemas of contract schemas, as OpenAPI 3.1 components (referencing each other by $ref). */
function components(
  schemas: Record<string, z.ZodType>,
  io: 'input' | 'output',
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(out).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

/** One schema inline (a path or query parameter). */
export function inline(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const requests = {
  CreateConditionBody,
  BatchConditionBody,
  ServerControlParameters: parametersByKind.serverControl,
  ActionParameters,
  EstateParameters: parametersByKind.estate,
};
const answers = {
  // The condition as the API answers it (rivets' Condition) is the document's Condition.
  Condition: ApiCondition,
  ServerConditionsResponse,
  BatchConditionResponse,
  ErrorResponse,
  CommandSummary,
  CommandProblem,
  CommandsResponse,
  OutputLine,
  OutcomeLine,
};

export type SchemaName = keyof typeof requests | keyof typeof answers;

/** A reference to one of the contract's schemas in the document's components. */
export const ref = (name: SchemaName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** `parameters` is `unknown` in the request bodies: its schema depends on the kind. */
const parametersOfAnyKind: JsonSchema = {
  description:
    'The parameters of the condition kind (the `{kind}` path segment, or `kind` in a batch).',
  anyOf: [ref('ServerControlParameters'), ref('ActionParameters'), ref('EstateParameters')],
};

function withKindParameters(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>;
  return { ...schema, properties: { ...properties, parameters: parametersOfAnyKind } };
}

/**
 * The components of the document: requests in their input form, answers in their output
 * form, all generated from the zod schemas of `@switchboard/condition-types`.
 */
export function contractSchemas(): Record<SchemaName, JsonSchema> {
  const input = components(requests, 'input');
  input.CreateConditionBody = withKindParameters(input.CreateConditionBody);
  input.BatchConditionBody = withKindParameters(input.BatchConditionBody);
  return { ...input, ...components(answers, 'output') } as Record<SchemaName, JsonSchema>;
}
