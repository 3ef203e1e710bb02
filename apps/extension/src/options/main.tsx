import { createRoot } from 'react-dom/client';
import { Options } from './options.js';

createRoot(document.getElementById('root')!).render(<Options />);
