import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

import type { CipherSuite } from './cipher-suites';
import { DecodeError } from './errors';
import { u32le } from './bytes';

/** IPMI v2.0 user passwords are at most 20 bytes; RAKP keys with the password zero-padded to 20. */
export const MAX_PASSWORD_BYTES = 20;
export const MAX_USERNAME_BYTES = 16;

export function userKey(password: string): Buffer {
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length > MAX_PASSWORD_BYTES) {
    throw new RangeError(`an IPMI v2.0 password is at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  const key = Buffer.alloc(MAX_PASSWORD_BYTES);
  bytes.copy(key);
  return key;
}

/** What both sides of a RAKP exchange know once RAKP 2 has arrived. */
export interface RakpValues {
  consoleSessionId: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  bmcRandom: Buffer;
  bmcGuid: Buffer;
  /** The whole requested-privilege byte of RAKP 1 (role and name-only lookup bit). */
  role: number;
  username: Buffer;
}

function hmac(suite: CipherSuite, key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac(suite.hash, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function roleAndName(v: Pick<RakpValues, 'role' | 'username'>): Buffer {
  return Buffer.concat([Buffer.from([v.role, v.username.length]), v.username]);
}

/** RAKP 2 key exchange code the BMC sends: HMAC_Kuid(SIDm SIDc Rm Rc GUIDc ROLEm ULENm UNAMEm). */
export function rakp2AuthCode(suite: CipherSuite, kuid: Buffer, v: RakpValues): Buffer {
  return hmac(
    suite,
    kuid,
    u32le(v.consoleSessionId),
    u32le(v.bmcSessionId),
    v.consoleRandom,
    v.bmcRandom,
    v.bmcGuid,
    roleAndName(v),
  );
}

/** RAKP 3 key exchange code we send: HMAC_Kuid(Rc SIDm ROLEm ULENm UNAMEm). */
export function rakp3AuthCode(suite: CipherSuite, kuid: Buffer, v: RakpValues): Buffer {
  return hmac(suite, kuid, v.bmcRandom, u32le(v.consoleSessionId), roleAndName(v));
}

/** Session integrity key: HMAC_Kg(Rm Rc ROLEm ULENm UNAMEm); Kg is Kuid when the BMC has none. */
export function sessionIntegrityKey(suite: CipherSuite, kg: Buffer, v: RakpValues): Buffer {
  return hmac(suite, kg, v.consoleRandom, v.bmcRandom, roleAndName(v));
}

/** RAKP 4 integrity check value: HMAC_SIK(Rm SIDc GUIDc), truncated as the suite's integrity. */
export function rakp4CheckValue(suite: CipherSuite, sik: Buffer, v: RakpValues): Buffer {
  return hmac(suite, sik, v.consoleRandom, u32le(v.bmcSessionId), v.bmcGuid).subarray(
    0,
    suite.integrityLength,
  );
}

/** K1 (integrity) and K2 (confidentiality): HMAC_SIK over 20 bytes of 0x01 and of 0x02. */
export function additionalKeys(suite: CipherSuite, sik: Buffer): { k1: Buffer; k2: Buffer } {
  return {
    k1: hmac(suite, sik, Buffer.alloc(20, 0x01)),
    k2: hmac(suite, sik, Buffer.alloc(20, 0x02)),
  };
}

/** A packet's AuthCode: HMAC_K1 over the session header through Next Header, truncated. */
export function packetAuthCode(suite: CipherSuite, k1: Buffer, covered: Buffer): Buffer {
  return hmac(suite, k1, covered).subarray(0, suite.integrityLength);
}

const AES_BLOCK = 16;

/**
 * AES-CBC-128 payload (IPMI v2.0 13.29): IV, then the data followed by pad bytes 1, 2, 3... and
 * the pad length, encrypted with the first 16 bytes of K2. Not PKCS#7, so node's padding is off.
 */
export function encryptPayload(k2: Buffer, data: Buffer, iv: Buffer = randomBytes(16)): Buffer {
  const padLength = (AES_BLOCK - ((data.length + 1) % AES_BLOCK)) % AES_BLOCK;
  const pad = Buffer.alloc(padLength + 1);
  for (let i = 0; i < padLength; i++) pad[i] = i + 1;
  pad[padLength] = padLength;
  const cipher = createCipheriv('aes-128-cbc', k2.subarray(0, 16), iv).setAutoPadding(false);
  return Buffer.concat([iv, cipher.update(Buffer.concat([data, pad])), cipher.final()]);
}

export function decryptPayload(k2: Buffer, payload: Buffer): Buffer {
  if (payload.length < 2 * AES_BLOCK || payload.length % AES_BLOCK !== 0) {
    throw new DecodeError(`encrypted payload: ${payload.length} bytes is not IV plus whole blocks`);
  }
  const iv = payload.subarray(0, AES_BLOCK);
  const decipher = createDecipheriv('aes-128-cbc', k2.subarray(0, 16), iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(payload.subarray(AES_BLOCK)), decipher.final()]);
  const padLength = plain[plain.length - 1];
  if (padLength >= AES_BLOCK || padLength + 1 > plain.length) {
    throw new DecodeError(`encrypted payload: confidentiality pad length ${padLength} is invalid`);
  }
  return plain.subarray(0, plain.length - 1 - padLength);
}
