import fc from 'fast-check';

import { CIPHER_SUITES } from './cipher-suites';
import {
  getBootFlags,
  getChannelAuthCapabilities,
  getChassisStatus,
  getDeviceId,
  getSelEntry,
  setSessionPrivilege,
} from './commands';
import { DecodeError } from './errors';
import { additionalKeys } from './keys';
import { decodeResponse, encodeRequest } from './message';
import { decodeFrame, encodeV15, encodeV20, openSessionPacket } from './packet';
import { decodeOpenSessionResponse, decodeRakp2, decodeRakp4 } from './session-setup';

/*
 * A hostile or broken BMC: whatever bytes arrive, decoding either succeeds or fails with a
 * DecodeError naming the field; never a RangeError, a TypeError or a read past the end.
 */

function onlyDecodeErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
}

const suites = [...CIPHER_SUITES.values()];
const keysFor = suites.map((suite) => ({ suite, ...additionalKeys(suite, Buffer.alloc(20, 7)) }));
const bytes = (max = 200) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

/** A valid answer from a BMC: an IPMI response message inside a session packet. */
function validAnswer(keyIndex: number, data: Buffer): Buffer {
  const message = encodeRequest({
    netFn: 0x01,
    cmd: 0x01,
    rqSeq: 5,
    data: Buffer.concat([Buffer.from([0]), data]),
  });
  return encodeV20(0x00, 0x1234, 9, message, keysFor[keyIndex]);
}

/** Flips, overwrites, truncates or extends a datagram. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), tail: bytes(40) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(packet: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(packet);
  switch (m.kind) {
    case 'flip':
      out[m.at % out.length] ^= 1 << m.bit;
      return out;
    case 'set':
      out[m.at % out.length] = m.value;
      return out;
    case 'truncate':
      return out.subarray(0, m.at % out.length);
    case 'extend':
      return Buffer.concat([out, m.tail]);
  }
}

describe('decoding what a BMC sends', () => {
  it('random datagrams: framing fails only with DecodeError', () => {
    fc.assert(
      fc.property(bytes(1100), (d) => onlyDecodeErrors(() => decodeFrame(d))),
      {
        numRuns: 2000,
      },
    );
  });

  it('random datagrams behind a valid RMCP+ header reach every decoder without a crash', () => {
    const header = Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06]);
    fc.assert(
      fc.property(bytes(), fc.integer({ min: 0, max: keysFor.length - 1 }), (tail, k) => {
        onlyDecodeErrors(() => {
          const frame = decodeFrame(Buffer.concat([header, tail]));
          onlyDecodeErrors(() => openSessionPacket(frame, keysFor[k]));
          onlyDecodeErrors(() => decodeResponse(frame.payload));
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('session set-up payloads of any bytes: only DecodeError', () => {
    fc.assert(
      fc.property(bytes(80), (payload) => {
        onlyDecodeErrors(() => decodeOpenSessionResponse(payload));
        for (const suite of suites) {
          onlyDecodeErrors(() => decodeRakp2(payload, suite));
          onlyDecodeErrors(() => decodeRakp4(payload, suite));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('command answers of any bytes: only DecodeError', () => {
    const commands = [
      getChannelAuthCapabilities(4),
      setSessionPrivilege(4),
      getDeviceId(),
      getChassisStatus(),
      getBootFlags(),
      getSelEntry(0),
    ];
    fc.assert(
      fc.property(bytes(40), (data) => {
        for (const command of commands) onlyDecodeErrors(() => command.decode(data));
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid session packet, mutated: refused unless only unprotected bytes changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: keysFor.length - 1 }),
        bytes(30),
        mutation,
        (k, data, m) => {
          const packet = validAnswer(k, data);
          const original = decodeResponse(openSessionPacket(decodeFrame(packet), keysFor[k]));
          const changed = mutate(packet, m);
          try {
            const got = decodeResponse(openSessionPacket(decodeFrame(changed), keysFor[k]));
            // The AuthCode covers everything after the RMCP header (whose reserved and sequence
            // bytes the specification leaves unprotected): only a no-op there may pass.
            expect(changed.subarray(4).equals(packet.subarray(4))).toBe(true);
            expect(got).toEqual(original);
          } catch (error) {
            if (!(error instanceof DecodeError)) throw error;
            expect(changed.equals(packet)).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a valid v1.5 answer, mutated: checksums and lengths catch every change', () => {
    fc.assert(
      fc.property(bytes(20), mutation, (data, m) => {
        const message = encodeRequest({
          netFn: 0x07,
          cmd: 0x38,
          rqSeq: 3,
          data: Buffer.concat([Buffer.from([0]), data]),
        });
        const packet = encodeV15(message);
        onlyDecodeErrors(() => decodeResponse(decodeFrame(mutate(packet, m)).payload));
      }),
      { numRuns: 2000 },
    );
  });
});
