import { execFileSync } from 'node:child_process';

import { CIPHER_SUITES, CipherSuite } from './cipher-suites';
import {
  additionalKeys,
  decryptPayload,
  encryptPayload,
  packetAuthCode,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4CheckValue,
  RakpValues,
  sessionIntegrityKey,
  userKey,
} from './keys';
import { decodeFrame, encodeV20, openSessionPacket } from './packet';
import { DecodeError } from './errors';

/*
 * Key derivation and packet protection checked against OpenSSL's command-line tools, which
 * compute the same HMACs and AES-CBC independently of node:crypto's bindings and of this code's
 * byte layout. The layouts below are written out from IPMI v2.0 sections 13.31-13.32 and 13.28.
 */

function opensslHmac(hash: string, key: Buffer, data: Buffer): Buffer {
  return execFileSync(
    'openssl',
    ['dgst', `-${hash}`, '-mac', 'HMAC', '-macopt', `hexkey:${key.toString('hex')}`, '-binary'],
    { input: data },
  );
}

function opensslAes(key: Buffer, iv: Buffer, data: Buffer, decrypt = false): Buffer {
  return execFileSync(
    'openssl',
    [
      'enc',
      '-aes-128-cbc',
      ...(decrypt ? ['-d'] : []),
      '-K',
      key.subarray(0, 16).toString('hex'),
      '-iv',
      iv.toString('hex'),
      '-nopad',
    ],
    { input: data },
  );
}

const le32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

const values: RakpValues = {
  consoleSessionId: 0xa1b2c3d4,
  bmcSessionId: 0x00020004,
  consoleRandom: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'),
  bmcRandom: Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex'),
  bmcGuid: Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex'),
  role: 0x14,
  username: Buffer.from('ADMIN'),
};
const PASSWORD = 'Sw1tch-pw';

describe.each([...CIPHER_SUITES.values()].map((s) => [s.id, s] as [number, CipherSuite]))(
  'cipher suite %i',
  (_id, suite) => {
    const kuid = Buffer.concat([Buffer.from(PASSWORD), Buffer.alloc(20 - PASSWORD.length)]);
    const roleName = Buffer.concat([Buffer.from([0x14, 5]), Buffer.from('ADMIN')]);
    const sik = opensslHmac(
      suite.hash,
      kuid,
      Buffer.concat([values.consoleRandom, values.bmcRandom, roleName]),
    );

    it('keys RAKP with the password zero-padded to 20 bytes', () => {
      expect(userKey(PASSWORD)).toEqual(kuid);
      expect(() => userKey('x'.repeat(21))).toThrow('at most 20 bytes');
    });

    it('computes the RAKP 2 and RAKP 3 key exchange codes', () => {
      const rakp2 = Buffer.concat([
        le32(values.consoleSessionId),
        le32(values.bmcSessionId),
        values.consoleRandom,
        values.bmcRandom,
        values.bmcGuid,
        roleName,
      ]);
      expect(rakp2AuthCode(suite, kuid, values)).toEqual(opensslHmac(suite.hash, kuid, rakp2));
      expect(rakp2AuthCode(suite, kuid, values)).toHaveLength(suite.authCodeLength);
      const rakp3 = Buffer.concat([values.bmcRandom, le32(values.consoleSessionId), roleName]);
      expect(rakp3AuthCode(suite, kuid, values)).toEqual(opensslHmac(suite.hash, kuid, rakp3));
    });

    it('derives SIK, K1 and K2 and the RAKP 4 check value', () => {
      expect(sessionIntegrityKey(suite, kuid, values)).toEqual(sik);
      const { k1, k2 } = additionalKeys(suite, sik);
      expect(k1).toEqual(opensslHmac(suite.hash, sik, Buffer.alloc(20, 1)));
      expect(k2).toEqual(opensslHmac(suite.hash, sik, Buffer.alloc(20, 2)));
      const icv = opensslHmac(
        suite.hash,
        sik,
        Buffer.concat([values.consoleRandom, le32(values.bmcSessionId), values.bmcGuid]),
      );
      expect(rakp4CheckValue(suite, sik, values)).toEqual(icv.subarray(0, suite.integrityLength));
    });

    it.each([0, 1, 14, 15, 16, 31, 100])(
      'encrypts a %i-byte payload as OpenSSL does (pad 1, 2, 3... and the pad length)',
      (length) => {
        const { k2 } = additionalKeys(suite, sik);
        const iv = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
        const data = Buffer.alloc(length, 0x5a);
        const encrypted = encryptPayload(k2, data, iv);
        const plain = opensslAes(k2, iv, encrypted.subarray(16), true);
        const padLength = plain[plain.length - 1];
        expect(plain.length % 16).toBe(0);
        expect(plain.subarray(0, length)).toEqual(data);
        expect(plain.subarray(length, length + padLength)).toEqual(
          Buffer.from(Array.from({ length: padLength }, (_v, i) => i + 1)),
        );
        expect(length + padLength + 1).toBe(plain.length);
        // And OpenSSL's own encryption of the padded text decrypts to the data.
        expect(decryptPayload(k2, Buffer.concat([iv, opensslAes(k2, iv, plain)]))).toEqual(data);
      },
    );

    it('protects a packet with an AuthCode OpenSSL computes over the header to Next Header', () => {
      const { k1, k2 } = additionalKeys(suite, sik);
      const keys = { suite, k1, k2 };
      const payload = Buffer.from('200018812c01', 'hex');
      const packet = encodeV20(0x00, 0x1234, 7, payload, keys);
      const code = packet.subarray(packet.length - suite.integrityLength);
      const covered = packet.subarray(4, packet.length - suite.integrityLength);
      expect(covered.length % 4).toBe(0);
      expect(covered[covered.length - 1]).toBe(0x07);
      expect(code).toEqual(opensslHmac(suite.hash, k1, covered).subarray(0, suite.integrityLength));
      expect(packetAuthCode(suite, k1, covered)).toEqual(code);
      expect(openSessionPacket(decodeFrame(packet), keys)).toEqual(payload);
    });

    it('refuses a packet changed in any byte after the RMCP header', () => {
      const { k1, k2 } = additionalKeys(suite, sik);
      const keys = { suite, k1, k2 };
      const packet = encodeV20(0x00, 0x1234, 7, Buffer.from('200018812c01', 'hex'), keys);
      for (let i = 4; i < packet.length; i++) {
        const changed = Buffer.from(packet);
        changed[i] ^= 0x01;
        expect(() => openSessionPacket(decodeFrame(changed), keys)).toThrow(DecodeError);
      }
    });
  },
);
