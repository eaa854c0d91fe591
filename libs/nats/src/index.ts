export * from './free-port';
export * from './embedded-server';
export * from './connect';
export * from './provision';
export * from './embedded-cluster';
export * from './server-list';
export * from './replicas';
export * from './client-auth';
