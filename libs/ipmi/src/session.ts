import { randomBytes } from 'node:crypto';

import { cipherSuite, CipherSuite } from './cipher-suites';
import {
  Command,
  getChannelAuthCapabilities,
  getDeviceId,
  closeSession,
  setSessionPrivilege,
} from './commands';
import { Deadline, waitFor } from './deadline';
import { DecodeError, IpmiError } from './errors';
import {
  additionalKeys,
  MAX_USERNAME_BYTES,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4CheckValue,
  RakpValues,
  sessionIntegrityKey,
  userKey,
} from './keys';
import { decodeResponse, encodeRequest, IpmiResponse } from './message';
import { encodeV15, encodeV20, Frame, openSessionPacket, PayloadType, SessionKeys } from './packet';
import {
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp4,
  encodeOpenSessionRequest,
  encodeRakp1,
  encodeRakp3,
  NAME_ONLY_LOOKUP,
  Privilege,
  PrivilegeName,
} from './session-setup';
import { completionError, setupRefusal } from './setup-errors';
import type { Remote, Transport } from './transport';

/** A BMC and the credentials to reach it. */
export interface BmcTarget {
  host: string;
  port: number;
  username: string;
  password: string;
  /** 3 or 17. */
  cipherSuite: number;
  /** Session privilege (default administrator). */
  privilege?: PrivilegeName;
}

export interface Timing {
  /** First wait for an answer before the request is sent again; doubles up to `maxAttemptMs`. */
  firstAttemptMs: number;
  maxAttemptMs: number;
  /** A session unused this long is closed; the next request opens a new one. */
  idleTimeoutMs: number;
}

/** One datagram sent for a request, for callers that count what went on the wire. */
export interface SendEvent {
  target: string;
  command: string;
  /** False for the first transmission of a request, true for a retransmission. */
  retransmission: boolean;
}

export interface RequestOptions {
  /** Our budget for the whole call, session set-up included (default 10 s). */
  timeoutMs?: number;
  /** Aborting it rejects the call with `signal.reason`. */
  signal?: AbortSignal;
  onSend?: (event: SendEvent) => void;
  /** Told when a non-repeatable command's answer was lost but the BMC's sequence shows it acted. */
  onNote?: (note: string) => void;
}

/** What the client gives each session. */
export interface SessionHost {
  readonly transport: Transport;
  allocateSessionId(session: BmcSession): number;
  releaseSessionId(id: number): void;
  registerRemote(session: BmcSession, remote: Remote): void;
  /** The session closed after being idle with nothing queued: the client may forget it. */
  retire(session: BmcSession): void;
}

type Delivery =
  | { kind: 'v15'; response: IpmiResponse }
  | { kind: 'setup'; frame: Frame }
  | { kind: 'response'; response: IpmiResponse; bmcSequence: number };

interface Active {
  consoleSessionId: number;
  bmcSessionId: number;
  keys: SessionKeys;
  outSequence: number;
  rqSeq: number;
  lastUsed: number;
  /** BMC session sequence numbers of the answers received, to find answers that were lost. */
  seen: Set<number>;
  highestSeen: number;
}

const SEEN_KEPT = 256;
/** Tries of one session set-up step before the whole set-up starts again. */
const STEP_ATTEMPTS = 3;
const MAX_HANDSHAKES = 5;

/** A set-up step that went unanswered: set-up starts again while the deadline allows. */
class StepUnanswered extends IpmiError {}

function unanswered(where: string, step: string): IpmiError {
  return new StepUnanswered(
    'timeout',
    `no answer from ${where} to ${step} (${STEP_ATTEMPTS} tries, session set-up retried)`,
  );
}

/**
 * One RMCP+ session with one BMC (per user and cipher suite), used by one request at a time:
 * requests queue, as the controller already serialises per BMC.
 */
