import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_PREFIX } from '../http/prefix';
import { contractSchemas } from './schemas';

export const DOCS_PATH = `${API_PREFIX}/docs`;

/**
 * The OpenAPI 3.1 document, generated from the routes (paths, methods, parameters and the
 * answers each route declares with `@Documented`) and the zod schemas of the contract.
 */
export function buildOpenApiDocument(app: NestFastifyApplication, version = '0.1.0') {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Switchboard Conditions API')
    .setVersion(version)
    .setDescription(
      'FlipFlop/conditionorc-compatible conditions API: queue power, boot and action ' +
        'conditions for servers and read their state.',
    )
    // Bearer JWT (HS256) on every route but the probes and these docs (README, Security).
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'conditions-api generate-token --subject NAME --scope read,write',
      },
      'bearerAuth',
    )
    .addSecurityRequirements('bearerAuth')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...contractSchemas() },
  };
  return document;
}

/** Swagger UI at /api/v1/docs, the document at /api/v1/docs/json. */
export function setupDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH.slice(1), app, buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH.slice(1)}/json`,
    raw: ['json'],
    customSiteTitle: 'Switchboard Conditions API',
  });
}
