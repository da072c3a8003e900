import { Controller, Get } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { CurrentActor } from '../auth/auth.decorators';
import { AreasService } from '../areas/areas.service';

/**
 * The areas the console needs to name a case's place and to drill down from a street to its cases:
 * the caller's own subtrees only, read-only. (A stop-gap until the gazetteer API exists.)
 */
@Controller('web')
export class WebAreasController {
  constructor(private readonly areas: AreasService) {}

  @Get('areas')
  async list(@CurrentActor() actor: Actor) {
    const ids = await this.areas.subtreeIds(actor.scopeAreaIds);
    const found = await Promise.all(ids.map((id) => this.areas.get(id)));
    return found
      .filter((a) => !!a)
      .map((a) => ({ id: a.id, parentId: a.parentId, code: a.code, name: a.name, level: a.level, path: a.path }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }
}
