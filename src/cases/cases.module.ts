import { Module } from '@nestjs/common';
import { AreasModule } from '../areas/areas.module';
import { NotifyModule } from '../notify/notify.module';
import { CaseAccess } from './case-access.service';
import { CaseActionsService } from './case-actions.service';
import { CaseClassificationService } from './case-classification.service';
import { CaseCorrelationService } from './case-correlation.service';
import { CasePrivacyService } from './case-privacy.service';
import { CasesQueryService } from './cases-query.service';
import { CasesController } from './cases.controller';
import { ResponseTemplates } from './response-templates.service';
import { SlaScheduler } from './sla-scheduler.service';
import { SlaTimers } from './sla-timers.service';

@Module({
  imports: [AreasModule, NotifyModule],
  controllers: [CasesController],
  providers: [CaseAccess, CaseActionsService, CaseClassificationService, CaseCorrelationService, CasePrivacyService, CasesQueryService, ResponseTemplates, SlaScheduler, SlaTimers],
  exports: [CaseActionsService, CaseCorrelationService, CasesQueryService, SlaScheduler, SlaTimers],
})
export class CasesModule {}
