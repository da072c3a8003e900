import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { RuleDryRunService } from './rule-dry-run.service';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

@Module({ imports: [AreasModule], controllers: [RulesController], providers: [RulesService, RuleDryRunService], exports: [RulesService] })
export class RulesModule {}
