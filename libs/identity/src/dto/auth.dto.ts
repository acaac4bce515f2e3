import { EmailField, StringField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

export class LoginDto {
  @EmailField({ example: 'official@krakow.example' }) email: string;
  @StringField({ maxLength: 200, trim: false, example: 'krakow-demo-2019' }) password: string;
}

export class TokenView {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires' }) expiresIn: number;
}
