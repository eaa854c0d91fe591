import type { SigningKeys } from '@switchboard/condition-signing';
import type { Logger } from '@switchboard/logging';
import type { NatsClientAuth } from '@switchboard/nats';

/** A certificate (chain) and its private key, PEM. */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

/** What the API is started with: settings, never objects already started. */
export interface ApiOptions {
  natsUrl: string;
  /** NATS credentials and TLS (NATS_USER, NATS_PASSWORD_FILE, NATS_CA_FILE, ...). */
  natsAuth?: NatsClientAuth;
  inventoryFile: string;
  logger?: Logger;
  /** Aborts the wait for NATS during start-up (Ctrl-C). */
  signal?: AbortSignal;
  /** The HS256 secret of tokens; else JWT_SECRET_FILE or JWT_SECRET from the environment. */
  jwtSecret?: string;
  /**
   * The keys every condition record is signed with, for the controllers to check; else
   * CONDITION_SIGNING_KEY_FILE (and CONDITION_SIGNING_PREVIOUS_KEY_FILE) from the environment.
   */
  signing?: SigningKeys;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsOptions;
  /** Condition-creating requests per token subject per minute (default 600). */
  rateLimitPerMinute?: number;
  /**
   * The commands directory (the controller's): listed at GET /commands, and action requests
   * checked against it. Without it, nothing is listed and any well-formed command is queued.
   */
  commandsDir?: string;
  /**
   * Accept rivets' `fault` on new conditions (admin tokens only): for testing how controllers
   * recover. Off unless set (FAULT_INJECTION=true).
   */
  faultInjection?: boolean;
}
