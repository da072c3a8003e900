import { Initial1764170000000 } from './1764170000000-initial';
import { CrawlRobustness1764200000000 } from './1764200000000-crawl-robustness';
import { AnalysisRules1764300000000 } from './1764300000000-analysis-rules';
import { CasesSlaNotify1764400000000 } from './1764400000000-cases-sla-notify';
import { AuthSessionsAudit1764500000000 } from './1764500000000-auth-sessions-audit';
import { PostTextPurge1764500000001 } from './1764500000001-post-text-purge';
import { ConfirmedLabels1764600000000 } from './1764600000000-confirmed-labels';
import { DictionaryTerms1764600000001 } from './1764600000001-dictionary-terms';
import { PostTextEscape1764700000020 } from './1764700000020-post-text-escape';
import { CrawlRunRetention1764800000000 } from './1764800000000-crawl-run-retention';
import { ReconcileMarks1764900000000 } from './1764900000000-reconcile-marks';

/** Every migration in order. Migrations are never edited after they land; add a new one. */
export const MIGRATIONS: Function[] = [Initial1764170000000, CrawlRobustness1764200000000, AnalysisRules1764300000000, CasesSlaNotify1764400000000, AuthSessionsAudit1764500000000, PostTextPurge1764500000001, ConfirmedLabels1764600000000, DictionaryTerms1764600000001, PostTextEscape1764700000020, CrawlRunRetention1764800000000, ReconcileMarks1764900000000];
