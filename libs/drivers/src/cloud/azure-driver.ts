import { ComputeManagementClient } from '@azure/arm-compute';
import { DefaultAzureCredential } from '@azure/identity';
import type { PowerAction } from '@switchboard/condition-types';
import type { AzureTarget, ServerEntry } from '@switchboard/inventory';

import { Driver, DriverError, OperationContext, PowerStatusReading } from '../capabilities';
import { azureFailure } from './azure-errors';
import { cloudCaller, unknownPowerAction } from './cloud-call';
import { cloudPowerReaders } from './power-reading';

export interface AzureDriverOptions {
  /** Resource Manager endpoint (default the public cloud's); tests: the ARM fake. */
  azureEndpoint?: string;
  /** PEM certificate(s) to trust for that endpoint (the fake's self-signed one). */
  azureTlsCa?: string;
  /** Tests only: a credential instead of DefaultAzureCredential's chain. */
  azureCredential?: TokenCredential;
  /** Pause between polls of a long-running operation (default the server's Retry-After). */
  azurePollIntervalMs?: number;
  /** Retries of the SDK's pipeline for 429 and 5xx answers (default 4). */
  azureMaxRetries?: number;
}

/** Anything with getToken(), as @azure/identity's credentials are. */
type TokenCredential = ConstructorParameters<typeof ComputeManagementClient>[0];

const ARM_SCOPE = 'https://management.azure.com/.default';

/**
 * Azure's power states (instance view `PowerState/<x>`), as OpenFlight's power-status reports
 * them. A VM that is stopped but not deallocated is off but still billed: OpenFlight calls it
 * SLEEPING.
 */
const AZURE_STATES: Record<string, Pick<PowerStatusReading, 'power' | 'status'>> = {
  starting: { power: undefined, status: 'PENDING' },
  running: { power: 'on', status: 'ON' },
  stopping: { power: undefined, status: 'STOPPING' },
  deallocating: { power: undefined, status: 'STOPPING' },
  stopped: { power: 'off', status: 'SLEEPING' },
  deallocated: { power: 'off', status: 'OFF' },
};

const clients = new Map<string, ComputeManagementClient>();

function clientFor(target: AzureTarget, options: AzureDriverOptions): ComputeManagementClient {
  const key = JSON.stringify([
    target.subscriptionId,
    target.tenantId,
    target.clientId,
    options.azureEndpoint,
  ]);
  const cached = options.azureCredential ? undefined : clients.get(key);
  if (cached) return cached;
  const credential =
    options.azureCredential ??
    new DefaultAzureCredential({
      ...(target.tenantId ? { tenantId: target.tenantId } : {}),
      ...(target.clientId
        ? { managedIdentityClientId: target.clientId, workloadIdentityClientId: target.clientId }
        : {}),
    });
  const client = new ComputeManagementClient(credential, target.subscriptionId, {
    ...(options.azureEndpoint ? { endpoint: options.azureEndpoint } : {}),
    credentials: { scopes: [ARM_SCOPE] },
    ...(options.azureTlsCa ? { tlsOptions: { ca: options.azureTlsCa } } : {}),
    retryOptions: { maxRetries: options.azureMaxRetries ?? 4, retryDelayInMs: 500 },
  });
  if (!options.azureCredential) clients.set(key, client);
  return client;
}

/**
 * The driver of an Azure VM through @azure/arm-compute. on = start, off = deallocate (a VM
 * only powered off is still billed for its compute; `off_action: power_off` keeps the
 * allocation instead), soft = the same with the OS shut down first, cycle and reset = restart
 * (Azure has no hard reset). Long-running operations are submitted, not awaited: the
 * controller verifies by reading the instance view, waiting out `starting`, `deallocating` ...
 */
