import { createRoot } from 'react-dom/client';
import { Details } from './details.js';

createRoot(document.getElementById('root')!).render(<Details />);
