export { freePort } from './free-port';
export { motoAvailable, motoCommand, startMotoServer } from './moto-server';
export type { MotoOptions, MotoServer } from './moto-server';
export { startEc2Proxy } from './ec2-proxy';
export type { Ec2Call, Ec2Proxy } from './ec2-proxy';
export { startArmFake } from './arm-fake';
export type { ArmFake, ArmFakeOptions, ArmRequest, AzurePowerState, FakeVm } from './arm-fake';
export { selfSignedCertificate } from './self-signed';
export type { TlsPair } from './self-signed';
