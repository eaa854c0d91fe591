/** Kept in step with package.json (rootDir is src, so the manifest cannot be imported). */
export const MCTL_VERSION = '0.1.0';
