import { toNextHandler } from '@aiu/server/next';
import { getAiu } from '../../../../lib/aiu';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
export const { GET, POST, PUT, DELETE } = toNextHandler(getAiu);
