import { ByteReader, u32le } from './bytes';
import type { CipherSuite } from './cipher-suites';
import { DecodeError } from './errors';

/** Privilege levels (IPMI v2.0 table 22-23 and 13.17). */
export const Privilege = { callback: 1, user: 2, operator: 3, administrator: 4 } as const;
export type PrivilegeName = keyof typeof Privilege;

/** RAKP 1 role bit: look the user up by name only (what ipmitool sends by default). */
export const NAME_ONLY_LOOKUP = 0x10;

export interface OpenSessionRequest {
  tag: number;
  privilege: number;
  consoleSessionId: number;
  suite: CipherSuite;
}

function algorithmPayload(type: number, algorithm: number): Buffer {
  return Buffer.from([type, 0, 0, 0x08, algorithm, 0, 0, 0]);
}

/** RMCP+ Open Session Request (IPMI v2.0 13.17). */
export function encodeOpenSessionRequest(req: OpenSessionRequest): Buffer {
  return Buffer.concat([
    Buffer.from([req.tag, req.privilege, 0, 0]),
    u32le(req.consoleSessionId),
    algorithmPayload(0x00, req.suite.authAlgorithm),
    algorithmPayload(0x01, req.suite.integrityAlgorithm),
    algorithmPayload(0x02, req.suite.confidentialityAlgorithm),
  ]);
}

export interface OpenSessionResponse {
  tag: number;
  status: number;
  privilege?: number;
  /** Absent from a refusal that carries only the tag and the status. */
  consoleSessionId?: number;
  /** Present when status is 0. */
  bmcSessionId?: number;
  algorithms?: { auth: number; integrity: number; confidentiality: number };
}

/** The console session ID of a refusal, when it is there after `skip` more bytes. */
function optionalSessionId(r: ByteReader, skip: number): { consoleSessionId?: number } {
  if (r.remaining < skip + 4) return {};
  r.bytes(skip, 'reserved');
  return { consoleSessionId: r.u32le('console session ID') };
}

function readAlgorithm(r: ByteReader, type: number, what: string): number {
  const got = r.u8(`${what} payload type`);
  if (got !== type) throw new DecodeError(`${what} payload type ${got}, expected ${type}`);
  r.bytes(2, `${what} reserved`);
  const length = r.u8(`${what} payload length`);
  if (length !== 8) throw new DecodeError(`${what} payload length ${length}, expected 8`);
  const algorithm = r.u8(`${what} algorithm`) & 0x3f;
  r.bytes(3, `${what} reserved`);
  return algorithm;
}

export function decodeOpenSessionResponse(payload: Buffer): OpenSessionResponse {
  const r = new ByteReader(payload);
  const tag = r.u8('message tag');
  const status = r.u8('status code');
  // A refusal may stop after the status (ipmi_sim sends only these two bytes).
  if (status !== 0) return { tag, status, ...optionalSessionId(r, 2) };
  const privilege = r.u8('maximum privilege') & 0x0f;
  r.u8('reserved');
  const consoleSessionId = r.u32le('console session ID');
  const bmcSessionId = r.u32le('BMC session ID');
  const auth = readAlgorithm(r, 0x00, 'authentication');
  const integrity = readAlgorithm(r, 0x01, 'integrity');
  const confidentiality = readAlgorithm(r, 0x02, 'confidentiality');
  r.expectEnd('Open Session Response');
  if (bmcSessionId === 0) throw new DecodeError('BMC session ID 0');
  return {
    tag,
    status,
    privilege,
    consoleSessionId,
    bmcSessionId,
    algorithms: { auth, integrity, confidentiality },
  };
}

export interface Rakp1 {
  tag: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  role: number;
  username: Buffer;
}

export function encodeRakp1(m: Rakp1): Buffer {
  return Buffer.concat([
    Buffer.from([m.tag, 0, 0, 0]),
    u32le(m.bmcSessionId),
    m.consoleRandom,
    Buffer.from([m.role, 0, 0, m.username.length]),
    m.username,
  ]);
}

export interface Rakp2 {
  tag: number;
  status: number;
  consoleSessionId?: number;
  bmcRandom?: Buffer;
  bmcGuid?: Buffer;
  authCode?: Buffer;
}

export function decodeRakp2(payload: Buffer, suite: CipherSuite): Rakp2 {
  const r = new ByteReader(payload);
  const tag = r.u8('message tag');
  const status = r.u8('status code');
  if (status !== 0) return { tag, status, ...optionalSessionId(r, 2) };
  r.bytes(2, 'reserved');
  const consoleSessionId = r.u32le('console session ID');
  const bmcRandom = Buffer.from(r.bytes(16, 'BMC random number'));
  const bmcGuid = Buffer.from(r.bytes(16, 'BMC GUID'));
  const authCode = Buffer.from(r.bytes(suite.authCodeLength, 'key exchange auth code'));
  r.expectEnd('RAKP 2');
  return { tag, status, consoleSessionId, bmcRandom, bmcGuid, authCode };
}

export function encodeRakp3(tag: number, bmcSessionId: number, authCode: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, 0, 0, 0]), u32le(bmcSessionId), authCode]);
}

export interface Rakp4 {
  tag: number;
  status: number;
  consoleSessionId?: number;
  checkValue?: Buffer;
}

export function decodeRakp4(payload: Buffer, suite: CipherSuite): Rakp4 {
  const r = new ByteReader(payload);
  const tag = r.u8('message tag');
  const status = r.u8('status code');
  if (status !== 0) return { tag, status, ...optionalSessionId(r, 2) };
  r.bytes(2, 'reserved');
  const consoleSessionId = r.u32le('console session ID');
  const checkValue = Buffer.from(r.bytes(suite.integrityLength, 'integrity check value'));
  r.expectEnd('RAKP 4');
  return { tag, status, consoleSessionId, checkValue };
}

/** RMCP+ status codes (IPMI v2.0 table 13-15), for messages. */
export const RMCP_STATUS: Record<number, string> = {
  0x01: 'insufficient resources to create a session',
  0x02: 'invalid session ID',
  0x03: 'invalid payload type',
  0x04: 'invalid authentication algorithm',
  0x05: 'invalid integrity algorithm',
  0x06: 'no matching authentication payload',
  0x07: 'no matching integrity payload',
  0x08: 'inactive session ID',
  0x09: 'invalid role',
  0x0a: 'unauthorized role or privilege level requested',
  0x0b: 'insufficient resources to create a session at the requested role',
  0x0c: 'invalid name length',
  0x0d: 'unauthorized name',
  0x0e: 'unauthorized GUID',
  0x0f: 'invalid integrity check value',
  0x10: 'invalid confidentiality algorithm',
  0x11: 'no cipher suite match with proposed security algorithms',
  0x12: 'illegal or unrecognized parameter',
};
