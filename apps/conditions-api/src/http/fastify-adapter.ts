import { createReadStream, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../errors/api-error';
import { clip, quote } from '../text/clip';
import type { TlsOptions } from '../core/api-options';
import { sendError } from '../errors/error.filter';
import { acceptEmptyJsonBodies } from './empty-json-body';
import { tlsServerPolicy } from './tls-policy';

/** Largest request body accepted; larger ones get 413. */
export const BODY_LIMIT = 64 * 1024;
/** Longest path segment the router matches; longer ones get 404 before any handler runs. */
export const MAX_PARAM_LENGTH = 1024;
/**
 * Request line and headers together. Node's 16 KiB holds about 400 condition ids; GET
 * /output?ids= takes up to 1024 of them (37 characters each) beside a bearer token.
 */
export const MAX_HEADER_SIZE = 64 * 1024;

type StaticOptions = Parameters<FastifyAdapter['useStaticAssets']>[0];

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Fastify with the API's limits, and errors Fastify raises before routing (a malformed
 * percent-encoding in the URL) answered in the `ErrorResponse` shape.
 *
 * `@fastify/static` is not installed, and Nest's adapter would exit the process when
 * SwaggerModule asks it for static files; `useStaticAssets` here instead serves the
 * files of the given directory (the Swagger UI bundle) by exact name, nothing else.
 */
export class ApiFastifyAdapter extends FastifyAdapter {
  /** With `tls`, the API serves HTTPS only: a plain-HTTP request to its port gets no answer. */
  constructor(tls?: TlsOptions) {
    super({
      ...(tls
        ? {
            https: {
              cert: tls.cert,
              key: tls.key,
              ...tlsServerPolicy,
              maxHeaderSize: MAX_HEADER_SIZE,
            },
          }
        : { http: { maxHeaderSize: MAX_HEADER_SIZE } }),
      bodyLimit: BODY_LIMIT,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        const status =
          typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 400;
        const path = quote(request.url.split('?')[0] ?? '', 200);
        const message =
          error.code === 'FST_ERR_BAD_URL'
            ? `the URL path ${path} is not valid percent-encoding`
            : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
              ? `a path segment is longer than ${MAX_PARAM_LENGTH} characters`
              : clip(error.message, 300);
        sendError(reply, errorBody(status, message));
      },
    });
    // Nest registers its JSON parser at init through a private method: ours takes its place.
    Object.defineProperty(this, 'registerJsonContentParser', {
      value: () => acceptEmptyJsonBodies(this.getInstance()),
    });
  }

  override useStaticAssets(options: StaticOptions): this {
    const { root, prefix = '/' } = options;
    if (typeof root !== 'string')
      throw new Error('useStaticAssets: only a single root directory is supported');
    const files = new Set(
      readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name),
    );
    const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    this.getInstance().get(
      `${base}/:file`,
      (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
        const { file } = request.params;
        if (!files.has(file)) {
          sendError(
            reply,
            errorBody(404, 'no such documentation asset', { code: 'unknown_route' }),
          );
          return reply;
        }
        return reply
          .type(contentTypes[extname(file)] ?? 'application/octet-stream')
          .header('cache-control', 'public, max-age=3600')
          .send(createReadStream(join(root, file)));
      },
    );
    return this;
  }
}
