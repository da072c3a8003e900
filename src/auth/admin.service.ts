import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { DataSource, In, IsNull, Repository } from 'typeorm';
import { Area } from '../areas/area.entity';
import { AreasService } from '../areas/areas.service';
import { AppError } from '../common/app-error';
import { AuthSession } from './auth-session.entity';
import { parseAreasCsv, parseUsersCsv } from './csv-import';
import { SessionCache } from './session-cache';
import { User, UserRole } from './user.entity';

/** A generated initial password, shown once to whoever runs the command. */
export interface IssuedPassword {
  username: string;
  password: string;
}

const newPassword = () => randomBytes(12).toString('base64url');
const hash = (password: string) => argon2.hash(password, { type: argon2.argon2id });

/** What the admin command line does: users, passwords, CSV imports. Every import is all-or-nothing. */
@Injectable()
export class AdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
    /** Every process's cache of live sessions must forget revoked ones (the command line tells them too). */
    @Optional() private readonly sessions?: SessionCache,
  ) {}

  async createUser(input: { username: string; displayName: string; role: UserRole; scope: string[] }): Promise<IssuedPassword> {
    const csv = `username,display_name,role,scope\n${[input.username, input.displayName, input.role, input.scope.join('|')].map((v) => `"${v.replace(/"/g, '""')}"`).join(',')}\n`;
    const [row] = parseUsersCsv(csv, await this.areaCodes());
    if (await this.db.getRepository(User).existsBy({ username: row.username })) throw new AppError('conflict', `User ${row.username} already exists`);
    const [issued] = await this.db.transaction(async (tx) => this.saveUsers(tx.getRepository(User), [row]));
    return issued;
  }

  /** Changes what an admin may change; deactivating a user, or changing role or scope, ends their sessions. */
  async updateUser(id: number, changes: { displayName?: string; role?: UserRole; scope?: string[]; active?: boolean; onDuty?: boolean }): Promise<User> {
    let revoke = false;
    const updated = await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(User);
      const user = await repo.findOneBy({ id });
      if (!user) throw new AppError('not_found', `User ${id} does not exist`);
      let scopeAreaIds: number[] | undefined;
      if (changes.scope) {
        const areas = await tx.getRepository(Area).findBy({ code: In(changes.scope) });
        const missing = changes.scope.filter((code) => !areas.some((a) => a.code === code));
        if (missing.length) throw new AppError('invalid_request', `unknown area codes in scope: ${missing.join(', ')}`, { field: 'scope' });
        scopeAreaIds = changes.scope.map((code) => areas.find((a) => a.code === code)!.id);
      }
      const fields = {
        ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(scopeAreaIds ? { scopeAreaIds } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(changes.onDuty !== undefined ? { onDuty: changes.onDuty } : {}),
      };
      if (Object.keys(fields).length) await repo.update(id, fields);
      // Tokens carry role and scope: they must not outlive a change of either.
      if (changes.active === false || changes.role !== undefined || scopeAreaIds) {
        await tx.getRepository(AuthSession).update({ userId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
        revoke = true;
      }
      return repo.findOneByOrFail({ id });
    });
    // Once committed: a process asking the database before the commit would otherwise remember the session again.
    if (revoke) await this.sessions?.revoked({ userIds: [id] });
    return updated;
  }

  /** A new random password; every session of the user ends. */
  async resetPassword(username: string | { id: number }): Promise<IssuedPassword> {
    let userId = 0;
    const issued = await this.db.transaction(async (tx) => {
      const user = await tx.getRepository(User).findOneBy(typeof username === 'string' ? { username } : username);
      if (!user) throw new AppError('not_found', `User ${typeof username === 'string' ? username : username.id} does not exist`);
      const password = newPassword();
      await tx.getRepository(User).update(user.id, { passwordHash: await hash(password) });
      await tx.getRepository(AuthSession).update({ userId: user.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      userId = user.id;
      return { username: user.username, password };
    });
    await this.sessions?.revoked({ userIds: [userId] });
    return issued;
  }

  async importAreasCsv(text: string): Promise<number> {
    const rows = parseAreasCsv(text, await this.areaCodes());
    return this.db.transaction((tx) => this.areas.importRows(tx, rows));
  }

  /** Creates new users (with generated passwords, returned) and updates existing ones (password kept). */
  async importUsersCsv(text: string): Promise<{ created: IssuedPassword[]; updated: number }> {
    const rows = parseUsersCsv(text, await this.areaCodes());
    return this.db.transaction(async (tx) => {
      const repo = tx.getRepository(User);
      const existing = new Set((await repo.findBy({ username: In(rows.map((r) => r.username)) })).map((u) => u.username));
      const created = await this.saveUsers(repo, rows);
      return { created: created.filter((c) => !existing.has(c.username)), updated: existing.size };
    });
  }

  private async areaCodes(): Promise<Set<string>> {
    return new Set((await this.db.getRepository(Area).find({ select: { code: true } })).map((a) => a.code));
  }

  private async saveUsers(users: Repository<User>, rows: ReturnType<typeof parseUsersCsv>): Promise<IssuedPassword[]> {
    const areaIds = new Map((await users.manager.getRepository(Area).find()).map((a) => [a.code, a.id]));
    const issued: IssuedPassword[] = [];
    for (const row of rows) {
      const current = await users.findOneBy({ username: row.username });
      const fields = { username: row.username, displayName: row.displayName, role: row.role, scopeAreaIds: row.scope.map((c) => areaIds.get(c)!) };
      if (current) {
        await users.update(current.id, fields);
        issued.push({ username: row.username, password: '' });
      } else {
        const password = newPassword();
        await users.insert({ ...fields, passwordHash: await hash(password) });
        issued.push({ username: row.username, password });
      }
    }
    return issued;
  }
}
