import { Module } from '@nestjs/common';
import { NatsModule } from '../nats/nats.module';
import { HealthController } from './health.controller';

/** /healthz and /readyz. */
@Module({ imports: [NatsModule], controllers: [HealthController] })
export class HealthModule {}
