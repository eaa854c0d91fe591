import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BASE_URL,
  configPath,
  loadConfig,
  normaliseBaseUrl,
  parseConfigText,
} from './config';
import { ConfigError } from './errors';

let home: string;
let file: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mctl-config-'));
  mkdirSync(join(home, '.config', 'mctl'), { recursive: true });
  file = join(home, '.config', 'mctl', 'config.yaml');
});

afterEach(() => rmSync(home, { recursive: true, force: true }));

function write(text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('precedence: default < config file < environment < --url', () => {
  const FILE_URL = 'http://file.example:9001';
  const ENV_URL = 'http://env.example:9001';
  const FLAG_URL = 'http://flag.example:9001';

  it.each([
    [false, {}, undefined, DEFAULT_BASE_URL, 'default'],
    [true, {}, undefined, FILE_URL, 'config file'],
    [true, { MCTL_URL: ENV_URL }, undefined, ENV_URL, 'MCTL_URL'],
    [false, { MCTL_URL: ENV_URL }, undefined, ENV_URL, 'MCTL_URL'],
    [true, { MCTL_URL: ENV_URL }, FLAG_URL, FLAG_URL, '--url'],
    [true, {}, FLAG_URL, FLAG_URL, '--url'],
    [true, { MCTL_URL: '' }, undefined, FILE_URL, 'config file'],
  ])('file %s, env %j, --url %s → %s', (withFile, env, url, expected, source) => {
    if (withFile) write(`base_url: ${FILE_URL}\n`);
    const config = loadConfig({ env, homeDir: home, url });
    expect(config.baseUrl).toBe(expected);
    expect(config.baseUrlSource).toBe(source);
  });

  it('takes the token from MCTL_TOKEN over the file', () => {
    write('token: from-file\n');
    expect(loadConfig({ env: {}, homeDir: home }).token).toBe('from-file');
    expect(loadConfig({ env: { MCTL_TOKEN: 'from-env' }, homeDir: home }).token).toBe('from-env');
    expect(loadConfig({ env: {}, homeDir: join(home, 'elsewhere') }).token).toBeUndefined();
  });

  it('verifies TLS unless the file says verify_ssl: false', () => {
    expect(loadConfig({ env: {}, homeDir: home }).verifySsl).toBe(true);
    write('verify_ssl: false\n');
    expect(loadConfig({ env: {}, homeDir: home }).verifySsl).toBe(false);
  });

  it('reads a whole file', () => {
    write(
      '# mctl\nbase_url: https://switchboard.example/api/v1/\ntoken: ' +
        'abc.def.ghi\nverify_ssl: true\n',
    );
    expect(loadConfig({ env: {}, homeDir: home })).toEqual({
      baseUrl: 'https://switchboard.example',
      otherUrls: [],
      createRetryMs: 60_000,
      baseUrlSource: 'config file',
      token: 'abc.def.ghi',
      verifySsl: true,
      file,
      warnings: [],
    });
  });

  it('accepts an empty file', () => {
    write('# nothing yet\n');
    expect(loadConfig({ env: {}, homeDir: home }).baseUrl).toBe(DEFAULT_BASE_URL);
  });
});

describe('API replicas and the create retry window', () => {
  it('takes MCTL_URL as a comma-separated list of replicas, the first first', () => {
    const config = loadConfig({
      env: { MCTL_URL: 'http://a:9001/api/v1, http://b:9001/', MCTL_CREATE_RETRY_SECONDS: '5' },
      homeDir: home,
    });
    expect(config).toMatchObject({
      baseUrl: 'http://a:9001',
      otherUrls: ['http://b:9001'],
      createRetryMs: 5000,
    });
  });

  it.each(['-1', 'soon', '3601'])('refuses MCTL_CREATE_RETRY_SECONDS=%s', (value) => {
    expect(() => loadConfig({ env: { MCTL_CREATE_RETRY_SECONDS: value }, homeDir: home })).toThrow(
      /MCTL_CREATE_RETRY_SECONDS: must be a whole number of seconds from 0 to 3600/,
    );
  });
});

describe('where the config file is', () => {
  it.each([
    [{ configFile: '/etc/mctl.yaml' }, {}, '/etc/mctl.yaml', true],
    [{}, { MCTL_CONFIG: '/srv/mctl.yaml' }, '/srv/mctl.yaml', true],
    [{}, { XDG_CONFIG_HOME: '/xdg' }, '/xdg/mctl/config.yaml', false],
    [{}, {}, '/home/op/.config/mctl/config.yaml', false],
  ])('%j with env %j → %s', (flags, env, path, explicit) => {
    expect(configPath({ env, homeDir: '/home/op', ...flags })).toEqual({ path, explicit });
  });

  it('is an error when a file asked for by name is missing, not when the default one is', () => {
    expect(() => loadConfig({ env: {}, homeDir: join(home, 'none') })).not.toThrow();
    const err = configError(() =>
      loadConfig({ env: {}, homeDir: home, configFile: join(home, 'missing.yaml') }),
    );
    expect(err.message).toBe(
      `${join(home, 'missing.yaml')}: cannot read the config file: no such file`,
    );
  });
});

describe('bad config files name the file and the line', () => {
  it.each([
    [
      'base_url: http://a:1\nbase-url: http://b:2\n',
      2,
      'unknown setting "base-url" (expected one of base_url, token, verify_ssl, ca_file)',
    ],
    ['token: abc\nverify_ssl: maybe\n', 2, 'verify_ssl must be true or false'],
    ['# comment\n\nbase_url: ftp://example\n', 3, 'base_url must be an http:// or https:// URL'],
    ['base_url: not a url\n', 1, 'base_url must be an http:// or https:// URL'],
    ['token: 42\n', 1, 'token must be a string'],
    ['token: ""\n', 1, 'token must not be empty'],
    [
      '- base_url\n- token\n',
      1,
      'expected a map of settings (base_url, token, verify_ssl, ca_file)',
    ],
    // yaml reports an unclosed quote where the scalar should have ended: the end of the file.
    ['base_url: "http://a:1\ntoken: x\n', 3, 'invalid YAML: Missing closing "quote'],
    ['token: a\ntoken: b\n', 2, 'invalid YAML: Map keys must be unique'],
    ['token: a\n  verify_ssl: true\n', 1, 'invalid YAML: Nested mappings are not allowed'],
  ])('%j → line %i: %s', (text, line, reason) => {
    const err = configError(() => parseConfigText(text, '/home/op/.config/mctl/config.yaml'));
    expect(err.source).toBe('/home/op/.config/mctl/config.yaml');
    expect(err.line).toBe(line);
    expect(err.reason.startsWith(reason)).toBe(true);
    expect(err.message).toMatch(new RegExp(`^/home/op/\\.config/mctl/config\\.yaml:${line}: `));
  });

  it('names MCTL_URL or --url when they hold no URL', () => {
    expect(
      configError(() => loadConfig({ env: { MCTL_URL: 'localhost:9001' }, homeDir: home })).message,
    ).toBe(
      'environment variable MCTL_URL: must be an http:// or https:// URL, got "localhost:9001"',
    );
    expect(configError(() => loadConfig({ env: {}, homeDir: home, url: 'nope' })).message).toMatch(
      /^--url: must be an http/,
    );
  });

  it('warns when a file holding a token can be read by other users', () => {
    write('token: secret\n');
    chmodSync(file, 0o644);
    expect(loadConfig({ env: {}, homeDir: home }).warnings).toEqual([
      `${file} holds a token and can be read by other users; run: chmod 600 ${file}`,
    ]);
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['http://h:9001', 'http://h:9001'],
    ['http://h:9001/', 'http://h:9001'],
    ['http://h:9001/api/v1', 'http://h:9001'],
    ['http://h:9001/api/v1/', 'http://h:9001'],
    ['https://h/switchboard/', 'https://h/switchboard'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseBaseUrl(input)).toBe(expected);
  });
});
