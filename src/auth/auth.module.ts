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
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    AreasModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.auth.secret,
        signOptions: { expiresIn: config.auth.accessTokenTtlSeconds, issuer: 'tingfeng' },
        verifyOptions: { issuer: 'tingfeng' },
      }),
    }),
  ],
  controllers: [AuthController, AuditController, UsersController],
  providers: [
    AuthService,
    AdminService,
    UsersService,
    LoginThrottleService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [UsersService, AuthService],
})
export class AuthModule {}
