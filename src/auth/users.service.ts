import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, In } from 'typeorm';
import { AppError } from '../common/app-error';
import { Area } from '../areas/area.entity';
import { User, USER_ROLES, UserRole } from './user.entity';

export interface UserInput {
  username: string;
  displayName: string;
  role: UserRole;
  /** Area codes. */
  scope: string[];
  password: string;
}

@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the user, or updates name, role, scope and password of an existing one with that username. */
  async upsert(input: UserInput): Promise<User> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(input.username)) {
      throw new AppError('invalid_request', `username ${JSON.stringify(input.username)} must be 2-64 of a-z 0-9 . _ -`, { field: 'username' });
    }
    if (!USER_ROLES.includes(input.role)) throw new AppError('invalid_request', `role must be one of ${USER_ROLES.join(', ')}`, { field: 'role' });
    if (input.password.length < 8) throw new AppError('invalid_request', 'password must have at least 8 characters', { field: 'password' });
    const areas = await this.db.getRepository(Area).findBy({ code: In(input.scope) });
    const missing = input.scope.filter((code) => !areas.some((a) => a.code === code));
    if (missing.length) throw new AppError('invalid_request', `unknown area codes in scope: ${missing.join(', ')}`, { field: 'scope' });
    const repo = this.db.getRepository(User);
    const existing = await repo.findOneBy({ username: input.username });
    return repo.save({
      ...(existing ?? {}),
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      scopeAreaIds: areas.map((a) => a.id),
      passwordHash: await argon2.hash(input.password, { type: argon2.argon2id }),
    });
  }

  async findForLogin(username: string): Promise<User | null> {
    return this.db.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :username', { username }).getOne();
  }

  async get(id: number): Promise<User | null> {
    return this.db.getRepository(User).findOneBy({ id });
  }
}
