import { nodeKeyRefusal } from '@switchboard/process';
import { isMap, isScalar } from 'yaml';
import { BmcContext, parseBmc } from './bmc-config';
import { isCloudPlatform, parseCloudTarget } from './cloud-target';
import { ipmiDriverProblem, isIpmiDriverName, isShellPlatform } from './parse-platforms';
import { IpmiDriverName, ServerEntry, ShellPlatform } from './types';
import { Entry, describe, isNothing, scalarText } from './yaml-source';

/** Names must survive range expressions, shell variables and URLs unchanged. */
export const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NodeContext extends BmcContext {
  platforms: Map<string, ShellPlatform>;
  /** Ids seen so far (lower case) → node name, to keep ids unique across the file. */
  ids: Map<string, string>;
}

/**
 * One node, from either OpenFlight Power (`platform:` + variables) or
 * OpenFlight Action (`ranks:` + arbitrary keys); a node may carry both.
 */
export function parseNode(entry: Entry, ctx: NodeContext): ServerEntry | undefined {
  const { read } = ctx;
  const name = entry.key;
  const before = read.issues.count;
  if (!NAME_PATTERN.test(name)) {
    read.issues.add(entry.line, "invalid node name: use letters, digits, '.', '_' and '-'", {
      node: name,
    });
    return undefined;
  }
  if (!isNothing(entry.value) && !isMap(entry.value)) {
    read.issues.add(
      read.line(entry),
      `expected a map of node settings, got ${describe(entry.value)}`,
      { node: name },
    );
    return undefined;
  }

  const server: ServerEntry = {
    name,
    driver: 'none',
    ranks: [],
    groups: [],
    attributes: {},
    line: entry.line,
  };
  const nonScalar = new Set<string>();
  let bmc: Entry | undefined;
  let driver: Entry | undefined;
  let platformLine = entry.line;
  const fields = isMap(entry.value)
    ? read.source.entries(entry.value, read.issues, { node: name })
    : [];
  for (const field of fields) {
    const where = { node: name, field: field.key };
    if (
      (isScalar(field.value) && typeof field.value.value !== 'object') ||
      isNothing(field.value)
    ) {
      server.attributes[field.key] = isScalar(field.value) ? scalarText(field.value) : '';
    } else {
      nonScalar.add(field.key);
    }
    switch (field.key) {
      case 'platform':
        server.platform = read.text(field, where, 'a platform name');
        platformLine = read.line(field);
        break;
      case 'ranks':
        server.ranks = read.stringList(field, where) ?? [];
        break;
      case 'id': {
        const id = read.text(field, where, 'a UUID');
        if (id !== undefined && !UUID.test(id)) {
          const example = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
          read.issues.add(
            read.line(field),
            `expected a UUID like ${example}, got ${describe(field.value)}`,
            where,
          );
        } else if (id !== undefined) {
          server.id = id.toLowerCase();
          const owner = ctx.ids.get(server.id);
          if (owner === undefined) ctx.ids.set(server.id, name);
          else
            read.issues.add(
              read.line(field),
              `id ${server.id} is already used by node "${owner}"`,
              where,
            );
        }
        break;
      }
      case 'name': {
        // OpenFlight sets `name` from the key and does not let a node override it.
        const given = read.text(field, where, 'the node name');
        if (given !== undefined && given !== name) {
          const message =
            `the name comes from the node's key and cannot be changed to ` +
            `${JSON.stringify(given)}`;
          read.issues.add(read.line(field), message, where);
        }
        break;
      }
      case 'bmc':
        bmc = field;
        break;
      case 'driver':
        driver = field;
        break;
    }
  }
  // Action treats every node as belonging to the `default` rank last.
  server.ranks = [...new Set([...server.ranks.filter((r) => r !== 'default'), 'default'])];

  assignDriver(server, { bmc, driver, platformLine, nonScalar }, ctx);
  checkNodeKeys(server, fields, ctx);
  return read.issues.count > before ? undefined : server;
}

/**
 * Every scalar key of a node reaches scripts as an environment variable, so each must pass the
 * node-key rule: a lower-case identifier, or a key its platform lists in `allowed_keys`.
 * Refused here, when the inventory loads, naming the line, node and key.
 */