export class BmcSession {
  readonly where: string;
  private readonly suite: CipherSuite | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private active: Active | undefined;
  private remote: Remote | undefined;
  private listener: ((delivery: Delivery) => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private preSessionSeq = 0;
  private queued = 0;
  /** Packets that failed their integrity check or did not decode, for tests and diagnostics. */
  rejectedPackets = 0;

  constructor(
    private readonly target: BmcTarget,
    private readonly host: SessionHost,
    private readonly timing: Timing,
  ) {
    this.where = `${target.host}:${target.port}`;
    this.suite = cipherSuite(target.cipherSuite);
  }

  run<T>(command: Command<T>, options: RequestOptions): Promise<T> {
    const deadline = new Deadline(options.timeoutMs ?? 10_000, options.signal);
    this.queued++;
    const result = this.chain
      .then(() => this.execute(command, deadline, options))
      .finally(() => this.queued--);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async closeIdle(): Promise<void> {
    await this.close();
    if (this.queued === 0 && !this.active) this.host.retire(this);
  }

  /** Closes the session (Close Session, one short try) once pending requests are done. */
  close(): Promise<void> {
    const done = this.chain.then(() => this.closeNow());
    this.chain = done.catch(() => undefined);
    return done;
  }

  get isOpen(): boolean {
    return this.active !== undefined;
  }

  /** A datagram from this session's BMC, already framed by the client. */
  deliver(frame: Frame, from: { address: string; port: number }): void {
    if (!this.remote || from.address !== this.remote.address || from.port !== this.remote.port) {
      return;
    }
    try {
      if (frame.format === 'v15') {
        this.listener?.({ kind: 'v15', response: decodeResponse(frame.payload) });
      } else if (frame.sessionId === 0) {
        this.listener?.({ kind: 'setup', frame });
      } else if (this.active && frame.sessionId === this.active.consoleSessionId) {
        const response = decodeResponse(openSessionPacket(frame, this.active.keys));
        this.noteSequence(this.active, frame.sequence);
        this.listener?.({ kind: 'response', response, bmcSequence: frame.sequence });
      }
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.rejectedPackets++;
    }
  }

  private noteSequence(active: Active, sequence: number): void {
    active.seen.add(sequence);
    if (sequence > active.highestSeen) active.highestSeen = sequence;
    if (active.seen.size > SEEN_KEPT) {
      for (const s of active.seen) if (s < active.highestSeen - SEEN_KEPT) active.seen.delete(s);
    }
  }

  private async execute<T>(
    command: Command<T>,
    deadline: Deadline,
    options: RequestOptions,
  ): Promise<T> {
    clearTimeout(this.idleTimer);
    try {
      const response = command.once
        ? await this.runOnce(command, deadline, options)
        : await this.runRepeatable(command, deadline, options);
      if (command.settle) {
        if (response === 'acted' || response === 'unanswered') {
          return command.settle(undefined, Buffer.alloc(0));
        }
        return command.settle(response.completionCode, response.data);
      }
      if (response === 'acted' || response === 'unanswered') return command.decode(Buffer.alloc(0));
      if (response.completionCode !== 0) {
        throw completionError(this.where, command.name, response.completionCode);
      }
      try {
        return command.decode(response.data);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        throw new IpmiError('protocol', `${this.where}: ${command.name}: ${error.message}`);
      }
    } finally {
      if (this.active) {
        this.active.lastUsed = Date.now();
        this.idleTimer = setTimeout(() => void this.closeIdle(), this.timing.idleTimeoutMs);
        this.idleTimer.unref();
      }
    }
  }

  /**
   * A request that may be sent again: retransmitted with backoff until the deadline. On a
   * session that worked before, two unanswered attempts mean the BMC may have dropped it (a
   * reset, its own idle timeout): the session is opened again and the request resent.
   */
  private async runRepeatable(
    command: Command<unknown>,
    deadline: Deadline,
    options: RequestOptions,
  ): Promise<IpmiResponse> {
    let reopened = false;
    for (;;) {
      const reused = await this.ensureSession(deadline, options);
      const limit = reused && !reopened ? 2 : Infinity;
      const response = await this.request(command, deadline, limit, options);
      if (response) return response;
      this.forget();
      reopened = true;
    }
  }

  /**
   * A request that must not be carried out twice (chassis control, cold reset). It is sent once;
   * without an answer, a probe (Get Device ID) asks the BMC for its next session sequence number:
   * a number skipped means the BMC answered something we did not receive, so it acted on the
   * command; none skipped means the command did not arrive and it is sent again.
   */
  private async runOnce(
    command: Command<unknown>,
    deadline: Deadline,
    options: RequestOptions,
  ): Promise<IpmiResponse | 'acted' | 'unanswered'> {
    if (await this.ensureSession(deadline, options)) {
      // A reused session may be dead at the BMC: find out before the command depends on it.
      const alive = await this.request(getDeviceId(), deadline, 2, options);
      if (!alive) {
        this.forget();
        await this.ensureSession(deadline, options);
      }
    }
    const attemptMs = Math.max(this.timing.firstAttemptMs * 2, 1000);
    for (;;) {
      const active = this.requireActive();
      const baseline = active.highestSeen;
      const sent = this.nextRqSeq(active);
      const answer = await this.request(command, deadline, 1, options, sent, attemptMs);
      if (answer) return answer;
      if (command.settle) return 'unanswered';

      const pending = new Set<number>();
      let verdict: 'resend' | 'acted' | IpmiResponse | undefined;
      while (verdict === undefined) {
        if (deadline.remaining() === 0) {
          throw new IpmiError(
            'outcome-unknown',
            `${this.where}: no answer to ${command.name} within ${deadline.timeoutMs} ms; ` +
              'it may have been carried out, so it was not sent again',
          );
        }
        const probe = this.nextRqSeq(active);
        pending.add(probe);
        const got = await this.exchange(
          () => this.sessionPacket(active, getDeviceId(), probe),
          (d) =>
            d.kind === 'response' && (d.response.rqSeq === sent || pending.has(d.response.rqSeq))
              ? d
              : undefined,
          deadline,
          'Get Device ID',
          { maxAttempts: 1, attemptMs, onSend: this.sendEvent('Get Device ID', options) },
        );
        if (!got || got.kind !== 'response') continue;
        if (got.response.rqSeq === sent && got.response.cmd === command.cmd) {
          verdict = got.response;
          break;
        }
        pending.delete(got.response.rqSeq);
        let missing = 0;
        for (let s = baseline + 1; s < got.bmcSequence; s++) if (!active.seen.has(s)) missing++;
        if (missing === 0) verdict = 'resend';
        else if (missing > pending.size) verdict = 'acted';
        else {
          throw new IpmiError(
            'outcome-unknown',
            `${this.where}: the answer to ${command.name} was lost and the BMC's sequence ` +
              'cannot tell whether it was carried out, so it was not sent again',
          );
        }
      }
      if (verdict === 'acted') {
        options.onNote?.(
          `${command.name}: answer lost, the BMC's sequence shows it was carried out`,
        );
        return 'acted';
      }
      if (verdict !== 'resend') return verdict;
    }
  }

  private requireActive(): Active {
    if (!this.active) throw new IpmiError('protocol', `${this.where}: the session is gone`);
    return this.active;
  }

  /** True when an open session is reused, false when one was just opened. */
  private async ensureSession(deadline: Deadline, options: RequestOptions): Promise<boolean> {
    if (this.active && Date.now() - this.active.lastUsed < this.timing.idleTimeoutMs) return true;
    if (this.active) await this.closeNow();
    await this.establish(deadline, options);
    return false;
  }

  /** Drops the session once pending requests are done, without telling the BMC (it restarted). */
  forgetSoon(): Promise<void> {
    const done = this.chain.then(() => this.forget());
    this.chain = done.catch(() => undefined);
    return done;
  }

  private nextRqSeq(active: Active): number {
    active.rqSeq = (active.rqSeq + 1) & 0x3f;
    return active.rqSeq;
  }

  private sessionPacket(active: Active, command: Command<unknown>, rqSeq: number): Buffer {
    const message = encodeRequest({
      netFn: command.netFn,
      cmd: command.cmd,
      rqSeq,
      data: command.data,
    });
    const sequence = active.outSequence;
    active.outSequence = (active.outSequence + 1) >>> 0 || 1;
    return encodeV20(PayloadType.ipmi, active.bmcSessionId, sequence, message, active.keys);
  }

  private sendEvent(command: string, options: RequestOptions): (retransmission: boolean) => void {
    return (retransmission) => options.onSend?.({ target: this.where, command, retransmission });
  }

  /** One in-session request; undefined when `maxAttempts` went unanswered. */
  private request(
    command: Command<unknown>,
    deadline: Deadline,
    maxAttempts: number,
    options: RequestOptions,
    rqSeq?: number,
    attemptMs?: number,
  ): Promise<IpmiResponse | undefined> {
    const active = this.requireActive();
    const seq = rqSeq ?? this.nextRqSeq(active);
    const responseNetFn = command.netFn | 1;
    return this.exchange(
      () => this.sessionPacket(active, command, seq),
      (d) =>
        d.kind === 'response' &&
        d.response.rqSeq === seq &&
        d.response.cmd === command.cmd &&
        d.response.netFn === responseNetFn
          ? d.response
          : undefined,
      deadline,
      command.name,
      { maxAttempts, attemptMs, onSend: this.sendEvent(command.name, options) },
    );
  }

  /**
   * Sends and waits, again with a doubling wait, until `accept` takes an answer, `maxAttempts`
   * went unanswered (undefined) or the deadline passes (a timeout naming the BMC).
   */
  private async exchange<T>(
    packet: () => Buffer,
    accept: (delivery: Delivery) => T | undefined,
    deadline: Deadline,
    what: string,
    opts: { maxAttempts?: number; attemptMs?: number; onSend?: (retry: boolean) => void } = {},
  ): Promise<T | undefined> {
    const remote = this.remote;
    if (!remote) throw new IpmiError('protocol', `${this.where}: not resolved`);
    let attemptMs = opts.attemptMs ?? this.timing.firstAttemptMs;
    for (let attempt = 0; attempt < (opts.maxAttempts ?? Infinity); attempt++) {
      deadline.check();
      const remaining = deadline.remaining();
      if (remaining === 0) throw deadline.expired(this.where, what);
      const datagram = packet();
      const answer = waitFor<T>(Math.min(attemptMs, remaining), deadline.signal, (settle) => {
        this.listener = (delivery) => {
          const value = accept(delivery);
          if (value !== undefined) settle(value);
        };
        return () => {
          this.listener = undefined;
        };
      });
      opts.onSend?.(attempt > 0);
      try {
        await this.host.transport.send(datagram, remote);
      } catch (error) {
        this.listener = undefined;
        void answer.catch(() => undefined);
        throw error;
      }
      const value = await answer;
      if (value !== undefined) return value;
      attemptMs = Math.min(attemptMs * 2, this.timing.maxAttemptMs);
    }
    return undefined;
  }

  private async establish(deadline: Deadline, options: RequestOptions): Promise<void> {
    const suite = this.suite;
    if (!suite) {
      throw new IpmiError(
        'cipher-suite-unsupported',
        `${this.where}: cipher suite ${this.target.cipherSuite} is not supported ` +
          '(this client speaks 3 and 17)',
      );
    }
    const username = Buffer.from(this.target.username, 'utf8');
    if (username.length > MAX_USERNAME_BYTES) {
      throw new IpmiError('unknown-user', `${this.where}: user names are at most 16 bytes`);
    }
    let kuid: Buffer;
    try {
      kuid = userKey(this.target.password);
    } catch (error) {
      throw new IpmiError('wrong-password', `${this.where}: ${(error as Error).message}`);
    }
    if (!this.remote) {
      this.remote = await this.host.transport.resolve(this.target.host, this.target.port);
      this.host.registerRemote(this, this.remote);
    }
    // A step whose answers were all lost (a BMC ignores a repeated RAKP 3 once the session is
    // active), or a RAKP 2 for an earlier RAKP 1 that spoils RAKP 4: start over, in the deadline.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.handshake(suite, username, kuid, deadline, options);
      } catch (error) {
        const again =
          error instanceof StepUnanswered ||
          (error instanceof IpmiError && error.code === 'protocol');
        if (!again || attempt >= MAX_HANDSHAKES || deadline.remaining() === 0) throw error;
      }
    }
  }

