import { BoolField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

export const IMPORT_KINDS = ['ngos', 'tasks'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export class ImportQuery {
  @BoolField({ optional: true, fromQuery: true, description: 'Check the file and answer what an import would find, writing nothing' }) dryRun?: boolean;
}

export class ImportErrorView {
  @ApiProperty({ type: 'integer', description: 'The file\'s line; the header is line 1', example: 3 }) line: number;
  @ApiProperty({ type: String, nullable: true, description: 'The column (field name); null for an error of the whole row', example: 'nip' }) column: string | null;
  @ApiProperty({ example: 'NIP checksum is invalid' }) message: string;
}

export class ImportCheckView {
  @ApiProperty({ description: 'True when every row would import' }) valid: boolean;
  @ApiProperty({ type: 'integer', description: 'Data rows in the file (blank rows left out)' }) rows: number;
  @ApiProperty({ type: [ImportErrorView] }) errors: ImportErrorView[];
}

export class ImportedView {
  @ApiProperty({ type: 'integer', description: 'Rows imported, each a new record' }) imported: number;
}
