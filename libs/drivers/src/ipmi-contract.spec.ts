import { IpmiClient } from '@switchboard/ipmi';

import { ipmiDriverContract } from '../test/ipmi-contract';
import { createIpmiDriver } from './ipmi-driver';
import { createNativeIpmiDriver } from './native-ipmi-driver';

// The same cases, against real ipmi_sim BMCs, for both implementations of the ipmi platform.

ipmiDriverContract({
  name: 'ipmitool',
  driverFor: (server) => createIpmiDriver(server),
});

const client = new IpmiClient();
ipmiDriverContract({
  name: 'native RMCP+',
  driverFor: (server) => createNativeIpmiDriver(server, { ipmiClient: client }),
  dispose: () => client.close(),
});
