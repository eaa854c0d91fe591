export * from './algorithm';
export * from './mint-token';
export * from './scopes';
export * from './secret-file';
export * from './secret-strength';
export * from './subject';
export * from './jwt-secret';
