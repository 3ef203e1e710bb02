// Desktop renderer entry: the API is the preload bridge, nothing else.
import '@lineage/ui/styles.css';
import './app.css';
import { createRoot } from 'react-dom/client';
import type { LineageApi } from '../shared/api.js';
import { App } from './App.js';

declare global {
  interface Window {
    lineage?: LineageApi;
  }
}

const root = createRoot(document.getElementById('root')!);
if (window.lineage) {
  root.render(<App api={window.lineage} />);
} else {
  root.render(
    <p className="fatal">
      The Lineage preload bridge is missing: this page only runs inside Lineage Desktop.
    </p>,
  );
}
