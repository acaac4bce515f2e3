import { EmailField, RESERVED_SLUGS, StringField, TerytField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsNotIn, IsObject, ValidateNested } from 'class-validator';
import { NewPasswordField } from './user.dto';

export class MunicipalityAdminDto {
  @EmailField() email: string;
  @NewPasswordField() password: string;
}

export class CreateMunicipalityDto {
  @StringField({ maxLength: 200, example: 'Wieliczka' }) name: string;
  @StringField({ maxLength: 100, pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/, patternMessage: 'must be lowercase letters, digits and single dashes', example: 'wieliczka' })
  @IsNotIn([...RESERVED_SLUGS], { message: `must not be one of the site's own paths (${RESERVED_SLUGS.join(', ')})` })
  slug: string;
  @TerytField() teryt: string;
  @ApiProperty({ type: MunicipalityAdminDto })
  @IsDefined({ message: 'is required' })
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => MunicipalityAdminDto)
  admin: MunicipalityAdminDto;
}

export class MunicipalityView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty() teryt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedMunicipalityView extends MunicipalityView {
  @ApiProperty({ description: 'The new municipality\'s first admin' }) admin: { id: string; email: string };
}
