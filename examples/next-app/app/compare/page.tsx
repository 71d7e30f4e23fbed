import { ComparePage } from '../../../express-vite/src/ComparePage';

export default function Page() {
  return <ComparePage />;
}
