import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '@switchboard/inventory';
import { dockerfileStages, envReadBy, imageCommands, servedPaths } from './support/code';
import { flowAllowed } from './support/network-policy';
import { Container, find, generatedFrom, mountedFiles, PodSpec, podSpec } from './support/pod-spec';
import {
  composeDefault,
  ComposeService,
  K8sObject,
  listFiles,
  loadCompose,
  readRepoFile,
  renderKustomization,
  repoPath,
} from './support/repo';

// The deployment files and the code must agree: a variable the code never reads, a probe on a
// path nobody serves or an image command the entry point does not know would all deploy
// "fine" and fail at run time.

const sandbox = renderKustomization('deploy/kind/overlays/sandbox');
const base = renderKustomization('deploy/kind/base');
const compose = loadCompose();

const PROGRAMS = {
  'conditions-api': 'apps/conditions-api',
  controller: 'apps/controller',
  'sandbox-bmcs': 'apps/stack',
} as const;
type Program = keyof typeof PROGRAMS;
const read = Object.fromEntries(
  Object.entries(PROGRAMS).map(([program, app]) => [program, envReadBy(app)]),
) as Record<Program, Set<string>>;

const workload = (name: string): { spec: PodSpec; container: Container } => {
  const obj = sandbox.find(
    (o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name,
  );
  if (!obj) throw new Error(`no workload ${name}`);
  const spec = podSpec(obj);
  return { spec, container: spec.containers[0] };
};
const envOf = (c: Container): Record<string, string | undefined> =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const composeServices = (program: string): [string, ComposeService][] =>
  Object.entries(compose.services).filter(([, s]) => s.command?.[0] === program);

describe('environment variables', () => {
  it('the scan finds what the code reads, and only that', () => {
    expect([...read['conditions-api']]).toEqual(
      expect.arrayContaining(['NATS_URL', 'INVENTORY_FILE', 'JWT_SECRET_FILE', 'PORT', 'HOST']),
    );
    expect([...read.controller]).toEqual(
      expect.arrayContaining(['NATS_URL', 'CONTROLLER_ID', 'HEALTH_PORT', 'DRAIN_TIMEOUT_MS']),
    );
    expect(read.controller.has('JWT_SECRET_FILE')).toBe(false);
    expect(read['conditions-api'].has('HEALTH_PORT')).toBe(false);
  });

  it.each([
    ['api', 'conditions-api'],
    ['controller', 'controller'],
  ] as const)('the KIND %s sets only variables %s reads', (name, program) => {
    const unread = Object.keys(envOf(workload(name).container)).filter(
      (v) => !read[program].has(v),
    );
    expect(unread).toEqual([]);
  });

  it.each(['conditions-api', 'controller'] as const)(
    'docker-compose sets only variables %s reads',
    (program) => {
      const services = composeServices(program);
      expect(services).toHaveLength(2);
      for (const [name, service] of services) {
        const unread = Object.keys(service.environment ?? {}).filter((v) => !read[program].has(v));
        expect({ [name]: unread }).toEqual({ [name]: [] });
      }
    },
  );

  it('the NATS servers get every variable their configuration names', () => {
    const conf = find(sandbox, 'ConfigMap', 'nats-config').data!['nats.conf'];
    const named = [...conf.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]);
    expect(named).toEqual(['POD_NAME']);
    expect(Object.keys(envOf(workload('nats').container))).toEqual(named);
  });

  it(
    'NATS_URL names every NATS server and NATS_REPLICAS replicates on all, in KIND and ' +
      'compose',
    () => {
      const replicas = (find(sandbox, 'StatefulSet', 'nats').spec as { replicas: number }).replicas;
      const kindUrls = Array.from({ length: replicas }, (_, i) => `nats://nats-${i}.nats:4222`);
      for (const name of ['api', 'controller']) {
        expect(envOf(workload(name).container).NATS_URL?.split(',')).toEqual(kindUrls);
        expect(envOf(workload(name).container).NATS_REPLICAS).toBe(String(replicas));
      }
      const natsServices = Object.keys(compose.services).filter((s) => /^nats-\d$/.test(s));
      expect(natsServices).toHaveLength(3);
      for (const program of ['conditions-api', 'controller'])
        for (const [, service] of composeServices(program))
          expect(service.environment).toMatchObject({
            NATS_URL: natsServices.map((s) => `nats://${s}:4222`).join(','),
            NATS_REPLICAS: String(natsServices.length),
          });
    },
  );
});

