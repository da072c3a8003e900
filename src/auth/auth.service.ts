import { Injectable, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { UsersService } from './users.service';

@Injectable()
export class AuthService implements OnModuleInit {
  /** Verified against when the username is unknown, so both failures take the same time. */
  private dummyHash = '';

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await argon2.hash('not-a-real-password', { type: argon2.argon2id });
  }

  /** A short-lived access token for valid credentials; one message for every failure (no account probing). */
  async login(username: string, password: string) {
    const user = await this.users.findForLogin(username);
    const valid = await argon2.verify(user?.passwordHash ?? this.dummyHash, password).catch(() => false);
    if (!user || !valid || !user.active) throw new AppError('unauthenticated', 'Wrong username or password');
    const accessToken = await this.jwt.signAsync({ sub: user.id, username: user.username, role: user.role, scope: user.scopeAreaIds });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, scopeAreaIds: user.scopeAreaIds },
    };
  }
}
