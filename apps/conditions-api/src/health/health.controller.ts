import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/decorators';
import { ApiError } from '../errors/api-error';
import { NatsLink } from '../nats/nats-link';
import { Documented } from '../openapi/answers';

/** The probes need no token: the document says so per operation. */
const open = { common: false, security: [] as [] };

/** Probes, outside the /api/v1 prefix, open to anyone: they tell nothing but up and ready. */
@Controller()
@Public()
export class HealthController {
  constructor(private readonly nats: NatsLink) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @Documented('healthz', 'Liveness', { 200: { description: 'The process answers.' } }, open)
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: NATS is connected and the stream and buckets are provisioned. */
  @Get('readyz')
  @Documented(
    'readyz',
    'Readiness: NATS connected and provisioned',
    {
      200: { description: 'Ready.' },
      503: 'Not connected to NATS, or not provisioned yet.',
    },
    open,
  )
  readyz() {
    const { connected, provisioned } = this.nats.state();
    if (!connected) throw ApiError.of(503, 'not ready: NATS is not connected');
    if (!provisioned)
      throw ApiError.of(503, 'not ready: NATS stream and buckets are not provisioned yet');
    return { status: 'ready', nats: 'connected' };
  }
}
