// Test-only worker bootstrap: loads the TypeScript worker entry through tsx (the app runs the built JS).
import { register } from 'tsx/esm/api';

register();
await import('../../src/main/services/verify-worker.ts');
