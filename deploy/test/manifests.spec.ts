import { find, podSpec } from './support/pod-spec';
import { K8sObject, renderKustomization } from './support/repo';

// kubernetes-models: one class per apiVersion/kind, whose validate() checks the object
// against the Kubernetes OpenAPI schema (types, required fields, enums) offline.
function validatorFor(obj: K8sObject): { validate(): void } {
  const path = `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = mod[obj.kind];
  if (!Model) throw new Error(`${path} has no model ${obj.kind}`);
  return new Model(obj);
}

const kustomizations = ['deploy/kind/base', 'deploy/kind/overlays/sandbox'];
const rendered = Object.fromEntries(kustomizations.map((k) => [k, renderKustomization(k)]));
const sandbox = rendered['deploy/kind/overlays/sandbox'];

describe.each(kustomizations)('%s', (dir) => {
  const objects = rendered[dir];

  it('renders with kubectl kustomize, everything in the switchboard namespace', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects.filter((o) => o.kind !== 'Namespace'))
      expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(
        `${o.kind}/${o.metadata.name} in switchboard`,
      );
  });

  it('validates every object against the Kubernetes schemas', () => {
    const problems = objects.flatMap((o) => {
      try {
        validatorFor(o).validate();
        return [];
      } catch (err) {
        return [`${o.kind}/${o.metadata.name}: ${(err as Error).message}`];
      }
    });
    expect(problems).toEqual([]);
  });

  it(
    'runs every container as non-root, read-only, without privileges, with requests and ' +
      'limits',
    () => {
      const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
      for (const w of workloads) {
        const spec = podSpec(w);
        expect({ [w.metadata.name]: spec.securityContext?.runAsNonRoot }).toEqual({
          [w.metadata.name]: true,
        });
        for (const c of spec.containers) {
          expect({ [c.name]: c.securityContext }).toMatchObject({
            [c.name]: {
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          });
          expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
          expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        }
      }
    },
  );
});

describe('the clustered shape', () => {
  it('runs three NATS servers with persistent volumes behind a headless service', () => {
    const nats = find(sandbox, 'StatefulSet', 'nats');
    const spec = nats.spec as {
      replicas: number;
      serviceName: string;
      volumeClaimTemplates: unknown[];
    };
    expect(spec.replicas).toBe(3);
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    const service = find(sandbox, 'Service', spec.serviceName);
    expect((service.spec as { clusterIP: string }).clusterIP).toBe('None');
  });

  it('runs two APIs and two controllers, at least one controller kept through disruptions', () => {
    expect((find(sandbox, 'Deployment', 'api').spec as { replicas: number }).replicas).toBe(2);
    expect((find(sandbox, 'Deployment', 'controller').spec as { replicas: number }).replicas).toBe(
      2,
    );
    const pdb = find(sandbox, 'PodDisruptionBudget', 'controller');
    expect(pdb.spec).toMatchObject({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'controller' } },
    });
  });

  it('gives the controller more time to stop than its drain takes', () => {
    const spec = podSpec(find(sandbox, 'Deployment', 'controller'));
    const drainMs = Number(
      spec.containers[0].env?.find((e) => e.name === 'DRAIN_TIMEOUT_MS')?.value ?? 20_000,
    );
    // Drain, then up to 10 s of hand-back (apps/controller), then the disconnect.
    expect((spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(drainMs + 10_000);
  });

  it('creates no Secret: up.sh makes them, so no secret value sits in the tree', () => {
    expect(sandbox.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('the validator itself', () => {
  it.each([
    ['a replica count that is not a number', { replicas: 'two' }],
    ['a container without a name', { template: { spec: { containers: [{ image: 'x' }] } } }],
  ])('refuses %s', (_what, specPatch) => {
    const deployment = structuredClone(find(sandbox, 'Deployment', 'api'));
    const spec = deployment.spec as Record<string, unknown>;
    Object.assign(spec, specPatch);
    expect(() => validatorFor(deployment).validate()).toThrow();
  });
});
