import { CurrentActor, Permit, type Actor } from '@app/core';
import { Controller, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IMPORT_KINDS, ImportCheckView, ImportedView, ImportQuery, type ImportKind } from './dto/import.dto';
import { ImportsService } from './imports.service';
import { IMPORT_ROW_LIMITS, MAX_IMPORT_CELLS, MAX_UNZIPPED_BYTES } from './limits';
import { IMPORT_FILE_LIMIT, ImportUploadGuard, UploadedImport, type Upload } from './upload';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post(':kind')
  @ApiOperation({ summary: 'Import NGOs or funded tasks from a CSV or XLSX file' })
  @Permit('registers.write')
  @UseGuards(ImportUploadGuard)
  @ApiParam({ name: 'kind', enum: IMPORT_KINDS, description: 'What the file holds: NGOs or funded tasks' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: `A CSV (UTF-8, comma or semicolon) or XLSX (the first sheet) file of at most ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB and ${IMPORT_ROW_LIMITS.ngos} NGO rows or ${IMPORT_ROW_LIMITS.tasks} task rows; the header row holds the field names of POST /ngos or POST /tasks (a task's ngoIds: ids, KRS or NIP numbers separated by ";")`,
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiCreatedResponse({ type: ImportedView, description: 'Every row imported, in one transaction' })
  @ApiOkResponse({ type: ImportCheckView, description: 'With ?dryRun=true: what an import would find; nothing is written' })
  @ApiBadRequestResponse({ description: 'No file, not multipart, a file that is neither CSV nor XLSX, an unknown kind' })
  @ApiPayloadTooLargeResponse({ description: `A file over ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB` })
  @ApiUnprocessableEntityResponse({
    description: `A row is bad, so nothing was imported: errors[] holds { line, column, message } for every bad row. Or the file is over a limit, found while reading it (errors[] names field "file" and the rule): more than ${IMPORT_ROW_LIMITS.ngos} NGO rows or ${IMPORT_ROW_LIMITS.tasks} task rows (import.max-rows), more than ${MAX_IMPORT_CELLS} cells (import.max-cells), a workbook inflating past ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB (import.max-unzipped-size), a cell over 1 MiB of XML (import.max-cell-size), more than 1000 files in the workbook (import.max-zip-entries)`,
  })
  async import(
    @CurrentActor() actor: Actor,
    @Param('kind') kind: ImportKind,
    @Query() query: ImportQuery,
    @UploadedImport() upload: Upload,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportedView | ImportCheckView> {
    if (!query.dryRun) return this.imports.import(actor, kind, upload);
    void reply.status(200);
    return this.imports.check(actor, kind, upload);
  }
}
