// Offline single-file entry: the same renderer, with the in-page API.
import '@lineage/ui/styles.css';
import '../app.css';
import { createRoot } from 'react-dom/client';
import { App } from '../App.js';
import { createOfflineApi } from './offline-api.js';

createRoot(document.getElementById('root')!).render(<App api={createOfflineApi()} />);