describe('NATS credentials (issue 11): a user per role, each process only its own', () => {
  const ROLES = { api: 'conditions-api', controller: 'controller' } as const;
  const upSh = readRepoFile('deploy/kind/up.sh');

  it.each(Object.keys(ROLES) as Array<keyof typeof ROLES>)(
    'the KIND %s pod connects as its role, its password file mounted from its own Secret only',
    (role) => {
      const { spec, container } = workload(role);
      const env = envOf(container);
      expect(env.NATS_USER).toBe(role);
      const mounted = mountedFiles(spec, container);
      expect(mounted.get(env.NATS_PASSWORD_FILE!)).toBe(`secret switchboard-nats-${role}/password`);
      const nats = [...mounted.values()].filter((v) => v.includes('switchboard-nats-'));
      expect(nats).toEqual([`secret switchboard-nats-${role}/password`]);
      expect(read[ROLES[role]].has('NATS_USER')).toBe(true);
      expect(read[ROLES[role]].has('NATS_PASSWORD_FILE')).toBe(true);
    },
  );

  it('the KIND NATS servers include users and routes from their Secret, no route inline', () => {
    const conf = find(sandbox, 'ConfigMap', 'nats-config').data!['nats.conf'];
    const { spec, container } = workload('nats');
    const configPath = container.command![container.command!.indexOf('-c') + 1];
    const configDir = configPath.slice(0, configPath.lastIndexOf('/'));
    const included = [...conf.matchAll(/^\s*include "([^"]+)"/gm)].map((m) =>
      join(configDir, m[1]),
    );
    const mounted = mountedFiles(spec, container);
    expect(included.map((f) => mounted.get(f))).toEqual([
      'secret switchboard-nats-server/users.conf',
      'secret switchboard-nats-server/routes.conf',
    ]);
    expect(conf).not.toMatch(/^\s*(routes|password|user)\s*:/m);
  });

  it('up.sh makes every NATS Secret the manifests mount, with nats-credentials', () => {
    for (const name of [
      'switchboard-nats-server',
      'switchboard-nats-api',
      'switchboard-nats-controller',
    ])
      expect(upSh).toContain(name);
    expect(upSh).toMatch(/switchboard:local \\\n\s+nats-credentials /);
    for (const key of ['users.conf=', 'routes.conf=', '--from-file=password='])
      expect(upSh).toContain(key);
    for (let i = 0; i < 3; i++) expect(upSh).toContain(`--route nats://nats-${i}.nats:6222`);
  });

  it.each(Object.entries(ROLES))(
    'each compose %s connects as its role, with a password file from its own volume only',
    (role, program) => {
      for (const [name, service] of composeServices(program)) {
        expect({ name, user: service.environment?.NATS_USER }).toEqual({ name, user: role });
        const file = service.environment!.NATS_PASSWORD_FILE!;
        const volumes = (service.volumes ?? []).map((v) => v.split(':'));
        const from = volumes.find(([, target]) => file.startsWith(`${target}/`));
        expect({ name, volume: from?.[0] }).toEqual({ name, volume: `nats-${role}` });
        const natsVolumes = volumes.map(([source]) => source).filter((v) => v.startsWith('nats-'));
        expect({ name, natsVolumes }).toEqual({ name, natsVolumes: [`nats-${role}`] });
      }
    },
  );

  it('the compose NATS servers include users and routes from the nats-auth volume', () => {
    const conf = readRepoFile('deploy/compose/nats.conf');
    expect([...conf.matchAll(/^\s*include "([^"]+)"/gm)].map((m) => m[1])).toEqual([
      'auth/users.conf',
      'auth/routes.conf',
    ]);
    expect(conf).not.toMatch(/^\s*(routes|password|user)\s*:/m);
    const init = readRepoFile('deploy/compose/init-secrets.sh');
    for (const [name, service] of Object.entries(compose.services)) {
      if (!/^nats-\d$/.test(name)) continue;
      expect(service.volumes).toEqual(
        expect.arrayContaining([
          './deploy/compose/nats.conf:/etc/nats/nats.conf:ro',
          'nats-auth:/etc/nats/auth:ro',
        ]),
      );
      expect(init).toContain(`--route nats://${name}:6222`);
    }
  });
});

