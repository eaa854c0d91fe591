import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { Documented } from '../openapi/answers';
import { Params } from '../openapi/parameters';
import { ref } from '../openapi/schemas';
import { CONTENT_TYPES } from '../streaming/stream-answer';
import { DEFAULT_OUTPUT_TIMEOUT_S, MAX_OUTPUT_TIMEOUT_S } from './output-query';
import { MAX_STREAMS_PER_SUBJECT } from './output.service';

const timeout = () =>
  ApiQuery({
    name: 'timeout',
    required: false,
    description:
      `Seconds after which the answer ends even if conditions are still running (default ` +
      `${DEFAULT_OUTPUT_TIMEOUT_S}).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_OUTPUT_TIMEOUT_S },
  });

/** A streamed answer: chunked, as the lines come. */
const lines = (text: string) => ({
  description:
    'Lines as they are printed, from the first one (a late client gets the earlier lines too). ' +
    'The answer ends once every condition is final and all its lines have been sent, or when ' +
    '`timeout` runs out. An answer cut short (the API shutting down, NATS failing) ends ' +
    'without its final chunk: read that as incomplete.',
  content: {
    [CONTENT_TYPES.text]: { schema: { type: 'string', description: text } },
    [CONTENT_TYPES.ndjson]: {
      schema: { ...ref('OutputLine'), description: 'One OutputLine per line (NDJSON).' },
    },
  },
});

const tooManyStreams =
  `This token subject already ` + `has ${MAX_STREAMS_PER_SUBJECT} output streams open.`;

/** What the document says of each output route, beside the route. */
export const OutputDocs = {
  one: () =>
    applyDecorators(
      Params.id(),
      timeout(),
      Params.accept(),
      Documented('followConditionOutput', "Follow one condition's output live", {
        200: lines('The lines as printed, one per line.'),
        404: 'No condition with this id.',
        429: tooManyStreams,
      }),
    ),
  many: () =>
    applyDecorators(
      Params.ids(),
      timeout(),
      Params.accept(),
      Documented(
        'followOutput',
        'Follow the output of several conditions live, interleaved',
        {
          200: lines('Each line after its server name: `node01: text`.'),
          404: 'Some of the conditions do not exist; the message lists them.',
          429: tooManyStreams,
        },
        {
          description:
            'A token with a `servers` claim that does not cover every condition gets 403 and ' +
            'nothing is streamed.',
        },
      ),
    ),
};