  private async handshake(
    suite: CipherSuite,
    username: Buffer,
    kuid: Buffer,
    deadline: Deadline,
    options: RequestOptions,
  ): Promise<void> {
    const privilege = Privilege[this.target.privilege ?? 'administrator'];
    const where = this.where;

    const caps = getChannelAuthCapabilities(privilege);
    const capsSeq = (this.preSessionSeq = (this.preSessionSeq + 1) & 0x3f);
    const capsAnswer = await this.exchange(
      () =>
        encodeV15(
          encodeRequest({ netFn: caps.netFn, cmd: caps.cmd, rqSeq: capsSeq, data: caps.data }),
        ),
      (d) =>
        d.kind === 'v15' && d.response.rqSeq === capsSeq && d.response.cmd === caps.cmd
          ? d.response
          : undefined,
      deadline,
      caps.name,
      { onSend: this.sendEvent(caps.name, options) },
    );
    if (!capsAnswer) throw deadline.expired(where, caps.name);
    if (capsAnswer.completionCode !== 0) {
      throw completionError(where, caps.name, capsAnswer.completionCode);
    }
    let ipmiV20: boolean;
    try {
      ipmiV20 = caps.decode(capsAnswer.data).ipmiV20;
    } catch (error) {
      throw new IpmiError('protocol', `${where}: ${caps.name}: ${(error as Error).message}`);
    }
    if (!ipmiV20) {
      throw new IpmiError(
        'cipher-suite-unsupported',
        `${where}: the BMC does not offer IPMI v2.0 (RMCP+) on this channel`,
      );
    }

    const consoleSessionId = this.host.allocateSessionId(this);
    try {
      const tag = randomBytes(1)[0];
      const open = encodeOpenSessionRequest({ tag, privilege, consoleSessionId, suite });
      const opened = await this.exchange(
        () => encodeV20(PayloadType.openSessionRequest, 0, 0, open),
        (d) =>
          d.kind === 'setup' && d.frame.payloadType === PayloadType.openSessionResponse
            ? tryDecode(
                () => decodeOpenSessionResponse(d.frame.payload),
                (m) => (matches(m, tag, consoleSessionId) ? m : undefined),
              )
            : undefined,
        deadline,
        'Open Session Request',
        { maxAttempts: STEP_ATTEMPTS, onSend: this.sendEvent('Open Session Request', options) },
      );
      if (!opened) throw unanswered(where, 'Open Session Request');
      if (opened.status !== 0) {
        throw setupRefusal(where, `Open Session Request (cipher suite ${suite.id})`, opened.status);
      }
      const alg = opened.algorithms!;
      if (
        alg.auth !== suite.authAlgorithm ||
        alg.integrity !== suite.integrityAlgorithm ||
        alg.confidentiality !== suite.confidentialityAlgorithm
      ) {
        throw new IpmiError(
          'cipher-suite-unsupported',
          `${where}: the BMC answered cipher suite ${suite.id} with other algorithms`,
        );
      }
      const bmcSessionId = opened.bmcSessionId!;

      const role = privilege | NAME_ONLY_LOOKUP;
      const consoleRandom = randomBytes(16);
      const rakp1 = encodeRakp1({ tag, bmcSessionId, consoleRandom, role, username });
      const rakp2 = await this.exchange(
        () => encodeV20(PayloadType.rakp1, 0, 0, rakp1),
        (d) =>
          d.kind === 'setup' && d.frame.payloadType === PayloadType.rakp2
            ? tryDecode(
                () => decodeRakp2(d.frame.payload, suite),
                (m) => (matches(m, tag, consoleSessionId) ? m : undefined),
              )
            : undefined,
        deadline,
        'RAKP 1',
        { maxAttempts: STEP_ATTEMPTS, onSend: this.sendEvent('RAKP 1', options) },
      );
      if (!rakp2) throw unanswered(where, 'RAKP 1');
      if (rakp2.status !== 0) throw setupRefusal(where, 'RAKP 1', rakp2.status);
      const values: RakpValues = {
        consoleSessionId,
        bmcSessionId,
        consoleRandom,
        bmcRandom: rakp2.bmcRandom!,
        bmcGuid: rakp2.bmcGuid!,
        role,
        username,
      };
      if (!rakp2AuthCode(suite, kuid, values).equals(rakp2.authCode!)) {
        throw new IpmiError(
          'wrong-password',
          `${where}: RAKP 2 integrity check failed: ` +
            `the password for user "${this.target.username}" is wrong`,
        );
      }

      const sik = sessionIntegrityKey(suite, kuid, values);
      const rakp3 = encodeRakp3(tag, bmcSessionId, rakp3AuthCode(suite, kuid, values));
      const rakp4 = await this.exchange(
        () => encodeV20(PayloadType.rakp3, 0, 0, rakp3),
        (d) =>
          d.kind === 'setup' && d.frame.payloadType === PayloadType.rakp4
            ? tryDecode(
                () => decodeRakp4(d.frame.payload, suite),
                (m) => (matches(m, tag, consoleSessionId) ? m : undefined),
              )
            : undefined,
        deadline,
        'RAKP 3',
        { maxAttempts: STEP_ATTEMPTS, onSend: this.sendEvent('RAKP 3', options) },
      );
      if (!rakp4) throw unanswered(where, 'RAKP 3');
      if (rakp4.status !== 0) {
        // 0x02/0x0f after a good RAKP 2: the BMC paired our RAKP 3 with another RAKP 1's numbers.
        if (rakp4.status === 0x02 || rakp4.status === 0x0f) {
          throw new IpmiError(
            'protocol',
            `${where}: RAKP 3 refused (0x${rakp4.status.toString(16)})`,
          );
        }
        throw setupRefusal(where, 'RAKP 3', rakp4.status);
      }
      if (!rakp4CheckValue(suite, sik, values).equals(rakp4.checkValue!)) {
        throw new IpmiError('protocol', `${where}: RAKP 4 integrity check value does not match`);
      }

      const { k1, k2 } = additionalKeys(suite, sik);
      this.active = {
        consoleSessionId,
        bmcSessionId,
        keys: { suite, k1, k2 },
        outSequence: 1,
        rqSeq: 0,
        lastUsed: Date.now(),
        seen: new Set(),
        highestSeen: 0,
      };
    } catch (error) {
      this.host.releaseSessionId(consoleSessionId);
      throw error;
    }

    // Sessions start at User level; chassis control needs Operator, resets Administrator.
    const set = setSessionPrivilege(privilege);
    let answer: IpmiResponse | undefined;
    try {
      answer = await this.request(set, deadline, Infinity, options);
    } catch (error) {
      this.forget();
      throw error;
    }
    if (!answer || answer.completionCode !== 0) {
      this.forget();
      if (!answer) throw deadline.expired(where, set.name);
      const refused = completionError(where, set.name, answer.completionCode);
      throw new IpmiError(
        'privilege-refused',
        `${refused.message}: the user may not work at ` +
          `${this.target.privilege ?? 'administrator'} level`,
        answer.completionCode,
      );
    }
  }

  /** Drops the session locally (the BMC's copy times out or is already gone). */
  private forget(): void {
    if (!this.active) return;
    this.host.releaseSessionId(this.active.consoleSessionId);
    this.active = undefined;
    clearTimeout(this.idleTimer);
  }

  private async closeNow(): Promise<void> {
    const active = this.active;
    if (!active) return;
    clearTimeout(this.idleTimer);
    const command = closeSession(active.bmcSessionId);
    try {
      await this.request(command, new Deadline(500), 1, {});
    } catch {
      // best effort: the BMC drops an idle session on its own
    } finally {
      this.forget();
    }
  }
}

/** Ours: same tag, and our console session ID unless a short refusal left it out. */
function matches(
  m: { tag: number; consoleSessionId?: number },
  tag: number,
  consoleSessionId: number,
): boolean {
  return m.tag === tag && (m.consoleSessionId ?? consoleSessionId) === consoleSessionId;
}

function tryDecode<M, T>(decode: () => M, pick: (m: M) => T | undefined): T | undefined {
  try {
    return pick(decode());
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}