function checkNodeKeys(server: ServerEntry, fields: Entry[], ctx: NodeContext): void {
  const platform = server.platform === undefined ? undefined : ctx.platforms.get(server.platform);
  const allowed = new Set(platform?.allowedKeys ?? []);
  if (allowed.size > 0) server.allowedKeys = [...allowed];
  for (const field of fields) {
    if (!Object.hasOwn(server.attributes, field.key)) continue;
    const refused = nodeKeyRefusal(field.key, allowed);
    if (!refused) continue;
    const where = platform
      ? ` (platform "${platform.name}" allows: ${[...allowed].join(', ') || 'none'})`
      : '';
    ctx.read.issues.add(field.line, `key refused: ${refused}${where}`, {
      node: server.name,
      field: field.key,
    });
  }
}

interface DriverInputs {
  bmc: Entry | undefined;
  /** The node's `driver:` key: for an ipmi node, native or ipmitool; otherwise an attribute. */
  driver: Entry | undefined;
  platformLine: number;
  nonScalar: Set<string>;
}

function assignDriver(
  server: ServerEntry,
  { bmc, driver, platformLine, nonScalar }: DriverInputs,
  ctx: NodeContext,
): void {
  const { read, platforms } = ctx;
  const node = server.name;
  const platformName = server.platform;
  const defined = platformName === undefined ? undefined : platforms.get(platformName);
  // An `aws`/`azure`/`ipmi` entry with settings only configures the native driver.
  const native = isCloudPlatform(platformName) || platformName === 'ipmi';
  const shell = defined && (isShellPlatform(defined) || !native) ? defined : undefined;

  if (shell) {
    server.driver = 'shell';
    for (const variable of shell.variables) {
      if (variable === 'name' || variable in server.attributes) continue;
      const problem = nonScalar.has(variable)
        ? 'must be a single value, not a list or map'
        : 'is not set on this node';
      read.issues.add(
        server.line,
        `platform "${shell.name}" needs variable "${variable}", which ${problem}`,
        {
          node,
          field: variable,
        },
      );
    }
    if (bmc) {
      const why =
        platformName === 'ipmi'
          ? 'this file defines platforms.ipmi, so the node uses that shell platform'
          : 'the node is not a native IPMI node';
      read.issues.add(bmc.line, `bmc settings are only used by native IPMI nodes: ${why}`, {
        node,
        field: 'bmc',
      });
    }
    return;
  }
  if (platformName === 'ipmi') {
    server.driver = 'ipmi';
    const config = parseBmc(bmc, node, ctx);
    if (config) server.bmc = config;
    server.ipmiDriver = ipmiDriverOf(driver, defined?.settings.driver, node, read);
    return;
  }
  if (isCloudPlatform(platformName)) {
    server.driver = platformName;
    const target = parseCloudTarget(server, platformName, { ...ctx, platform: defined });
    if (target) server.cloud = target;
    if (bmc) {
      read.issues.add(bmc.line, 'bmc settings are only used by native IPMI nodes', {
        node,
        field: 'bmc',
      });
    }
    return;
  }
  if (platformName !== undefined) {
    const known = [...platforms.keys()];
    const definedList = known.length > 0 ? `defined platforms: ${known.join(', ')}; ` : '';
    read.issues.add(
      platformLine,
      `unknown platform "${platformName}" (${definedList}native: ipmi, aws, azure)`,
      {
        node,
        field: 'platform',
      },
    );
  }
  if (bmc) {
    read.issues.add(bmc.line, 'bmc settings are only used by native IPMI nodes (platform: ipmi)', {
      node,
      field: 'bmc',
    });
  }
}

/** The node's own `driver:` wins over `platforms.ipmi.driver`; native when neither says. */
function ipmiDriverOf(
  field: Entry | undefined,
  platformDefault: string | undefined,
  node: string,
  read: NodeContext['read'],
): IpmiDriverName {
  const fallback =
    platformDefault !== undefined && isIpmiDriverName(platformDefault) ? platformDefault : 'native';
  if (!field) return fallback;
  const where = { node, field: 'driver' };
  const value = read.text(field, where, 'native or ipmitool');
  if (value === undefined) return fallback;
  if (!isIpmiDriverName(value)) {
    read.issues.add(read.line(field), ipmiDriverProblem(value), where);
    return fallback;
  }
  return value;
}
