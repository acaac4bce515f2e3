import { matchesIfNoneMatch } from '@app/site';
import { NotFound, Public } from '@app/core';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { yearOfFileName } from './grants.mapping';
import { OpenDataService } from './opendata.service';

/** A published revision never changes; five minutes in any cache is harmless, and the ETag revalidates it after. */
export const GRANTS_CACHE_CONTROL = 'public, max-age=300';

@ApiTags('open data')
@Controller('public')
export class OpenDataController {
  constructor(private readonly openData: OpenDataService) {}

  @Get(':slug/grants/:file')
  @ApiOperation({ summary: "Download a published year's funded tasks as 360Giving grants" })
  @Public()
  @ApiParam({ name: 'file', example: '2019.json', description: 'The year of the report, then .json' })
  @ApiProduces('application/json')
  @ApiOkResponse({
    description:
      'The funded tasks of the newest published revision of the year as a 360Giving Data Standard 1.4 package ' +
      '(https://standard.threesixtygiving.org/): one grant per task',
    schema: { type: 'object', required: ['grants'], properties: { version: { type: 'string', example: '1.4' }, grants: { type: 'array', items: { type: 'object' } } } },
  })
  @ApiNotModifiedResponse({ description: 'If-None-Match names the current ETag' })
  @ApiNotFoundResponse({ description: 'No such municipality, no published revision of that year, no task in it, or a file name other than <year>.json' })
  async grants(@Param('slug') slug: string, @Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // a 404 is not kept: the year may be published a minute later
    void reply.header('cache-control', 'no-store');
    const year = yearOfFileName(file);
    if (year === null) throw new NotFound('open-data file', `${slug}/grants/${file} (the file of a year is <year>.json, e.g. 2019.json)`);
    const grants = await this.openData.grantsFile(slug, year);
    void reply.headers({ 'cache-control': GRANTS_CACHE_CONTROL, etag: grants.etag, 'last-modified': grants.publishedAt.toUTCString() });
    if (matchesIfNoneMatch(request.headers['if-none-match'], grants.etag)) {
      await reply.status(304).send();
      return;
    }
    await reply.type('application/json; charset=utf-8').send(Readable.from(grants.body(), { objectMode: false }));
  }
}
