import { Module } from '@nestjs/common';
import { NatsModule } from '../nats/nats.module';
import { OutputController } from './output.controller';
import { OutputService } from './output.service';

/** Live output of action conditions. */
@Module({ imports: [NatsModule], controllers: [OutputController], providers: [OutputService] })
export class OutputModule {}
