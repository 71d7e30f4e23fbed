import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `lite` is what browsers load: the same helpers and the wire schemas compiled without zod.
export default defineConfig(packageBuild({ index: 'src/index.ts', lite: 'src/lite/index.ts' }));
