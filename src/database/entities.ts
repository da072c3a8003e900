import { AreaAlias } from '../areas/area-alias.entity';
import { Area } from '../areas/area.entity';
import { Analysis } from '../analysis/analysis.entity';
import { DictionaryTerm } from '../analysis/dictionary-term.entity';
import { AuditEntry } from '../auth/audit-entry.entity';
import { AuthSession } from '../auth/auth-session.entity';
import { User } from '../auth/user.entity';
import { CaseCommitment } from '../cases/case-commitment.entity';
import { ConfirmedLabel } from '../cases/confirmed-label.entity';
import { CaseContact } from '../cases/case-contact.entity';
import { CaseEvent } from '../cases/case-event.entity';
import { CasePost } from '../cases/case-post.entity';
import { Case } from '../cases/case.entity';
import { CaseResponse } from '../cases/response.entity';
import { Notification } from '../notify/notification.entity';
import { PostRevision } from '../posts/post-revision.entity';
import { Post } from '../posts/post.entity';
import { Responsibility, Team, TeamMember } from '../routing/team.entity';
import { Rule } from '../rules/rule.entity';
import { RuleVersion } from '../rules/rule-version.entity';
import { CrawlRun } from '../sources/crawl-run.entity';
import { CrawlRunTotal } from '../sources/crawl-run-total.entity';
import { Source } from '../sources/source.entity';
import { ReconcileMark } from '../worker/reconcile-mark.entity';

/** Every entity, for the data source and for TypeOrmModule. */
export const ENTITIES = [DictionaryTerm, Area, AreaAlias, User, AuthSession, AuditEntry, Source, CrawlRun, CrawlRunTotal, Post, PostRevision, Analysis, Rule, RuleVersion, Case, CasePost, CaseEvent, CaseResponse, CaseContact, CaseCommitment, ConfirmedLabel, Notification, Team, TeamMember, Responsibility, ReconcileMark];
