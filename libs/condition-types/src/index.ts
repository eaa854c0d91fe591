export * from './server-control';
export * from './action';
export * from './condition';
export * from './transitions';
export * from './nats-names';
export * from './requests';
export * from './output';
