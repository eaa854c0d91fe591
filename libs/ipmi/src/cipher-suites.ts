/**
 * The cipher suites this library speaks (IPMI v2.0 table 22-20). Both use AES-CBC-128 for
 * confidentiality; they differ in the hash behind RAKP, the session keys and packet integrity.
 */
export interface CipherSuite {
  id: number;
  /** RAKP authentication algorithm number (Open Session payload). */
  authAlgorithm: number;
  /** Integrity algorithm number. */
  integrityAlgorithm: number;
  /** Confidentiality algorithm number (1 = AES-CBC-128). */
  confidentialityAlgorithm: number;
  /** node:crypto hash name for every HMAC of the suite. */
  hash: 'sha1' | 'sha256';
  /** Length of RAKP 2 and 3 key exchange codes: the full HMAC. */
  authCodeLength: number;
  /** Length of RAKP 4's integrity check value and of each packet's AuthCode (truncated HMAC). */
  integrityLength: number;
}

export const CIPHER_SUITES: ReadonlyMap<number, CipherSuite> = new Map([
  [
    3,
    {
      id: 3,
      authAlgorithm: 0x01, // RAKP-HMAC-SHA1
      integrityAlgorithm: 0x01, // HMAC-SHA1-96
      confidentialityAlgorithm: 0x01, // AES-CBC-128
      hash: 'sha1',
      authCodeLength: 20,
      integrityLength: 12,
    },
  ],
  [
    17,
    {
      id: 17,
      authAlgorithm: 0x03, // RAKP-HMAC-SHA256
      integrityAlgorithm: 0x04, // HMAC-SHA256-128
      confidentialityAlgorithm: 0x01, // AES-CBC-128
      hash: 'sha256',
      authCodeLength: 32,
      integrityLength: 16,
    },
  ],
]);

export function cipherSuite(id: number): CipherSuite | undefined {
  return CIPHER_SUITES.get(id);
}
