import { fetchTrusting } from './tls-fetch';
import { ApiClient } from './api-client';
import { loadConfig } from './config';
import type { CliConfig } from './config';
import type { Io } from './io';

/** Options every command accepts (set on the program, read with optsWithGlobals). */
export interface GlobalOptions {
  url?: string;
  config?: string;
  output: 'text' | 'json';
  /** Print server and script text without escaping its control characters. */
  raw?: boolean;
}

/**
 * One invocation's view of the world: its streams, its settings and its API client, made on first
 * use.
 */
export class Session {
  private apiClient?: ApiClient;

  constructor(
    readonly io: Io,
    readonly globals: GlobalOptions,
  ) {}

  get json(): boolean {
    return this.globals.output === 'json';
  }

  /** Loads the config only now, so `--help` works with a broken config file. */
  client(): ApiClient {
    if (this.apiClient) return this.apiClient;
    const config = loadConfig({
      env: this.io.env,
      homeDir: this.io.homeDir,
      url: this.globals.url,
      configFile: this.globals.config,
    });
    for (const warning of config.warnings) this.warn(warning);
    this.applyTls(config);
    const trusting =
      config.caFile && !this.io.fetch
        ? fetchTrusting(config.caFile, config.file ?? 'MCTL_CA_FILE')
        : undefined;
    this.apiClient = new ApiClient({
      baseUrl: config.baseUrl,
      otherUrls: config.otherUrls,
      createRetryMs: config.createRetryMs,
      onRetry: (line) => this.io.stderr.write(`mctl: ${line}\n`),
      token: config.token,
      fetch: this.io.fetch ?? trusting,
    });
    return this.apiClient;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`mctl: warning: ${text}\n`);
  }

  private applyTls(config: CliConfig): void {
    if (config.verifySsl || !config.baseUrl.startsWith('https:')) return;
    this.io.disableTlsVerification?.();
  }
}
