import { v5 as uuidv5 } from 'uuid';

/**
 * The namespace of the UUIDs derived from server names: UUIDv5 of
 * "https://switchboard.invalid/servers" in the URL namespace. Fixed forever: changing it would
 * change every derived server id.
 */
export const SERVER_UUID_NAMESPACE = 'bdecdafa-3222-5d3e-af0c-29fd0b1a7c68';

/**
 * A server's UUID, as FlipFlop's clients need one (rivets' Condition.Target is a uuid.UUID):
 * its inventory `id` where given, else UUIDv5 of its name in SERVER_UUID_NAMESPACE, so the
 * same name always gives the same id.
 */
export function serverUuid(server: { name: string; id?: string }): string {
  return server.id ?? uuidv5(server.name, SERVER_UUID_NAMESPACE);
}
