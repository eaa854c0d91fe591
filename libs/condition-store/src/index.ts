export * from './errors';
export * from './condition-store';
