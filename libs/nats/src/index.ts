export * from './free-port';
export * from './embedded-server';
export * from './connect';
export * from './provision';
