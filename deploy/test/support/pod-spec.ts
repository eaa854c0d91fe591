import type { K8sObject } from './repo';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
export interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[]; defaultMode?: number };
  projected?: { sources: { secret?: { name: string; items?: { key: string; path: string }[] } }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[]; defaultMode?: number };
}
export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
}

/** The pod template of a Deployment or StatefulSet. */
export function podSpec(obj: K8sObject): PodSpec {
  const template = (obj.spec as { template?: { spec: PodSpec } }).template;
  if (!template) throw new Error(`${obj.kind}/${obj.metadata.name} has no pod template`);
  return template.spec;
}

/** Generated ConfigMaps carry a content hash: `switchboard-inventory-5h2k8f7d9m`. */
export const generatedFrom = (actual: string | undefined, name: string): boolean =>
  actual === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(actual ?? '');

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && generatedFrom(o.metadata.name, name));
  if (!found) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return found;
}

/** Where a volume's file lands in the container: mount path + item path, per key of a source. */
export function mountedFiles(spec: PodSpec, container: Container): Map<string, string> {
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = spec.volumes?.find((v) => v.name === mount.name);
    for (const source of volume?.projected?.sources ?? []) {
      for (const item of source.secret?.items ?? [])
        files.set(`${mount.mountPath}/${item.path}`, `secret ${source.secret!.name}/${item.key}`);
    }
    for (const item of volume?.secret?.items ?? [])
      files.set(
        `${mount.mountPath}/${item.path}`,
        `secret ${volume!.secret!.secretName}/${item.key}`,
      );
    for (const item of volume?.configMap?.items ?? [])
      files.set(
        `${mount.mountPath}/${item.path}`,
        `configmap ${volume!.configMap!.name}/${item.key}`,
      );
  }
  return files;
}
