import { APP_CONFIG, type AppConfig } from '@app/core';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthService } from './auth.service';
import { AuthController, MeController, MunicipalitiesController, UsersController } from './identity.controller';
import { MunicipalitiesService } from './municipalities.service';
import { MunicipalityEntity } from './municipality.entity';
import { PasswordHasher } from './password-hasher';
import { loadOrCreateSecret } from './secrets';
import { UserEntity } from './user.entity';
import { TwoFactorService } from './two-factor.service';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, MunicipalityEntity]),
    // The token key: JWT_SECRET, or a random one generated once and kept in the database,
    // so that every process of a deployment signs and checks with the same key.
    JwtModule.registerAsync({
      global: true,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: async (config: AppConfig, ds: DataSource) => ({
        secret: config.jwtSecret ?? (await loadOrCreateSecret(ds, 'jwt_secret')),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, MeController, UsersController, MunicipalitiesController],
  providers: [AuthService, UsersService, MunicipalitiesService, PasswordHasher, TwoFactorService],
  exports: [PasswordHasher, AuthService, UsersService, TwoFactorService],
})
export class IdentityModule {}


