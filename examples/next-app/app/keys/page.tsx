import { KeysPage } from '../../../express-vite/src/KeysPage';
import { isDemo } from '../../lib/aiu';

export const dynamic = 'force-dynamic';

export default function Page() {
  return <KeysPage demo={isDemo()} />;
}
