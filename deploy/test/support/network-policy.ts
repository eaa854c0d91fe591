import type { K8sObject } from './repo';

type Labels = Record<string, string>;
interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: unknown;
  ipBlock?: unknown;
}
interface Port {
  protocol?: string;
  port?: number;
  endPort?: number;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Port[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Labels };
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

const selects = (selector: { matchLabels?: Labels } | undefined, labels: Labels): boolean =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

const portMatches = (ports: Port[] | undefined, protocol: string, port: number): boolean =>
  !ports ||
  ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === protocol &&
      (p.port === undefined || (port >= p.port && port <= (p.endPort ?? p.port))),
  );

// Only pod peers in the same namespace are modelled: that is all these flows use.
const peerMatches = (peers: Peer[] | undefined, labels: Labels): boolean =>
  !peers || peers.some((p) => !p.namespaceSelector && !p.ipBlock && selects(p.podSelector, labels));

function allowedBy(
  policies: PolicySpec[],
  direction: 'Ingress' | 'Egress',
  pod: Labels,
  peer: Labels,
  protocol: string,
  port: number,
): boolean {
  const applying = policies.filter(
    (p) => selects(p.podSelector, pod) && p.policyTypes.includes(direction),
  );
  if (applying.length === 0) return true; // not isolated in that direction
  return applying.some((p) =>
    (direction === 'Ingress' ? p.ingress : p.egress)?.some(
      (rule) =>
        peerMatches(direction === 'Ingress' ? rule.from : rule.to, peer) &&
        portMatches(rule.ports, protocol, port),
    ),
  );
}

/**
 * Whether the NetworkPolicies let a pod with labels `from` reach a pod with labels `to` on a
 * port, as Kubernetes decides it: the sender's egress and the receiver's ingress must both
 * allow it (a pod no policy selects in a direction is open in that direction).
 */
export function flowAllowed(
  objects: K8sObject[],
  from: Labels,
  to: Labels,
  protocol: 'TCP' | 'UDP',
  port: number,
): boolean {
  const policies = objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => o.spec as unknown as PolicySpec);
  return (
    allowedBy(policies, 'Egress', from, to, protocol, port) &&
    allowedBy(policies, 'Ingress', to, from, protocol, port)
  );
}
