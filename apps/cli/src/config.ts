import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import type { Document, Pair } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:9001';
const SETTINGS = ['base_url', 'token', 'verify_ssl', 'ca_file'] as const;
const URL_RULE = 'must be an http:// or https:// URL';

const HttpUrl = z.url({ protocol: /^https?$/, error: URL_RULE });

/** What `~/.config/mctl/config.yaml` may hold. */
const ConfigFile = z.strictObject({
  base_url: HttpUrl.optional(),
  token: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  verify_ssl: z.boolean({ error: 'must be true or false' }).optional(),
  ca_file: z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }).optional(),
});
type ConfigFile = z.infer<typeof ConfigFile>;

export type BaseUrlSource = 'default' | 'config file' | 'MCTL_URL' | '--url';

export interface CliConfig {
  /** Without a trailing slash or `/api/v1`. */
  baseUrl: string;
  /**
   * Further API replicas (MCTL_URL or --url as a comma-separated list): creates are retried there.
   */
  otherUrls: string[];
  /**
   * How long a create is retried on a connection error or 503 (MCTL_CREATE_RETRY_SECONDS, default
   * 60).
   */
  createRetryMs: number;
  baseUrlSource: BaseUrlSource;
  token?: string;
  verifySsl: boolean;
  /**
   * PEM file of the certificate authority that signed the API's certificate (self-signed sites).
   */
  caFile?: string;
  /** The file that was read, when there was one. */
  file?: string;
  /** Things worth telling the operator that do not stop the command. */
  warnings: string[];
}

export interface ConfigInputs {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  /** `--url` */
  url?: string;
  /** `--config` */
  configFile?: string;
}

/**
 * `--config`, else `MCTL_CONFIG`, else `$XDG_CONFIG_HOME/mctl/config.yaml`, else
 * `~/.config/mctl/config.yaml`.
 */
export function configPath(inputs: ConfigInputs): { path: string; explicit: boolean } {
  if (inputs.configFile) return { path: inputs.configFile, explicit: true };
  if (inputs.env.MCTL_CONFIG) return { path: inputs.env.MCTL_CONFIG, explicit: true };
  const base = inputs.env.XDG_CONFIG_HOME || join(inputs.homeDir, '.config');
  return { path: join(base, 'mctl', 'config.yaml'), explicit: false };
}

/**
 * Settings in increasing precedence: defaults < config file < environment (MCTL_URL, MCTL_TOKEN) <
 * --url.
 */
export function loadConfig(inputs: ConfigInputs): CliConfig {
  const { path, explicit } = configPath(inputs);
  const text = readConfigFile(path, explicit);
  const fromFile = text === undefined ? {} : parseConfigText(text, path);
  const warnings: string[] = [];
  if (fromFile.token !== undefined && isReadableByOthers(path)) {
    warnings.push(`${path} holds a token and can be read by other users; run: chmod 600 ${path}`);
  }

  let baseUrl = DEFAULT_BASE_URL;
  let otherUrls: string[] = [];
  let baseUrlSource: BaseUrlSource = 'default';
  if (fromFile.base_url !== undefined) {
    baseUrl = fromFile.base_url;
    baseUrlSource = 'config file';
  }
  if (inputs.env.MCTL_URL) {
    [baseUrl, ...otherUrls] = checkUrls(inputs.env.MCTL_URL, 'environment variable MCTL_URL');
    baseUrlSource = 'MCTL_URL';
  }
  if (inputs.url !== undefined) {
    [baseUrl, ...otherUrls] = checkUrls(inputs.url, '--url');
    baseUrlSource = '--url';
  }
  return {
    baseUrl: normaliseBaseUrl(baseUrl),
    otherUrls: otherUrls.map(normaliseBaseUrl),
    createRetryMs: createRetrySeconds(inputs.env.MCTL_CREATE_RETRY_SECONDS) * 1000,
    baseUrlSource,
    token: inputs.env.MCTL_TOKEN || fromFile.token,
    verifySsl: fromFile.verify_ssl ?? true,
    // A relative ca_file is relative to the config file, as a path written in it would be read.
    caFile:
      inputs.env.MCTL_CA_FILE ||
      (fromFile.ca_file === undefined ? undefined : resolve(dirname(path), fromFile.ca_file)),
    file: text === undefined ? undefined : path,
    warnings,
  };
}

/** Accepts `http://host:9001`, `http://host:9001/` and `http://host:9001/api/v1`. */
export function normaliseBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/** One URL, or several API replicas separated by commas (creates are retried on the next). */
function checkUrls(value: string, source: string): string[] {
  return value.split(',').map((part) => checkUrl(part.trim(), source));
}

function createRetrySeconds(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 60;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 3600)
    throw new ConfigError(
      'environment variable MCTL_CREATE_RETRY_SECONDS',
      undefined,
      `must be a whole number of seconds from 0 to 3600, got "${raw}"`,
    );
  return value;
}

function checkUrl(value: string, source: string): string {
  if (!HttpUrl.safeParse(value).success)
    throw new ConfigError(source, undefined, `${URL_RULE}, got "${value}"`);
  return value;
}

function readConfigFile(path: string, explicit: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
    throw new ConfigError(path, undefined, `cannot read the config file: ${reason}`);
  }
}

function isReadableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/**
 * yaml takes ~25 ms to load: required only when there is a config file to parse, so
 * `--help` and runs configured through the environment alone start faster.
 */
function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof Yaml;
}

/** Parses the config file's text; every error names the file and, where it can, the line. */
export function parseConfigText(text: string, file: string): ConfigFile {
  const { LineCounter, isMap, isScalar, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(
      file,
      lines.linePos(first.pos[0]).line,
      `invalid YAML: ${first.message.split('\n')[0]}`,
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return {};
  if (!isMap(doc.contents)) {
    const line = doc.contents.range ? lines.linePos(doc.contents.range[0]).line : 1;
    throw new ConfigError(file, line, `expected a map of settings (${SETTINGS.join(', ')})`);
  }
  const parsed = ConfigFile.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const pair = findPair(doc, key);
    const line =
      pair && isScalar(pair.key) && pair.key.range
        ? lines.linePos(pair.key.range[0]).line
        : undefined;
    throw new ConfigError(
      file,
      line,
      `unknown setting "${key}" (expected one of ${SETTINGS.join(', ')})`,
    );
  }
  const key = String(issue.path[0]);
  const pair = findPair(doc, key);
  const node = pair?.value ?? pair?.key;
  const range =
    node && typeof node === 'object' && 'range' in node
      ? (node.range as [number, number, number] | undefined)
      : undefined;
  throw new ConfigError(
    file,
    range ? lines.linePos(range[0]).line : undefined,
    `${key} ${issue.message}`,
  );
}

function findPair(doc: Document, key: string): Pair | undefined {
  const { isMap, isPair, isScalar } = yaml();
  if (!isMap(doc.contents)) return undefined;
  return doc.contents.items.find(
    (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key,
  );
}
