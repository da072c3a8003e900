import { AreaAlias } from '../areas/area-alias.entity';
import { Area } from '../areas/area.entity';
import { Analysis } from '../analysis/analysis.entity';
import { AuditEntry } from '../auth/audit-entry.entity';
import { AuthSession } from '../auth/auth-session.entity';
import { User } from '../auth/user.entity';
import { CaseEvent } from '../cases/case-event.entity';
import { CasePost } from '../cases/case-post.entity';
import { Case } from '../cases/case.entity';
import { CaseResponse } from '../cases/response.entity';
import { Post } from '../posts/post.entity';
import { Rule } from '../rules/rule.entity';
import { Source } from '../sources/source.entity';

/** Every entity, for the data source and for TypeOrmModule. */
export const ENTITIES = [Area, AreaAlias, User, AuthSession, AuditEntry, Source, Post, Analysis, Rule, Case, CasePost, CaseEvent, CaseResponse];