export function createAzureDriver(server: ServerEntry, options: AzureDriverOptions = {}): Driver {
  const target = server.cloud;
  if (target?.cloud !== 'azure') throw new Error(`server ${server.name} is not an Azure node`);
  const client = clientFor(target, options);
  const { resourceGroup: rg, vmName } = target;
  const label = `azure ${rg}/${vmName} (${server.name})`;
  const poll =
    options.azurePollIntervalMs !== undefined
      ? { updateIntervalInMs: options.azurePollIntervalMs }
      : {};

  const call = cloudCaller(label, azureFailure);

  const getVm = (ctx: OperationContext) =>
    call(ctx, 'get VM', (abortSignal) =>
      client.virtualMachines.get(rg, vmName, { expand: 'instanceView', abortSignal }),
    );

  const reading = async (ctx: OperationContext): Promise<PowerStatusReading> => {
    const vm = await getVm(ctx);
    const codes = (vm.instanceView?.statuses ?? []).map((s) => s.code ?? '');
    const power = codes.find((c) => c.startsWith('PowerState/'));
    const state = power?.slice('PowerState/'.length);
    const known = state === undefined ? undefined : AZURE_STATES[state];
    if (!known) {
      // No power state yet (being created or updated), or one Azure calls unknown.
      const provisioning =
        codes.find((c) => c.startsWith('ProvisioningState/')) ?? 'no power state';
      return { power: undefined, status: 'PENDING', cloudState: power ?? provisioning };
    }
    return { ...known, cloudState: `PowerState/${state}` };
  };

  /** Sends the operation's first request; its 202 means Azure took it on. */
  const submit = (
    ctx: OperationContext,
    what: string,
    begin: (s: AbortSignal) => { submitted(): Promise<void> },
  ) =>
    call(ctx, what, async (abortSignal) => {
      const poller = begin(abortSignal);
      await poller.submitted();
    });

  const off = (ctx: OperationContext, graceful: boolean) =>
    target.offAction === 'deallocate'
      ? submit(ctx, 'deallocate', (abortSignal) =>
          client.virtualMachines.deallocate(rg, vmName, { abortSignal, ...poll }),
        )
      : submit(ctx, 'power off', (abortSignal) =>
          client.virtualMachines.powerOff(rg, vmName, {
            abortSignal,
            skipShutdown: !graceful,
            ...poll,
          }),
        );

  return {
    kind: 'azure',
    server: server.name,
    lockKey: `azure:${target.subscriptionId}:${rg}/${vmName}`,
    ...cloudPowerReaders(label, reading),
    powerSetter: {
      async setPower(action: PowerAction, ctx) {
        switch (action) {
          case 'on':
            return submit(ctx, 'start', (abortSignal) =>
              client.virtualMachines.start(rg, vmName, { abortSignal, ...poll }),
            );
          case 'off':
            return off(ctx, false);
          case 'soft':
            return off(ctx, true);
          case 'cycle':
          case 'reset':
            return submit(ctx, 'restart', (abortSignal) =>
              client.virtualMachines.restart(rg, vmName, { abortSignal, ...poll }),
            );
          default:
            throw unknownPowerAction('azure', action);
        }
      },
    },
    machineTypeGetter: {
      catalog: 'azure',
      async machineType(ctx) {
        return (await getVm(ctx)).hardwareProfile?.vmSize ?? '';
      },
    },
    machineTypeSetter: {
      async checkMachineType(size, ctx) {
        const available = await call(ctx, 'list available sizes', async (abortSignal) => {
          const names: string[] = [];
          for await (const s of client.virtualMachines.listAvailableSizes(rg, vmName, {
            abortSignal,
          }))
            if (s.name) names.push(s.name);
          return names;
        });
        if (!available.includes(size)) {
          throw new DriverError(
            'unsupported',
            `${label}: Azure does not offer size ${size} for this VM ` +
              '(another family, or not in its region)',
            undefined,
            { code: 'wrong_family' },
          );
        }
      },
      async setMachineType(size, ctx) {
        await call(ctx, 'update VM size', async (abortSignal) => {
          await client.virtualMachines.update(
            rg,
            vmName,
            { hardwareProfile: { vmSize: size } },
            { abortSignal, ...poll },
          );
        });
      },
    },
  };
}
