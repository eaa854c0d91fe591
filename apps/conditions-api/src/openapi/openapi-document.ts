import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ActionParameters,
  ConditionWaitQuery,
  BatchConditionBody,
  BatchConditionResponse,
  CommandProblem,
  CommandSummary,
  CommandsResponse,
  Condition,
  ConditionKind,
  CreateConditionBody,
  ErrorResponse,
  OutcomeLine,
  OutputLine,
  ServerConditionsResponse,
  parametersByKind,
} from '@switchboard/condition-types';
import { CANCEL_ACK_TIMEOUT_MS } from '../conditions/cancel.service';
import { CONTENT_TYPES } from '../output/output-format';
import { DEFAULT_OUTPUT_TIMEOUT_S, OutputTimeoutQuery } from '../output/output-query';
import { MAX_IDS_PER_REQUEST } from '../validation/condition-ids-query';
import { MAX_STREAMS_PER_SUBJECT } from '../output/output.service';
import { ConditionId } from '../validation/condition-id';

type JsonSchema = Record<string, unknown>;
type Paths = OpenAPIObject['paths'];
type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;

export const API_PREFIX = '/api/v1';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schemas of registered contract schemas, as OpenAPI 3.1 components (referencing each other by $ref). */
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

function inline(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** `parameters` is `unknown` in the request bodies: its schema depends on the kind. */
const parametersOfAnyKind: JsonSchema = {
  description:
    'The parameters of the condition kind (the `{kind}` path segment, or `kind` in a batch).',
  anyOf: [ref('ServerControlParameters'), ref('ActionParameters')],
};

function withKindParameters(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>;
  return { ...schema, properties: { ...properties, parameters: parametersOfAnyKind } };
}

const json = (schema: JsonSchema, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('ErrorResponse'), description);

const serverParam = {
  name: 'server',
  in: 'path',
  required: true,
  description: 'Inventory name or id of the server.',
  schema: { type: 'string' },
};
const kindParam = {
  name: 'kind',
  in: 'path',
  required: true,
  description: 'Condition kind.',
  schema: inline(ConditionKind),
};
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Condition id.',
  schema: inline(ConditionId),
};
const commandParam = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'Command name.',
  schema: inline(ActionParameters.shape.command),
};
const idsParam = {
  name: 'ids',
  in: 'query',
  required: true,
  description: `Condition ids, comma-separated (or the parameter repeated); 1 to ${MAX_IDS_PER_REQUEST}.`,
  schema: { type: 'string' },
};
const timeoutParam = {
  name: 'timeout',
  in: 'query',
  required: false,
  description: `Seconds after which the answer ends even if conditions are still running (default ${DEFAULT_OUTPUT_TIMEOUT_S}).`,
  schema: inline(OutputTimeoutQuery),
};
const acceptParam = {
  name: 'accept',
  in: 'header',
  required: false,
  description:
    '`application/x-ndjson` for one `OutputLine` JSON object per line; anything else gives plain text.',
  schema: { type: 'string' },
};

const tooManyStreams = error(
  `This token subject already has ${MAX_STREAMS_PER_SUBJECT} output streams open.`,
);

/** A streamed answer: chunked, as the lines come. */
const outputAnswer = (text: string) => ({
  description:
    'Lines as they are printed, from the first one (a late client gets the earlier lines too). The answer ends once every condition is final and all its lines have been sent, or when `timeout` runs out. An answer cut short (the API shutting down, NATS failing) ends without its final chunk: read that as incomplete.',
  content: {
    [CONTENT_TYPES.text]: { schema: { type: 'string', description: text } },
    [CONTENT_TYPES.ndjson]: {
      schema: { ...ref('OutputLine'), description: 'One OutputLine per line (NDJSON).' },
    },
  },
});

