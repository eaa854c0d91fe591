export { createApp } from './app';
export type { ConditionsApi, CreateAppOptions } from './app';
export { buildOpenApiDocument, API_PREFIX } from './openapi/openapi-document';
export { BODY_LIMIT } from './http/fastify-adapter';
export { BATCH_CONCURRENCY } from './conditions/conditions.service';