describe('probes and ports', () => {
  const apiPaths = servedPaths('apps/conditions-api/src/health/health.controller.ts');
  const controllerPaths = servedPaths('apps/controller/src/health/health-server.ts');

  it('finds the paths the programs serve', () => {
    expect(apiPaths).toEqual(['/healthz', '/readyz']);
    expect(controllerPaths).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
  });

  it.each([
    ['api', 'PORT', apiPaths],
    ['controller', 'HEALTH_PORT', controllerPaths],
  ])('the KIND %s probes paths it serves on the port %s sets', (name, portVariable, paths) => {
    const { container } = workload(name);
    const port = Number(envOf(container)[portVariable]);
    expect(port).toBeGreaterThan(0);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      const get = probe?.httpGet;
      expect(paths).toContain(get?.path);
      const named = container.ports?.find((p) => p.name === get?.port)?.containerPort;
      expect(named ?? get?.port).toBe(port);
    }
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  });

  it('the API Service and the kind port mapping lead to the API port', () => {
    const service = find(sandbox, 'Service', 'api').spec as {
      ports: { port: number; targetPort: string; nodePort: number }[];
    };
    const kindConfig = readRepoFile('deploy/kind/kind-config.yaml');
    expect(kindConfig).toContain(`containerPort: ${service.ports[0].nodePort}`);
    expect(kindConfig).toMatch(/hostPort: 9001\s+listenAddress: 127\.0\.0\.1/);
    const { container } = workload('api');
    expect(
      container.ports?.find((p) => p.name === service.ports[0].targetPort)?.containerPort,
    ).toBe(Number(envOf(container).PORT));
  });

  it.each([
    ['conditions-api', 'PORT', apiPaths],
    ['controller', 'HEALTH_PORT', controllerPaths],
  ])('compose health checks of %s ask /readyz on the port %s sets', (program, variable, paths) => {
    for (const [, service] of composeServices(program)) {
      const url = service.healthcheck?.test.join(' ').match(/http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/);
      expect(url?.[1]).toBe(service.environment?.[variable]);
      expect(url?.[2]).toBe('/readyz');
      expect(paths).toContain(url?.[2]);
    }
  });

  it('compose publishes the APIs on 127.0.0.1 only, to the port they listen on', () => {
    for (const [name, service] of composeServices('conditions-api')) {
      expect({ [name]: service.ports?.map(composeDefault) }).toEqual({
        [name]: [
          expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+:${service.environment?.PORT}$`)),
        ],
      });
    }
    const published = Object.values(compose.services).filter((s) => s.ports);
    expect(published).toHaveLength(2);
  });
});

describe('inventory and commands', () => {
  const secretsDir = '/var/lib/switchboard/secrets';

  function loadWithSecrets(topology: string) {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-inventory-'));
    try {
      writeFileSync(join(dir, 'bmc-password'), 'not-a-real-password\n');
      // The files the pods mount under secretsDir, here in a temporary directory.
      const file = join(dir, 'topology.yaml');
      writeFileSync(file, topology.split(secretsDir).join(dir));
      return loadInventory(file, {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([
    ['base', base, 1],
    ['sandbox', sandbox, 9],
  ] as const)('the %s inventory ConfigMap loads with libs/inventory', (_name, objects, count) => {
    const topology = find(objects, 'ConfigMap', 'switchboard-inventory').data!['topology.yaml'];
    const inventory = loadWithSecrets(topology);
    expect(inventory.servers).toHaveLength(count);
  });

  it.each(['api', 'controller', 'sandbox-bmcs'])(
    'the %s pod mounts the inventory where INVENTORY_FILE or --inventory points, and ' +
      'every password_file',
    (name) => {
      const { spec, container } = workload(name);
      const inventoryPath =
        envOf(container).INVENTORY_FILE ??
        container.args?.[container.args.indexOf('--inventory') + 1];
      const inventoryMount = container.volumeMounts?.find((m) =>
        generatedFrom(
          spec.volumes?.find((v) => v.name === m.name)?.configMap?.name,
          'switchboard-inventory',
        ),
      );
      expect(inventoryPath).toBe(`${inventoryMount?.mountPath}/topology.yaml`);
      const topology = find(sandbox, 'ConfigMap', 'switchboard-inventory').data!['topology.yaml'];
      const passwordFiles = new Set(
        [...topology.matchAll(/password_file: (\S+?)[ ,}]/g)].map((m) => m[1]),
      );
      expect(passwordFiles.size).toBe(1);
      const mounted = mountedFiles(spec, container);
      for (const file of passwordFiles)
        expect(mounted.get(file)).toBe('secret switchboard-bmc/bmc-password');
    },
  );

  it('the API reads its JWT secret from the mounted Secret', () => {
    const { spec, container } = workload('api');
    expect(mountedFiles(spec, container).get(envOf(container).JWT_SECRET_FILE!)).toBe(
      'secret switchboard-jwt/jwt-secret',
    );
  });

  it.each(['api', 'controller'])(
    'the KIND %s reads the condition signing key from the mounted Secret',
    (name) => {
      const { spec, container } = workload(name);
      expect(mountedFiles(spec, container).get(envOf(container).CONDITION_SIGNING_KEY_FILE!)).toBe(
        'secret switchboard-condition-signing/condition-signing-key',
      );
    },
  );

  it('compose gives the APIs and controllers the key init-secrets.sh writes, in the volume', () => {
    expect(readRepoFile('deploy/compose/init-secrets.sh')).toMatch(
      /^\[ -s "\$dir\/condition-signing-key" \] \|\| \{ random 48 >/m,
    );
    const secretsMount = (service: ComposeService) =>
      service.volumes?.find((v) => v.startsWith('secrets:'))?.split(':')[1];
    for (const program of ['conditions-api', 'controller'])
      for (const [name, service] of composeServices(program)) {
        const file = service.environment?.CONDITION_SIGNING_KEY_FILE;
        expect({ [name]: file }).toEqual({
          [name]: `${secretsMount(service)}/condition-signing-key`,
        });
      }
  });

  it('the simulated BMCs answer where the inventory sends the controllers', () => {
    const inventory = loadWithSecrets(
      find(sandbox, 'ConfigMap', 'switchboard-inventory').data!['topology.yaml'],
    );
    const bmcs = inventory.servers.filter((s) => s.bmc).map((s) => s.bmc!);
    expect(bmcs).toHaveLength(8);
    const service = find(sandbox, 'Service', 'sandbox-bmcs');
    const ports = (service.spec as { ports: { port: number; protocol: string }[] }).ports;
    for (const bmc of bmcs) {
      expect(bmc.host).toBe(service.metadata.name);
      expect(ports).toContainEqual(expect.objectContaining({ port: bmc.port, protocol: 'UDP' }));
      // ... and in compose, where the service of that name is on the controllers' network.
      expect(compose.services[bmc.host].networks).toEqual(
        expect.arrayContaining(
          compose.services['controller-1'].networks!.filter((n) => n !== 'backend'),
        ),
      );
    }
  });

  it('compose and KIND run the same sandbox inventory', () => {
    expect(readRepoFile('deploy/compose/topology.yaml')).toBe(
      readRepoFile('deploy/kind/overlays/sandbox/topology.yaml'),
    );
  });

  it(
    'the commands ConfigMap mounts as the examples/commands tree, in the API and the ' +
      'controller',
    () => {
      const examples = listFiles(repoPath('examples/commands')).filter((f) => f !== 'README.md');
      expect(listFiles(repoPath('deploy/kind/base/commands'))).toEqual(examples);
      for (const file of examples)
        expect(readRepoFile('deploy/kind/base/commands', file)).toBe(
          readRepoFile('examples/commands', file),
        );
      const configMap = find(sandbox, 'ConfigMap', 'switchboard-commands');
      for (const name of ['api', 'controller']) {
        const { spec, container } = workload(name);
        const mounted = mountedFiles(spec, container);
        const tree = [...mounted.entries()]
          .filter(([, source]) => source.startsWith(`configmap ${configMap.metadata.name}/`))
          .map(([path, source]) => {
            const key = source.split('/').pop()!;
            expect(configMap.data![key]).toBe(
              readRepoFile('examples/commands', path.split('/').slice(-2).join('/')),
            );
            return path;
          })
          .sort();
        expect(tree).toEqual(examples.map((f) => `${envOf(container).COMMANDS_DIR}/${f}`));
      }
    },
  );
});

describe('images and commands', () => {
  const commands = imageCommands();
  const stages = dockerfileStages();
  const upSh = readRepoFile('deploy/kind/up.sh');
  const built = new Map(
    upSh
      .split('\n')
      .filter((line) => line.startsWith('docker build '))
      .map((line) => [line.match(/ -t (\S+)/)?.[1], line.match(/--target (\S+)/)?.[1] ?? '']),
  );

  it('the entry point knows the programs, the simulated BMCs and nats-credentials, on PATH', () => {
    expect(commands).toEqual([
      'conditions-api',
      'controller',
      'mctl',
      'stack',
      'sandbox-bmcs',
      'nats-credentials',
    ]);
    const linked = readRepoFile('Dockerfile')
      .match(/for c in ([a-z -]+); do/)?.[1]
      .split(' ');
    expect(linked).toEqual(commands);
    expect(readRepoFile('Dockerfile')).toMatch(/^CMD \["conditions-api"\]$/m);
  });

  it('every KIND container runs an image up.sh builds, with a command of that image', () => {
    expect(stages).toEqual(expect.arrayContaining(['build', 'runtime', 'sandbox-bmcs']));
    const containers = sandbox
      .filter((o: K8sObject) => ['Deployment'].includes(o.kind))
      .flatMap((o) => podSpec(o).containers);
    expect(containers).toHaveLength(3);
    for (const c of containers) {
      expect(built.has(c.image)).toBe(true);
      const target = built.get(c.image);
      if (target) expect(stages).toContain(target);
      expect(commands).toContain(c.args?.[0]);
      expect(c.command).toBeUndefined(); // the image's entry point (tini) stays PID 1
    }
    expect(built.get('switchboard-sandbox-bmcs:local')).toBe('sandbox-bmcs');
    expect(upSh).toMatch(/kind load docker-image .*switchboard:local/);
  });

  it('every compose service built from the Dockerfile runs one of its commands', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect({ [name]: service.build.context }).toEqual({ [name]: '.' });
      if (service.build.target) expect(stages).toContain(service.build.target);
      const program = service.command?.[0];
      if (name === 'secrets')
        expect(service.command).toEqual(['sh', '/etc/switchboard/init-secrets.sh']);
      else expect({ [name]: commands.includes(program!) }).toEqual({ [name]: true });
      const image = composeDefault(service.image!);
      expect(image).toBe(
        service.build.target === 'sandbox-bmcs'
          ? 'switchboard-sandbox-bmcs:latest'
          : 'switchboard:latest',
      );
    }
  });

  it('compose keeps NATS, controllers and BMCs off the published network', () => {
    expect(compose.networks.backend.internal).toBe(true);
    for (const [name, service] of Object.entries(compose.services)) {
      const edge = service.networks?.includes('edge') ?? false;
      expect({ [name]: edge }).toEqual({ [name]: service.command?.[0] === 'conditions-api' });
    }
  });
});

describe('network policies', () => {
  const pod = (name: string) => ({ 'app.kubernetes.io/name': name });
  const inventory = readFileSync(repoPath('deploy/kind/overlays/sandbox/topology.yaml'), 'utf8');
  const bmcPorts = [...inventory.matchAll(/port: (\d+)/g)].map((m) => Number(m[1]));

  it.each([
    ['api', 'nats', 'TCP', 4222],
    ['controller', 'nats', 'TCP', 4222],
    ['nats', 'nats', 'TCP', 6222],
    ...bmcPorts.map((p) => ['controller', 'sandbox-bmcs', 'UDP', p] as const),
  ] as const)('let %s reach %s on %s %i', (from, to, protocol, port) => {
    expect(flowAllowed(sandbox, pod(from), pod(to), protocol, port)).toBe(true);
  });

  it.each([
    ['api', 'sandbox-bmcs', 'UDP', 6231],
    ['api', 'controller', 'TCP', 9464],
    ['sandbox-bmcs', 'nats', 'TCP', 4222],
    ['controller', 'api', 'TCP', 9001],
    ['nats', 'api', 'TCP', 9001],
    ['controller', 'nats', 'TCP', 8222],
  ] as const)('keep %s from %s on %s %i', (from, to, protocol, port) => {
    expect(flowAllowed(sandbox, pod(from), pod(to), protocol, port)).toBe(false);
  });
});