const common = {
  400: error('Invalid path parameter or request body; `issues` names each field.'),
  401: error(
    'No bearer token, or one that is malformed, badly signed, expired, not yet valid, not HS256, or without `exp` or `sub`.',
  ),
  403: error(
    'The token lacks the scope this route needs, or its `servers` claim does not cover the server.',
  ),
  503: error('NATS is unreachable; nothing was created.'),
};
const rateLimited = error(
  'Too many condition requests from this token subject; `Retry-After` says when to try again.',
);

/** Bearer JWT (HS256) on every route but the probes and these docs; see the README's Security section. */
const bearerAuth = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'conditions-api generate-token --subject NAME --scope read,write',
};
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
  const answers = components(
    {
      Condition,
      ServerConditionsResponse,
      BatchConditionResponse,
      ErrorResponse,
      CommandSummary,
      CommandProblem,
      CommandsResponse,
      OutputLine,
      OutcomeLine,
    },
    'output',
  );

  const paths: Record<string, unknown> = {
    [`${API_PREFIX}/servers/{server}/condition/{kind}`]: {
      parameters: [serverParam, kindParam],
      post: {
        operationId: 'createCondition',
        summary: 'Queue a condition for one server',
        description:
          "Accepted means durable: the answer comes after JetStream acknowledged the message. FlipFlop's legacy top-level `exclusive` is accepted and ignored. For serverControl, a given `asset_id` (or legacy `assetID`) must be the server's inventory id. For an action, with a commands directory configured, the command must exist and load (400 naming the file problem otherwise), and a `concurrent: true` command does not take the server claim.",
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('CreateConditionBody') } },
        },
        responses: {
          200: json(ref('ServerConditionsResponse'), 'Condition queued (state pending).'),
          ...common,
          404: error('Server not in the inventory.'),
          409: error(
            'The server already has a condition that is not final; `conditionId` names it.',
          ),
          413: error('Body larger than 64 KiB.'),
          429: rateLimited,
        },
      },
      get: {
        operationId: 'getServerConditionOfKind',
        summary: "The server's latest condition, if it is of this kind",
        responses: {
          200: json(ref('ServerConditionsResponse'), 'The condition.'),
          ...common,
          404: error('No such server, or its latest condition is not of this kind.'),
        },
      },
    },
    [`${API_PREFIX}/servers/{server}/status`]: {
      parameters: [serverParam],
      get: {
        operationId: 'getServerStatus',
        summary: "The server's latest condition, final or not",
        responses: {
          200: json(ref('ServerConditionsResponse'), 'The latest condition.'),
          ...common,
          404: error('No such server, or no condition yet.'),
        },
      },
    },
    [`${API_PREFIX}/conditions/{id}`]: {
      parameters: [idParam],
      get: {
        operationId: 'getCondition',
        summary: 'One condition',
        description:
          'With `wait` (milliseconds, at most 60000), the answer comes as soon as the condition is final, or when the wait runs out.',
        parameters: [
          { name: 'wait', in: 'query', required: false, schema: inline(ConditionWaitQuery) },
        ],
        responses: {
          200: json(ref('Condition'), 'The condition.'),
          ...common,
          404: error('No condition with this id.'),
        },
      },
      delete: {
        operationId: 'cancelCondition',
        summary: 'Cancel a condition',
        description: `Pending: failed at once ("cancelled by <subject>"), its server claim released; 200. Active action: the controller running it is asked to stop it, and 202 means it acknowledged (the condition becomes final once the script has stopped). An active serverControl is not interrupted (409); a pending one can be cancelled. Needs scope write.`,
        responses: {
          200: json(ref('Condition'), 'It was pending: now failed.'),
          202: json(ref('Condition'), 'It was active: its controller is stopping it.'),
          ...common,
          404: error('No condition with this id.'),
          409: error(
            `Already final; an active serverControl; or no controller acknowledged within ${CANCEL_ACK_TIMEOUT_MS / 1000} s.`,
          ),
        },
      },
    },
    [`${API_PREFIX}/conditions/{id}/output`]: {
      parameters: [idParam],
      get: {
        operationId: 'followConditionOutput',
        summary: "Follow one condition's output live",
        parameters: [timeoutParam, acceptParam],
        responses: {
          200: outputAnswer('The lines as printed, one per line.'),
          ...common,
          404: error('No condition with this id.'),
          429: tooManyStreams,
        },
      },
    },
    [`${API_PREFIX}/output`]: {
      get: {
        operationId: 'followOutput',
        summary: 'Follow the output of several conditions live, interleaved',
        description:
          'A token with a `servers` claim that does not cover every condition gets 403 and nothing is streamed.',
        parameters: [idsParam, timeoutParam, acceptParam],
        responses: {
          200: outputAnswer('Each line after its server name: `node01: text`.'),
          ...common,
          404: error('Some of the conditions do not exist; the message lists them.'),
          429: tooManyStreams,
        },
      },
    },
    [`${API_PREFIX}/outcomes`]: {
      get: {
        operationId: 'followOutcomes',
        summary: 'Several conditions, each sent as soon as it is final',
        description:
          'NDJSON, one `OutcomeLine` per condition asked for: at once for those already final (or all of them without `wait`), the others as each becomes final, and when `wait` runs out, those still unfinished as they stand; then the answer ends. `condition` is null for an id that names no condition. A token with a `servers` claim that does not cover every condition gets 403.',
        parameters: [
          idsParam,
          { name: 'wait', in: 'query', required: false, schema: inline(ConditionWaitQuery) },
        ],
        responses: {
          200: {
            description: 'One OutcomeLine per line (NDJSON).',
            content: { [CONTENT_TYPES.ndjson]: { schema: ref('OutcomeLine') } },
          },
          ...common,
        },
      },
    },
    [`${API_PREFIX}/commands`]: {
      get: {
        operationId: 'listCommands',
        summary: 'The commands actions can run, and the problems of those that cannot',
        description:
          'Without a commands directory (COMMANDS_DIR) the lists are empty and the message says so. Problem files are relative to the directory.',
        responses: {
          200: json(ref('CommandsResponse'), 'Commands and problems.'),
          401: common[401],
          403: common[403],
        },
      },
    },
    [`${API_PREFIX}/commands/{name}`]: {
      parameters: [commandParam],
      get: {
        operationId: 'getCommand',
        summary: 'One command',
        responses: {
          200: json(ref('CommandSummary'), 'The command.'),
          ...common,
          404: error(
            'No such command, or it is broken (the message lists its problems, file:line: message).',
          ),
        },
      },
    },
    [`${API_PREFIX}/conditions`]: {
      post: {
        operationId: 'createConditions',
        summary: 'Queue one condition per server of a range/group expression',
        description:
          'Parameters are validated once before anything is created. Each server gets an outcome: accepted, conflict, unknown or error. A token with a `servers` claim that does not cover every target gets 403 and nothing is created. An action whose command has `has_context: false` runs once: its targets must name exactly one server (400 otherwise).',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('BatchConditionBody') } },
        },
        responses: {
          200: json(ref('BatchConditionResponse'), 'Per-server outcomes.'),
          ...common,
          413: error('Body larger than 64 KiB.'),
          429: rateLimited,
        },
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
                  description:
                    'PublicServer entries of @switchboard/inventory: name, id, platform, driver, ranks, groups. Never BMC details or secrets.',
                  items: { type: 'object' },
                },
              },
            },
            'The servers.',
          ),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness',
        security: open,
        responses: { 200: { description: 'The process answers.' } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        security: open,
        summary: 'Readiness: NATS connected and provisioned',
        responses: {
          200: { description: 'Ready.' },
          503: error('Not connected to NATS, or not provisioned yet.'),
        },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard Conditions API',
      version,
      description:
        'FlipFlop/conditionorc-compatible conditions API: queue power, boot and action conditions for servers and read their state.',
    },
    paths: paths as Paths,
    security: [{ bearerAuth: [] }],
    components: {
      schemas: { ...requests, ...answers } as Schemas,
      securitySchemes: { bearerAuth } as NonNullable<
        OpenAPIObject['components']
      >['securitySchemes'],
    },
  };
}
