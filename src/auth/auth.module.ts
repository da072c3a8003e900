import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AreasModule } from '../areas/areas.module';
import { AppConfig } from '../config/app-config';
import { AdminService } from './admin.service';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { SessionCache } from './session-cache';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    AreasModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      // The secret as a KeyObject: given a string, jsonwebtoken first tries to parse it as a PEM public
      // key on every verification, and that failed attempt (an exception) cost about 1 ms per request.
      // Only HS256 is accepted, whatever a token's header says.
      useFactory: (config: AppConfig) => ({
        secret: createSecretKey(Buffer.from(config.auth.secret)),
        signOptions: { expiresIn: config.auth.accessTokenTtlSeconds, issuer: 'tingfeng', algorithm: 'HS256' as const },
        verifyOptions: { issuer: 'tingfeng', algorithms: ['HS256' as const] },
      }),
    }),
  ],
  controllers: [AuthController, AuditController, UsersController],
  providers: [
    AuthService,
    AdminService,
    UsersService,
    LoginThrottleService,
    SessionCache,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [UsersService, AuthService],
})
export class AuthModule {}
