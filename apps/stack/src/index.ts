export * from './stack';
export type { Supervised } from './child-process';
