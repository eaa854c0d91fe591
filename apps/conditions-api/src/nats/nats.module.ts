import { Module } from '@nestjs/common';
import { NatsLink } from './nats-link';

/** The connection to NATS and the condition store behind it. */
@Module({ providers: [NatsLink], exports: [NatsLink] })
export class NatsModule {}
