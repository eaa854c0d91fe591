export { signedBytes } from './canonical';
export { ensureKeyFile, GENERATED_KEY_BYTES, MIN_KEY_BYTES, readKeyFile } from './key-file';
export {
  describeKeys,
  KEY_FILE_VARIABLE,
  keyById,
  keyId,
  PREVIOUS_KEY_FILE_VARIABLE,
  randomSigningKeys,
  readSigningKeys,
  signingKey,
} from './keys';
export type { SigningKey, SigningKeys } from './keys';
export { DEFAULT_MAX_SKEW_MS, signCondition, verifyCondition } from './sign';
export type { Freshness, SignatureErrorCode, Verdict } from './sign';
