import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Area } from '../areas/area.entity';
import { User } from '../auth/user.entity';
import { AppError, notFound } from '../common/app-error';
import { Responsibility, RoutingStrategy, Team, TeamMember } from './team.entity';

/** Teams, their members and the responsibility matrix (administered over the API). */
@Injectable()
export class RoutingMatrixService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async matrix() {
    const [teams, members, cells] = await Promise.all([
      this.db.getRepository(Team).find({ order: { id: 'ASC' } }),
      this.db.getRepository(TeamMember).find({ order: { id: 'ASC' } }),
      this.db.getRepository(Responsibility).find({ order: { id: 'ASC' } }),
    ]);
    return { teams: teams.map((t) => ({ ...t, members: members.filter((m) => m.teamId === t.id) })), responsibilities: cells };
  }

  async upsertTeam(input: { name: string; strategy: RoutingStrategy }): Promise<Team> {
    await this.db.query(`INSERT INTO teams (name, strategy) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET strategy = EXCLUDED.strategy`, [input.name, input.strategy]);
    return this.db.getRepository(Team).findOneByOrFail({ name: input.name });
  }

  async upsertMember(teamId: number, input: Omit<Partial<TeamMember>, 'teamId'> & { userId: number }): Promise<TeamMember> {
    if (!(await this.db.getRepository(Team).existsBy({ id: teamId }))) throw notFound('Team', teamId);
    const user = await this.db.getRepository(User).findOneBy({ id: input.userId });
    if (!user || !['worker', 'supervisor', 'official'].includes(user.role)) {
      throw new AppError('invalid_request', `User ${input.userId} cannot be given cases`, { fields: { userId: 'not a worker, supervisor or official' } });
    }
    const repo = this.db.getRepository(TeamMember);
    const existing = await repo.findOneBy({ teamId, userId: input.userId });
    return repo.save({ ...existing, ...input, teamId });
  }

  async addResponsibility(input: { areaId: number; category?: string | null; teamId: number }): Promise<Responsibility> {
    if (!(await this.db.getRepository(Area).existsBy({ id: input.areaId }))) throw notFound('Area', input.areaId);
    if (!(await this.db.getRepository(Team).existsBy({ id: input.teamId }))) throw notFound('Team', input.teamId);
    return this.db.getRepository(Responsibility).save({ areaId: input.areaId, category: input.category ?? null, teamId: input.teamId });
  }

  async removeResponsibility(id: number): Promise<void> {
    const result = await this.db.getRepository(Responsibility).delete(id);
    if (!result.affected) throw notFound('Responsibility', id);
  }
}
