import { ByteReader } from './bytes';
import type { CipherSuite } from './cipher-suites';
import { DecodeError } from './errors';
import { decryptPayload, encryptPayload, packetAuthCode } from './keys';

/** RMCP header: version 6, reserved, sequence 0xff (no RMCP ack), class 7 (IPMI). */
const RMCP_HEADER = Buffer.from([0x06, 0x00, 0xff, 0x07]);
const RMCP_CLASS_IPMI = 0x07;
const AUTH_TYPE_NONE = 0x00;
const AUTH_TYPE_RMCP_PLUS = 0x06;
const NEXT_HEADER = 0x07;
const ENCRYPTED = 0x80;
const AUTHENTICATED = 0x40;
/** The largest datagram either side sends; anything longer is not a BMC's answer. */
export const MAX_DATAGRAM = 1024;

export const PayloadType = {
  ipmi: 0x00,
  openSessionRequest: 0x10,
  openSessionResponse: 0x11,
  rakp1: 0x12,
  rakp2: 0x13,
  rakp3: 0x14,
  rakp4: 0x15,
} as const;

/** Keys of an active session; absent before and during session set-up. */
export interface SessionKeys {
  suite: CipherSuite;
  k1: Buffer;
  k2: Buffer;
}

/** An IPMI v1.5 packet without authentication: only Get Channel Authentication Capabilities. */
export function encodeV15(message: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header[0] = AUTH_TYPE_NONE; // session sequence and ID stay 0
  header[9] = message.length;
  return Buffer.concat([RMCP_HEADER, header, message]);
}

/** An RMCP+ packet; with keys it is encrypted (AES-CBC-128) and authenticated. */
export function encodeV20(
  payloadType: number,
  sessionId: number,
  sequence: number,
  payload: Buffer,
  keys?: SessionKeys,
): Buffer {
  const body = keys ? encryptPayload(keys.k2, payload) : payload;
  const header = Buffer.alloc(12);
  header[0] = AUTH_TYPE_RMCP_PLUS;
  header[1] = payloadType | (keys ? ENCRYPTED | AUTHENTICATED : 0);
  header.writeUInt32LE(sessionId >>> 0, 2);
  header.writeUInt32LE(sequence >>> 0, 6);
  header.writeUInt16LE(body.length, 10);
  if (!keys) return Buffer.concat([RMCP_HEADER, header, body]);
  // The integrity pad makes auth type .. next header a multiple of 4 bytes.
  const padLength = (4 - ((header.length + body.length + 2) % 4)) % 4;
  const trailer = Buffer.alloc(padLength + 2, 0xff);
  trailer[padLength] = padLength;
  trailer[padLength + 1] = NEXT_HEADER;
  const covered = Buffer.concat([header, body, trailer]);
  return Buffer.concat([RMCP_HEADER, covered, packetAuthCode(keys.suite, keys.k1, covered)]);
}

export interface Frame {
  format: 'v15' | 'v20';
  payloadType: number;
  encrypted: boolean;
  authenticated: boolean;
  sessionId: number;
  sequence: number;
  /** As carried: still encrypted when `encrypted`. */
  payload: Buffer;
  /** v2.0 authenticated only: after the payload (pad, pad length, next header, AuthCode). */
  trailer: Buffer;
  /** v2.0 authenticated only: auth type .. end of the trailer, for the integrity check. */
  covered: Buffer;
}

/**
 * Reads the framing of a datagram without keys. Every length is checked against what arrived;
 * anything this client never asked for (ASF, OEM payloads, v1.5 authentication) is refused.
 */
export function decodeFrame(datagram: Buffer): Frame {
  if (datagram.length > MAX_DATAGRAM) throw new DecodeError(`datagram of ${datagram.length} bytes`);
  const r = new ByteReader(datagram);
  const version = r.u8('RMCP version');
  r.u8('RMCP reserved');
  r.u8('RMCP sequence');
  const rmcpClass = r.u8('RMCP class');
  if (version !== 0x06) throw new DecodeError(`RMCP version 0x${version.toString(16)}`);
  if ((rmcpClass & 0x1f) !== RMCP_CLASS_IPMI) {
    throw new DecodeError(`RMCP class 0x${rmcpClass.toString(16)} is not IPMI`);
  }
  const authType = r.u8('auth type');
  if (authType === AUTH_TYPE_NONE) {
    const sequence = r.u32le('session sequence');
    const sessionId = r.u32le('session ID');
    const length = r.u8('message length');
    const payload = r.bytes(length, 'IPMI message');
    r.expectEnd('IPMI v1.5 packet');
    return {
      format: 'v15',
      payloadType: PayloadType.ipmi,
      encrypted: false,
      authenticated: false,
      sessionId,
      sequence,
      payload,
      trailer: Buffer.alloc(0),
      covered: Buffer.alloc(0),
    };
  }
  if (authType !== AUTH_TYPE_RMCP_PLUS) {
    throw new DecodeError(`auth type 0x${authType.toString(16)} is not used by this client`);
  }
  const typeByte = r.u8('payload type');
  const payloadType = typeByte & 0x3f;
  if (payloadType === 0x02) throw new DecodeError('OEM explicit payloads are not used');
  const sessionId = r.u32le('session ID');
  const sequence = r.u32le('session sequence');
  const length = r.u16le('payload length');
  const payload = r.bytes(length, 'payload');
  const authenticated = (typeByte & AUTHENTICATED) !== 0;
  const trailer = r.rest();
  if (!authenticated && trailer.length > 0) {
    throw new DecodeError(`unauthenticated packet: ${trailer.length} bytes after the payload`);
  }
  if (authenticated && trailer.length < 2) throw new DecodeError('integrity trailer missing');
  return {
    format: 'v20',
    payloadType,
    encrypted: (typeByte & ENCRYPTED) !== 0,
    authenticated,
    sessionId,
    sequence,
    payload,
    trailer,
    covered: datagram.subarray(4),
  };
}

/**
 * Checks an in-session packet with the session's keys and returns its plain payload. Refuses
 * packets that are not both authenticated and encrypted: the session asked for both.
 */
export function openSessionPacket(frame: Frame, keys: SessionKeys): Buffer {
  if (frame.format !== 'v20' || !frame.authenticated || !frame.encrypted) {
    throw new DecodeError('in-session packet without integrity and confidentiality');
  }
  const codeLength = keys.suite.integrityLength;
  // pad (0-3 bytes), pad length, next header, AuthCode
  if (frame.trailer.length < codeLength + 2 || frame.trailer.length > codeLength + 5) {
    throw new DecodeError(`integrity trailer of ${frame.trailer.length} bytes`);
  }
  const authCode = frame.trailer.subarray(frame.trailer.length - codeLength);
  const padLength = frame.trailer[frame.trailer.length - codeLength - 2];
  if (padLength !== frame.trailer.length - codeLength - 2) {
    throw new DecodeError(`integrity pad length ${padLength} does not match the trailer`);
  }
  const covered = frame.covered.subarray(0, frame.covered.length - codeLength);
  const expected = packetAuthCode(keys.suite, keys.k1, covered);
  if (!expected.equals(authCode)) throw new DecodeError('integrity check value does not match');
  return decryptPayload(keys.k2, frame.payload);
}
