import { Public } from '@app/core';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SphereQuery, SphereView } from './sphere.dto';
import { SpheresService } from './spheres.service';

@ApiTags('dictionaries')
@Controller('spheres')
export class SpheresController {
  constructor(private readonly spheres: SpheresService) {}

  @Get()
  @ApiOperation({ summary: 'List public-benefit spheres' })
  @Public()
  @ApiOkResponse({ type: [SphereView] })
  list(@Query() query: SphereQuery): Promise<SphereView[]> {
    return this.spheres.list(query);
  }
}
