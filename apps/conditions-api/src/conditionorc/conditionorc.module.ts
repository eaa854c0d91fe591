import { Module } from '@nestjs/common';
import { UnservedController } from './unserved.controller';

/** conditionorc's routes Switchboard does not serve, answered 501. */
@Module({ controllers: [UnservedController] })
export class ConditionorcModule {}
