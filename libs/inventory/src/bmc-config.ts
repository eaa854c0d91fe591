import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap } from 'yaml';
import { FieldReader } from './fields';
import { BmcConfig } from './types';
import { Entry, describe, isNothing } from './yaml-source';

export const BMC_DEFAULTS = { port: 623, username: 'ADMIN', cipherSuite: 3 } as const;

const PASSWORD_SOURCES = ['password', 'password_env', 'password_file'] as const;
const KNOWN = ['host', 'port', 'username', ...PASSWORD_SOURCES, 'cipher_suite'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface BmcContext {
  read: FieldReader;
  /** Directory of the inventory file, for relative `password_file` paths. */
  dir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The `bmc:` map of a native IPMI node, with OpenFlight's defaults. The
 * password is resolved now so a missing secret fails the load, not the first
 * power command at 3 a.m.; no message built here ever contains it.
 */
export function parseBmc(
  section: Entry | undefined,
  node: string,
  ctx: BmcContext,
): BmcConfig | undefined {
  const { read } = ctx;
  const config: BmcConfig = { host: `${node}-bmc`, ...BMC_DEFAULTS };
  if (!section || isNothing(section.value)) return config;
  if (!isMap(section.value)) {
    read.issues.add(
      read.line(section),
      `expected a map of BMC settings, got ${describe(section.value, false)}`,
      {
        node,
        field: 'bmc',
      },
    );
    return undefined;
  }

  const before = read.issues.count;
  const entries = read.source.entries(section.value, read.issues, { node, field: 'bmc' });
  const sources = entries.filter((e) => (PASSWORD_SOURCES as readonly string[]).includes(e.key));
  if (sources.length > 1) {
    read.issues.add(section.line, `use only one of ${sources.map((e) => e.key).join(', ')}`, {
      node,
      field: 'bmc',
    });
  }
  let password: string | undefined;
  for (const entry of entries) {
    const where = { node, field: `bmc.${entry.key}` };
    switch (entry.key) {
      case 'host': {
        const host = read.text(entry, where, 'a host name or address');
        if (host !== undefined && /\s/.test(host)) {
          read.issues.add(read.line(entry), 'a host name cannot contain spaces', where);
        } else if (host !== undefined) {
          config.host = host;
        }
        break;
      }
      case 'port':
        config.port = read.integer(entry, where, 1, 65535, 'a port number') ?? config.port;
        break;
      case 'username':
        config.username = read.text(entry, where, 'a user name') ?? config.username;
        break;
      case 'cipher_suite':
        config.cipherSuite =
          read.integer(entry, where, 0, 17, 'an IPMI cipher suite') ?? config.cipherSuite;
        break;
      case 'password':
        password = read.text(entry, where, 'a password string', true);
        break;
      case 'password_env':
        password = passwordFromEnv(entry, where, ctx);
        break;
      case 'password_file':
        password = passwordFromFile(entry, where, ctx);
        break;
      default:
        read.issues.add(entry.line, `unknown BMC setting (expected ${KNOWN.join(', ')})`, where);
    }
  }
  if (read.issues.count > before) return undefined;
  if (password !== undefined) {
    Object.defineProperty(config, 'password', {
      value: password,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
  return config;
}

function passwordFromEnv(
  entry: Entry,
  where: { node: string; field: string },
  ctx: BmcContext,
): string | undefined {
  const name = ctx.read.text(entry, where, 'the name of an environment variable');
  if (name === undefined) return undefined;
  const line = ctx.read.line(entry);
  if (!ENV_NAME.test(name)) {
    ctx.read.issues.add(
      line,
      `${JSON.stringify(name)} is not a valid environment variable name`,
      where,
    );
    return undefined;
  }
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    ctx.read.issues.add(
      line,
      `environment variable "${name}" is ${value === undefined ? 'not set' : 'empty'}`,
      where,
    );
    return undefined;
  }
  return value;
}

function passwordFromFile(
  entry: Entry,
  where: { node: string; field: string },
  ctx: BmcContext,
): string | undefined {
  const given = ctx.read.text(entry, where, 'a file path');
  if (given === undefined) return undefined;
  const path = resolve(ctx.dir, given);
  const line = ctx.read.line(entry);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.read.issues.add(line, `cannot read password file "${path}" (${code})`, where);
    return undefined;
  }
  // `echo secret > file` adds a newline that is not part of the password.
  const password = content.replace(/\r?\n$/, '');
  if (password === '') {
    ctx.read.issues.add(line, `password file "${path}" is empty`, where);
    return undefined;
  }
  return password;
}
