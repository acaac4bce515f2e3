import { inTransaction, type Actor } from '@app/core';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CreatedMunicipalityView, CreateMunicipalityDto, MunicipalityView } from './dto/municipality.dto';
import { createMunicipalityWithAdmin } from './municipalities';
import { MunicipalityEntity } from './municipality.entity';
import { PasswordHasher } from './password-hasher';

export function municipalityView(m: MunicipalityEntity): MunicipalityView {
  return { id: m.id, name: m.name, slug: m.slug, teryt: m.teryt, createdAt: m.createdAt.toISOString() };
}

@Injectable()
export class MunicipalitiesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
  ) {}

  list(): Promise<MunicipalityView[]> {
    return this.ds.getRepository(MunicipalityEntity).find({ order: { name: 'ASC' } }).then((rows) => rows.map(municipalityView));
  }

  async create(actor: Actor, dto: CreateMunicipalityDto): Promise<CreatedMunicipalityView> {
    const passwordHash = await this.hasher.hash(dto.admin.password);
    return inTransaction(this.ds, async (em) => {
      const { municipality, admin } = await createMunicipalityWithAdmin(
        em,
        { name: dto.name, slug: dto.slug, teryt: dto.teryt },
        { email: dto.admin.email, passwordHash, platformAdmin: false },
        actor,
      );
      return { ...municipalityView(municipality), admin: { id: admin.id, email: admin.email } };
    });
  }
}
