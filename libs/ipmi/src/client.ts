import { createHash } from 'node:crypto';

import {
  BootFlags,
  BootSelector,
  bootInfoAcknowledge,
  ChassisControlAction,
  chassisControl,
  ChassisStatus,
  coldReset,
  ColdResetResult,
  Command,
  DeviceId,
  getBootFlags,
  getChassisStatus,
  getDeviceId,
  getSelEntry,
  SelEntry,
  setBootFlags,
} from './commands';
import { DecodeError } from './errors';
import { decodeFrame, PayloadType } from './packet';
import { BmcSession, BmcTarget, RequestOptions, SessionHost, Timing } from './session';
import { Remote, Transport } from './transport';

export const DEFAULT_TIMING: Timing = {
  // ipmipower's defaults are 1 s and 20 s; a first retry sooner suits a LAN where answers take ms.
  firstAttemptMs: 500,
  maxAttemptMs: 2000,
  // Below ipmi_sim's and most BMCs' own 30 s or 60 s, so we close first.
  idleTimeoutMs: 20_000,
};

/**
 * IPMI v2.0 LAN (RMCP+) client for any number of BMCs over one UDP socket. Sessions are kept
 * per BMC, user and cipher suite, reused while in use and closed after `idleTimeoutMs` idle.
 */
export class IpmiClient {
  private readonly transport: Transport;
  private readonly sessions = new Map<string, BmcSession>();
  private readonly bySessionId = new Map<number, BmcSession>();
  private readonly byRemote = new Map<string, Set<BmcSession>>();
  private readonly timing: Timing;
  /** Datagrams that could not be framed or matched to a session. */
  droppedDatagrams = 0;

  constructor(timing: Partial<Timing> = {}) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.transport = new Transport((datagram, from) => this.receive(datagram, from));
    (this.host as { transport: Transport }).transport = this.transport;
  }

  run<T>(target: BmcTarget, command: Command<T>, options: RequestOptions = {}): Promise<T> {
    return this.session(target).run(command, options);
  }

  chassisStatus(target: BmcTarget, options?: RequestOptions): Promise<ChassisStatus> {
    return this.run(target, getChassisStatus(), options);
  }

  chassisControl(
    target: BmcTarget,
    action: ChassisControlAction,
    options?: RequestOptions,
  ): Promise<void> {
    return this.run(target, chassisControl(action), options);
  }

  /** Boot info acknowledge, then the boot flags, as `ipmitool chassis bootdev` sends them. */
  async setBootDevice(
    target: BmcTarget,
    device: BootSelector,
    flags: { persistent: boolean; efi: boolean },
    options?: RequestOptions,
  ): Promise<void> {
    const started = Date.now();
    await this.run(target, bootInfoAcknowledge(), options);
    const left =
      options?.timeoutMs === undefined ? undefined : options.timeoutMs - (Date.now() - started);
    await this.run(target, setBootFlags(device, flags), {
      ...options,
      ...(left === undefined ? {} : { timeoutMs: Math.max(1, left) }),
    });
  }

  bootFlags(target: BmcTarget, options?: RequestOptions): Promise<BootFlags> {
    return this.run(target, getBootFlags(), options);
  }

  deviceId(target: BmcTarget, options?: RequestOptions): Promise<DeviceId> {
    return this.run(target, getDeviceId(), options);
  }

  /** Cold Reset: the BMC restarts and forgets its sessions, so ours is dropped too. */
  async coldReset(target: BmcTarget, options?: RequestOptions): Promise<ColdResetResult> {
    const session = this.session(target);
    try {
      return await session.run(coldReset(), options ?? {});
    } finally {
      await session.forgetSoon();
    }
  }

  selEntry(target: BmcTarget, recordId: number, options?: RequestOptions): Promise<SelEntry> {
    return this.run(target, getSelEntry(recordId), options);
  }

  /** Sessions open now (for tests and metrics). */
  openSessions(): number {
    return [...this.sessions.values()].filter((s) => s.isOpen).length;
  }

  /** Closes every session (Close Session, briefly) and the socket. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
    this.transport.close();
  }

  private session(target: BmcTarget): BmcSession {
    // The password is part of the key (hashed) so a changed password opens a new session.
    const secret = createHash('sha256').update(target.password).digest('base64');
    const key = [
      target.host,
      target.port,
      target.username,
      target.cipherSuite,
      target.privilege ?? '',
      secret,
    ].join('\0');
    let session = this.sessions.get(key);
    if (!session) {
      session = new BmcSession(target, this.host, this.timing);
      this.sessions.set(key, session);
    }
    return session;
  }

  private readonly host: SessionHost = {
    transport: undefined as unknown as Transport, // set in the constructor
    allocateSessionId: (session) => {
      for (;;) {
        const id = (Math.random() * 0xffffffff) >>> 0;
        if (id !== 0 && !this.bySessionId.has(id)) {
          this.bySessionId.set(id, session);
          return id;
        }
      }
    },
    releaseSessionId: (id) => {
      this.bySessionId.delete(id);
    },
    registerRemote: (session, remote: Remote) => {
      const key = `${remote.address}:${remote.port}`;
      let set = this.byRemote.get(key);
      if (!set) this.byRemote.set(key, (set = new Set()));
      set.add(session);
    },
    // An inventory that changes over months must not leave a session object per BMC it had.
    retire: (session) => {
      for (const [key, s] of this.sessions) if (s === session) this.sessions.delete(key);
      for (const [key, set] of this.byRemote) {
        set.delete(session);
        if (set.size === 0) this.byRemote.delete(key);
      }
    },
  };

  /** Session objects held (open or not): idle ones are let go. */
  knownSessions(): number {
    return this.sessions.size;
  }

  /**
   * Routes a datagram: in-session packets by their session ID (ours), set-up answers by the
   * console session ID inside their payload, v1.5 answers by address. The session then checks
   * the sender's address and, for session packets, the integrity code.
   */
  private receive(datagram: Buffer, from: { address: string; port: number }): void {
    let frame;
    try {
      frame = decodeFrame(datagram);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.droppedDatagrams++;
      return;
    }
    const setup =
      frame.payloadType === PayloadType.openSessionResponse ||
      frame.payloadType === PayloadType.rakp2 ||
      frame.payloadType === PayloadType.rakp4;
    // v1.5 answers and short set-up refusals (tag and status only) carry no session ID of ours.
    if (frame.format === 'v15' || (setup && frame.sessionId === 0 && frame.payload.length < 8)) {
      const sessions = this.byRemote.get(`${from.address}:${from.port}`);
      if (!sessions) this.droppedDatagrams++;
      for (const session of sessions ?? []) session.deliver(frame, from);
      return;
    }
    let id = frame.sessionId;
    if (id === 0 && setup) id = frame.payload.readUInt32LE(4);
    const session = this.bySessionId.get(id);
    if (session) session.deliver(frame, from);
    else this.droppedDatagrams++;
  }
}
