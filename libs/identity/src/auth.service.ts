import { Unauthenticated, type AppConfig, APP_CONFIG, type TokenClaims } from '@app/core';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { LoginDto, TokenView } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Unknown email and wrong password get the same answer and take the same time. */
  async login(dto: LoginDto): Promise<TokenView> {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: dto.email.toLowerCase() })
      .getOne();
    const ok = await this.hasher.verify(user?.passwordHash ?? null, dto.password);
    if (!user || !ok) throw new Unauthenticated('The email or the password is wrong');
    const claims: TokenClaims = { sub: user.id, email: user.email, mun: user.municipalityId, role: user.role, ngo: user.ngoId, pa: user.platformAdmin };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.tokenTtlSeconds });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.tokenTtlSeconds };
  }
}
