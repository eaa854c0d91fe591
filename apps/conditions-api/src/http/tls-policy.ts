/**
 * What the API's HTTPS server negotiates: TLS 1.2 and 1.3 only, and for TLS 1.2 only
 * ECDHE key exchange with AEAD ciphers (Mozilla's "intermediate" profile without DHE).
 * Node's default list ends in `HIGH`, which lets in static-RSA suites (no forward secrecy)
 * and CBC ones (padding-oracle history); a client offering only those gets no handshake.
 * TLS 1.3 suites are set by OpenSSL separately and are all AEAD with forward secrecy.
 */
export const TLS_MIN_VERSION = 'TLSv1.2';
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Options for `https.createServer` beside the certificate and key. */
export const tlsServerPolicy = {
  minVersion: TLS_MIN_VERSION,
  ciphers: TLS12_CIPHERS,
  honorCipherOrder: true,
} as const;
