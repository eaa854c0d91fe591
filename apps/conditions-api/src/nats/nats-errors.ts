import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';

const unavailable = [
  TimeoutError,
  ConnectionError,
  ClosedConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  JetStreamError,
  JetStreamApiError,
];

/**
 * An error of the NATS client meaning NATS or JetStream did not serve the request: a read
 * that timed out while the connection dropped, a stream or bucket missing after a server
 * lost its data (until provisioning runs again). Answered with 503, not 500.
 */
export function isNatsUnavailable(err: unknown): err is Error {
  return unavailable.some((type) => err instanceof type);
}
