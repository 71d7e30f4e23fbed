import { KeysPage } from '../../../express-vite/src/KeysPage';

export default function Page() {
  return <KeysPage />;
}
