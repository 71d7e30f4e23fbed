import { UsagePage } from '../../../express-vite/src/UsagePage';

export default function Page() {
  return <UsagePage />;
}
