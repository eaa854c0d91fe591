import { Module } from '@nestjs/common';
import { CommandsCatalog } from './commands-catalog';
import { CommandsController } from './commands.controller';

/** The commands directory as the API sees it, and GET /commands. */
@Module({
  providers: [CommandsCatalog],
  controllers: [CommandsController],
  exports: [CommandsCatalog],
})
export class CommandsModule {}
