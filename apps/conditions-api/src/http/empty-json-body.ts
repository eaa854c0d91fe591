import type { FastifyInstance } from 'fastify';

/**
 * A JSON content type with no body is no body, not a JSON error: conditionorc's Go client sets
 * `Content-Type: application/json` on every request, GET and DELETE included, and sends none
 * (pkg/api/v1/conditions/client/requests.go). Anything else goes to Fastify's own JSON parser,
 * with its prototype-poisoning protection.
 */
export function acceptEmptyJsonBodies(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  if (fastify.hasContentTypeParser('application/json'))
    fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') done(null, undefined);
    else parse(request, text, done);
  });
}
