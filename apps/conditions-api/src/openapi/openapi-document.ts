import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ConditionWaitQuery,
  BatchConditionBody,
  BatchConditionResponse,
  Condition,
  ConditionKind,
  CreateConditionBody,
  ErrorResponse,
  ServerConditionsResponse,
  parametersByKind,
} from '@switchboard/condition-types';
import { ConditionId } from '../validation/condition-id';

type JsonSchema = Record<string, unknown>;
type Paths = OpenAPIObject['paths'];
type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;

export const API_PREFIX = '/api/v1';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schemas of registered contract schemas, as OpenAPI 3.1 components (referencing each other by $ref). */
function components(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(out).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

function inline(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `parameters` is `unknown` in the request bodies: its schema depends on the kind. */
const parametersOfAnyKind: JsonSchema = {
  description: 'The parameters of the condition kind (the `{kind}` path segment, or `kind` in a batch).',
  anyOf: [ref('ServerControlParameters'), ref('ActionParameters')],
};

function withKindParameters(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>;
  return { ...schema, properties: { ...properties, parameters: parametersOfAnyKind } };
}

const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('ErrorResponse'), description);

const serverParam = {
  name: 'server',
  in: 'path',
  required: true,
  description: 'Inventory name or id of the server.',
  schema: { type: 'string' },
};
const kindParam = { name: 'kind', in: 'path', required: true, description: 'Condition kind.', schema: inline(ConditionKind) };
const idParam = { name: 'id', in: 'path', required: true, description: 'Condition id.', schema: inline(ConditionId) };

const common = {
  400: error('Invalid path parameter or request body; `issues` names each field.'),
  401: error('No bearer token, or one that is malformed, badly signed, expired, not yet valid, not HS256, or without `exp` or `sub`.'),
  403: error('The token lacks the scope this route needs, or its `servers` claim does not cover the server.'),
  503: error('NATS is unreachable; nothing was created.'),
};
const rateLimited = error('Too many condition requests from this token subject; `Retry-After` says when to try again.');

/** Bearer JWT (HS256) on every route but the probes and these docs; see the README's Security section. */
const bearerAuth = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'conditions-api generate-token --subject NAME --scope read,write' };
const open: unknown[] = [];

/**
 * The OpenAPI 3.1 document, generated from the zod schemas of `@switchboard/condition-types`
 * (requests in their input form, answers in their output form); only the paths are assembled here.
 */
export function buildOpenApiDocument(version = '0.1.0'): OpenAPIObject {
  const requests = components(
    {
      CreateConditionBody,
      BatchConditionBody,
      ServerControlParameters: parametersByKind.serverControl,
      ActionParameters: parametersByKind.action,
    },
    'input',
  );
  requests.CreateConditionBody = withKindParameters(requests.CreateConditionBody);
  requests.BatchConditionBody = withKindParameters(requests.BatchConditionBody);
  const answers = components({ Condition, ServerConditionsResponse, BatchConditionResponse, ErrorResponse }, 'output');

  const paths: Record<string, unknown> = {
    [`${API_PREFIX}/servers/{server}/condition/{kind}`]: {
      parameters: [serverParam, kindParam],
      post: {
        operationId: 'createCondition',
        summary: 'Queue a condition for one server',
        description:
          'Accepted means durable: the answer comes after JetStream acknowledged the message. FlipFlop\'s legacy top-level `exclusive` is accepted and ignored. For serverControl, a given `asset_id` (or legacy `assetID`) must be the server\'s inventory id.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('CreateConditionBody') } } },
        responses: {
          200: json(ref('ServerConditionsResponse'), 'Condition queued (state pending).'),
          ...common,
          404: error('Server not in the inventory.'),
          409: error('The server already has a condition that is not final; `conditionId` names it.'),
          413: error('Body larger than 64 KiB.'),
          429: rateLimited,
        },
      },
      get: {
        operationId: 'getServerConditionOfKind',
        summary: "The server's latest condition, if it is of this kind",
        responses: { 200: json(ref('ServerConditionsResponse'), 'The condition.'), ...common, 404: error('No such server, or its latest condition is not of this kind.') },
      },
    },
    [`${API_PREFIX}/servers/{server}/status`]: {
      parameters: [serverParam],
      get: {
        operationId: 'getServerStatus',
        summary: "The server's latest condition, final or not",
        responses: { 200: json(ref('ServerConditionsResponse'), 'The latest condition.'), ...common, 404: error('No such server, or no condition yet.') },
      },
    },
    [`${API_PREFIX}/conditions/{id}`]: {
      parameters: [idParam],
      get: {
        operationId: 'getCondition',
        summary: 'One condition',
        description: 'With `wait` (milliseconds, at most 60000), the answer comes as soon as the condition is final, or when the wait runs out.',
        parameters: [{ name: 'wait', in: 'query', required: false, schema: inline(ConditionWaitQuery) }],
        responses: { 200: json(ref('Condition'), 'The condition.'), ...common, 404: error('No condition with this id.') },
      },
    },
    [`${API_PREFIX}/conditions`]: {
      post: {
        operationId: 'createConditions',
        summary: 'Queue one condition per server of a range/group expression',
        description:
          'Parameters are validated once before anything is created. Each server gets an outcome: accepted, conflict, unknown or error. A token with a `servers` claim that does not cover every target gets 403 and nothing is created.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('BatchConditionBody') } } },
        responses: { 200: json(ref('BatchConditionResponse'), 'Per-server outcomes.'), ...common, 413: error('Body larger than 64 KiB.'), 429: rateLimited },
      },
    },
    [`${API_PREFIX}/servers`]: {
      get: {
        operationId: 'listServers',
        summary: 'The inventory, public view',
        description: 'A token with a `servers` claim sees only those servers.',
        responses: {
          401: common[401],
          403: common[403],
          200: json(
            {
              type: 'object',
              required: ['message', 'records'],
              properties: {
                message: { type: 'string' },
                records: {
                  type: 'array',
                  description: 'PublicServer entries of @switchboard/inventory: name, id, platform, driver, ranks, groups. Never BMC details or secrets.',
                  items: { type: 'object' },
                },
              },
            },
            'The servers.',
          ),
        },
      },
    },
    '/healthz': { get: { operationId: 'healthz', summary: 'Liveness', security: open, responses: { 200: { description: 'The process answers.' } } } },
    '/readyz': {
      get: {
        operationId: 'readyz',
        security: open,
        summary: 'Readiness: NATS connected and provisioned',
        responses: { 200: { description: 'Ready.' }, 503: error('Not connected to NATS, or not provisioned yet.') },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard Conditions API',
      version,
      description: 'FlipFlop/conditionorc-compatible conditions API: queue power, boot and action conditions for servers and read their state.',
    },
    paths: paths as Paths,
    security: [{ bearerAuth: [] }],
    components: { schemas: { ...requests, ...answers } as Schemas, securitySchemes: { bearerAuth } as NonNullable<OpenAPIObject['components']>['securitySchemes'] },
  };
}
