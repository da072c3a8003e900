import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { CaseActionsService } from './case-actions.service';
import { CaseCorrelationService } from './case-correlation.service';
import { CasesQueryService } from './cases-query.service';
import { CasesController } from './cases.controller';

@Module({
  imports: [AreasModule],
  controllers: [CasesController],
  providers: [CaseActionsService, CaseCorrelationService, CasesQueryService],
  exports: [CaseActionsService, CaseCorrelationService, CasesQueryService],
})
export class CasesModule {}
