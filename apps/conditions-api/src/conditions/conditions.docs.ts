import { applyDecorators } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { CONTENT_TYPES } from '../streaming/stream-answer';
import { Documented } from '../openapi/answers';
import { Params } from '../openapi/parameters';
import { ref } from '../openapi/schemas';
import { CANCEL_ACK_TIMEOUT_MS } from './cancel.service';

const rateLimited =
  'Too many condition requests from this token subject; `Retry-After` says when to try again.';
const tooLarge = 'Body larger than 64 KiB.';

/** What the document says of each conditions route, beside the route. */
export const ConditionsDocs = {
  create: () =>
    applyDecorators(
      Params.server(),
      Params.kind(),
      ApiBody({ required: true, schema: ref('CreateConditionBody') }),
      Documented(
        'createCondition',
        'Queue a condition for one server',
        {
          200: {
            description: 'Condition queued (state pending).',
            schema: 'ServerConditionsResponse',
          },
          404: 'Server not in the inventory.',
          409: 'The server already has a condition that is not final; `conditionId` names it.',
          413: tooLarge,
          429: rateLimited,
        },
        {
          description:
            'Accepted means durable: the answer comes after JetStream acknowledged the ' +
            "message. FlipFlop's legacy top-level `exclusive` is accepted and ignored. For " +
            "serverControl, a given `asset_id` (or legacy `assetID`) must be the server's " +
            'inventory id. For an action, with a commands directory configured, the command ' +
            'must exist and load (400 naming the file problem otherwise), and a `concurrent: ' +
            'true` command does not take the server claim.',
        },
      ),
    ),
  readKind: () =>
    applyDecorators(
      Params.server(),
      Params.kind(),
      Documented(
        'getServerConditionOfKind',
        "The server's latest condition, if it is of this kind",
        {
          200: { description: 'The condition.', schema: 'ServerConditionsResponse' },
          404: 'No such server, or its latest condition is not of this kind.',
        },
      ),
    ),
  status: () =>
    applyDecorators(
      Params.server(),
      Documented('getServerStatus', "The server's latest condition, final or not", {
        200: { description: 'The latest condition.', schema: 'ServerConditionsResponse' },
        404: 'No such server, or no condition yet.',
      }),
    ),
  get: () =>
    applyDecorators(
      Params.id(),
      Params.wait(),
      Documented(
        'getCondition',
        'One condition',
        {
          200: { description: 'The condition.', schema: 'Condition' },
          404: 'No condition with this id.',
        },
        {
          description:
            'With `wait` (milliseconds, at most 60000), the answer comes as soon as the ' +
            'condition is final, or when the wait runs out.',
        },
      ),
    ),
  cancel: () =>
    applyDecorators(
      Params.id(),
      Documented(
        'cancelCondition',
        'Cancel a condition',
        {
          200: { description: 'It was pending: now failed.', schema: 'Condition' },
          202: {
            description: 'It was active: its controller is stopping it.',
            schema: 'Condition',
          },
          404: 'No condition with this id.',
          409:
            `Already final; an active serverControl; or no controller acknowledged within ` +
            `${CANCEL_ACK_TIMEOUT_MS / 1000} s.`,
        },
        {
          description:
            'Pending: failed at once ("cancelled by <subject>"), its server claim released; ' +
            '200. Active action: the controller running it is asked to stop it, and 202 means ' +
            'it acknowledged (the condition becomes final once the script has stopped). An ' +
            'active serverControl is not interrupted (409); a pending one can be cancelled. ' +
            'Needs scope write.',
        },
      ),
    ),
  batch: () =>
    applyDecorators(
      ApiBody({ required: true, schema: ref('BatchConditionBody') }),
      Documented(
        'createConditions',
        'Queue one condition per server of a range/group expression',
        {
          200: { description: 'Per-server outcomes.', schema: 'BatchConditionResponse' },
          413: tooLarge,
          429: rateLimited,
        },
        {
          description:
            'Parameters are validated once before anything is created. Each server gets an ' +
            'outcome: accepted, conflict, unknown or error. A token with a `servers` claim ' +
            'that does not cover every target gets 403 and nothing is created. An action whose ' +
            'command has `has_context: false` runs once: its targets must name exactly one ' +
            'server (400 otherwise).',
        },
      ),
    ),
  outcomes: () =>
    applyDecorators(
      Params.ids(),
      Params.wait(),
      Documented(
        'followOutcomes',
        'Several conditions, each sent as soon as it is final',
        {
          200: {
            description: 'One OutcomeLine per line (NDJSON).',
            content: { [CONTENT_TYPES.ndjson]: { schema: ref('OutcomeLine') } },
          },
        },
        {
          description:
            'NDJSON, one `OutcomeLine` per condition asked for: at once for those already ' +
            'final (or all of them without `wait`), the others as each becomes final, and when ' +
            '`wait` runs out, those still unfinished as they stand; then the answer ends. ' +
            '`condition` is null for an id that names no condition. A token with a `servers` ' +
            'claim that does not cover every condition gets 403.',
        },
      ),
    ),
};
