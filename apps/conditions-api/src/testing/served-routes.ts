import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

const UNPREFIXED = new Set(['healthz', 'readyz']);

/**
 * Every route the application's controllers declare, as `METHOD /path/{param}` with the
 * API prefix: read from Nest's own route metadata, to hold the OpenAPI document against.
 */
export function servedRoutes(app: INestApplication): string[] {
  const routes: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: object } | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const joined = [base, path].filter((p) => p !== '' && p !== '/').join('/');
        const full = UNPREFIXED.has(joined) ? `/${joined}` : `/api/v1/${joined}`;
        routes.push(`${RequestMethod[method]} ${full.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      }
    }
  }
  return routes;
}
