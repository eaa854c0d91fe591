import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { API_PREFIX, buildOpenApiDocument } from './openapi-document';

export const DOCS_PATH = `${API_PREFIX}/docs`;

/** Swagger UI at /api/v1/docs, the document at /api/v1/docs/json. */
export function setupDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH.slice(1), app, buildOpenApiDocument(), {
    jsonDocumentUrl: `${DOCS_PATH.slice(1)}/json`,
    raw: ['json'],
    customSiteTitle: 'Switchboard Conditions API',
  });
}
