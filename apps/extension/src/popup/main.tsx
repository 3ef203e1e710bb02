import { createRoot } from 'react-dom/client';
import { Popup } from './popup.js';

createRoot(document.getElementById('root')!).render(<Popup />);
